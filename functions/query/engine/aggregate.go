package engine

import "github.com/fedcost/fedcost/shared/cost"

// FilteredKey collects filtered-out allocations while share coefficients are computed; it is
// dropped from results.
const FilteredKey = cost.FilteredSuffix

// SharedName is the row holding shared costs when there is nothing to share them with.
const SharedName = cost.SharedSuffix

// AggregateSet aggregates one window's set (containers or rollups, plus per-node idle rows
// named <cluster>/<node>/__idle__) following OpenCost's AllocationSet.AggregateBy:
//
//  1. idle, external and shared (shareNamespaces, shareLabels) rows are set apart;
//  2. shareIdle moves each idle id's idle onto its allocations (shared ones included) in
//     proportion to their CPU, GPU and RAM cost; idle of a resource nobody used stays idle;
//  3. with a filter and unshared idle, each idle row is scaled per resource by the fraction of
//     its idle id's allocated cost that passes the filter;
//  4. shared rows and the hourly overhead are split over the aggregation keys, weighted by
//     their cost without shared cost (or evenly); filtered-out rows take part as one key
//     (__filtered__) whose share is dropped, so filtering does not inflate others' shares;
//  5. rows are renamed to their key and merged; idle rows merge into __idle__ (or one per
//     idle id with SplitIdle) when IncludeIdle.
//
// in is not modified.
func AggregateSet(in *cost.AllocationSet, o *Options) *Set {
	out := newSet(in.Window)
	var idle, shared, normal []*cost.Allocation
	for _, a := range in.Allocations {
		switch {
		case a.IsIdle():
			idle = append(idle, a)
		case a.IsExternal() && !o.IncludeExternal:
		case o.isShared(a):
			shared = append(shared, a)
		default:
			normal = append(normal, a)
		}
	}

	idleByID := map[string]cost.ResourceTotals{}
	for _, a := range idle {
		id := o.idleID(a)
		idleByID[id] = addTotals(idleByID[id], resources(a))
	}
	// Allocated CPU/GPU/RAM cost per idle id: all of it, and the part passing the filter.
	allocated := map[string]cost.ResourceTotals{}
	passing := map[string]cost.ResourceTotals{}
	keys := make([]string, len(normal))
	for i, a := range normal {
		id := o.idleID(a)
		r := resources(a)
		allocated[id] = addTotals(allocated[id], r)
		if o.Filter == nil || o.Filter(a) {
			keys[i] = o.key(a)
			passing[id] = addTotals(passing[id], r)
		} else {
			keys[i] = FilteredKey
		}
	}
	for _, a := range shared {
		id := o.idleID(a)
		allocated[id] = addTotals(allocated[id], resources(a))
	}

	// Aggregate the rows that pass, with their idle share.
	for i, a := range normal {
		if keys[i] == FilteredKey {
			continue
		}
		dst := out.insert(keys[i], a)
		if o.ShareIdle {
			id := o.idleID(a)
			s := idleShare(a, idleByID[id], allocated[id])
			addCosts(dst, s)
			out.Idle[keys[i]] = addTotals(out.Idle[keys[i]], s)
		}
	}

	if o.sharing() {
		o.share(out, normal, keys, shared, idleByID, allocated)
	}

	switch {
	case o.ShareIdle:
		// Idle of a resource that no allocation of its idle id used cannot be shared.
		if !o.IncludeIdle {
			break
		}
		for _, a := range idle {
			id := o.idleID(a)
			left := leftover(resources(a), allocated[id])
			if left != (cost.ResourceTotals{}) && (o.Filter == nil || o.Filter(a)) {
				out.insert(o.idleName(a), idleRow(a, a.Name, left))
			}
		}
	case o.IncludeIdle:
		for _, a := range idle {
			c := resources(a)
			if o.Filter != nil {
				id := o.idleID(a)
				fallback := 0.0
				if o.Filter(a) {
					fallback = 1
				}
				c = scale(c, ratio(passing[id], allocated[id], fallback))
			}
			out.insert(o.idleName(a), idleRow(a, a.Name, c))
		}
	}
	return out
}

// leftover is the idle of each resource for which nothing was allocated.
func leftover(idle, allocated cost.ResourceTotals) cost.ResourceTotals {
	var l cost.ResourceTotals
	if allocated.CPU == 0 {
		l.CPU = idle.CPU
	}
	if allocated.GPU == 0 {
		l.GPU = idle.GPU
	}
	if allocated.RAM == 0 {
		l.RAM = idle.RAM
	}
	return l
}

// share spreads shared rows and the overhead over the keys of normal rows.
func (o *Options) share(out *Set, normal []*cost.Allocation, keys []string, shared []*cost.Allocation,
	idleByID, allocated map[string]cost.ResourceTotals) {
	var pool float64
	for _, a := range shared {
		pool += a.TotalCost()
		if o.ShareIdle {
			id := o.idleID(a)
			pool += idleShare(a, idleByID[id], allocated[id]).Total()
		}
	}
	pool += o.SharedHourlyCost * o.overheadHours(out.Window)
	if pool == 0 {
		return
	}
	weights := map[string]float64{}
	var total float64
	for i, a := range normal {
		w := 1.0
		if o.ShareSplit == ShareWeighted {
			if a.IsUnmounted() {
				continue
			}
			w = a.TotalCost() - a.SharedCost
		}
		if o.ShareSplit == ShareEven {
			if _, seen := weights[keys[i]]; seen {
				continue
			}
		}
		weights[keys[i]] += w
		total += w
	}
	if total == 0 && len(weights) > 0 {
		// Nothing to weight by: split evenly.
		for k := range weights {
			weights[k] = 1
		}
		total = float64(len(weights))
	}
	if total == 0 {
		out.insert(SharedName, &cost.Allocation{Window: out.Window, Start: out.Window.Start, End: out.Window.End, SharedCost: pool, Properties: &cost.AllocationProperties{}})
		return
	}
	for k, w := range weights {
		if k == FilteredKey {
			continue
		}
		out.Allocations[k].SharedCost += pool * w / total
	}
}

// overheadHours is the length of w in hours, counted up to Now.
func (o *Options) overheadHours(w cost.Window) float64 {
	end := w.End
	if !o.Now.IsZero() && o.Now.Before(end) {
		end = o.Now
	}
	if !end.After(w.Start) {
		return 0
	}
	return end.Sub(w.Start).Hours()
}
