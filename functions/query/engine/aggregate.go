package engine

import "github.com/fedcost/fedcost/shared/cost"

// FilteredKey collects filtered-out allocations while share coefficients are computed; it is
// dropped from results.
const FilteredKey = cost.FilteredSuffix

// SharedName is the row holding shared costs when there is nothing to share them with.
const SharedName = cost.SharedSuffix

// row is what the second half of AggregateSet needs to know about one input allocation, kept
// in a compact slice so that input rows (large, scattered structs) are read only once.
type row struct {
	dst      *cost.Allocation   // the aggregated allocation it went into; nil if filtered out
	pvs      cost.PVAllocations // its volumes, merged into dst after all rows
	id       int32              // idle id index
	res      cost.ResourceTotals
	weight   float64 // share weight: total cost without shared cost (weighted split)
	unmount  bool
	filtered bool
}

// idleIDs interns idle ids (cluster, or cluster and node) as small integers.
type idleIDs struct {
	byNode bool
	index  map[[2]string]int32
	// allocated and passing are the CPU/GPU/RAM cost of all rows of an id and of those that
	// pass the filter; idle is the idle of the id.
	allocated, passing, idle []cost.ResourceTotals
}

func (ids *idleIDs) of(a *cost.Allocation) int32 {
	var k [2]string
	if p := a.Properties; p != nil {
		k[0] = p.Cluster
		if ids.byNode {
			k[1] = p.Node
		}
	}
	i, ok := ids.index[k]
	if !ok {
		i = int32(len(ids.allocated))
		ids.index[k] = i
		ids.allocated = append(ids.allocated, cost.ResourceTotals{})
		ids.passing = append(ids.passing, cost.ResourceTotals{})
		ids.idle = append(ids.idle, cost.ResourceTotals{})
	}
	return i
}

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
	ids := &idleIDs{byNode: o.IdleByNode, index: map[[2]string]int32{}}
	var idle, shared []*cost.Allocation
	var sharedIDs []int32
	rows := make([]row, 0, len(in.Allocations))
	sharing := o.sharing()
	npvs := 0
	for _, a := range in.Allocations {
		switch {
		case a.IsIdle():
			idle = append(idle, a)
			continue
		case a.IsExternal() && !o.IncludeExternal:
			continue
		}
		id := ids.of(a)
		res := resources(a)
		ids.allocated[id] = addTotals(ids.allocated[id], res)
		if sharing && o.isShared(a) {
			shared = append(shared, a)
			sharedIDs = append(sharedIDs, id)
			continue
		}
		r := row{id: id, res: res}
		if o.Filter != nil && !o.Filter(a) {
			r.filtered = true
		} else {
			ids.passing[id] = addTotals(ids.passing[id], res)
			r.dst = out.insertDeferringPVs(o.key(a), a)
			if len(a.PVs) > 0 {
				r.pvs = a.PVs
				npvs += len(a.PVs)
			}
		}
		if sharing && o.ShareSplit == ShareWeighted {
			r.unmount = a.IsUnmounted()
			r.weight = a.TotalCost() - a.SharedCost
		}
		rows = append(rows, r)
	}
	for _, a := range idle {
		id := ids.of(a)
		ids.idle[id] = addTotals(ids.idle[id], resources(a))
	}
	// Volumes are merged once all rows are in, into maps sized for them, in row order.
	if npvs > 0 {
		counts := map[*cost.Allocation]int{}
		for _, r := range rows {
			if r.pvs != nil {
				counts[r.dst] += len(r.pvs)
			}
		}
		for dst, n := range counts {
			dst.PVs = make(cost.PVAllocations, n)
		}
		slab := make([]cost.PVAllocation, 0, npvs)
		for _, r := range rows {
			if r.pvs != nil {
				mergePVs(r.dst, r.pvs, &slab)
			}
		}
	}

	if o.ShareIdle {
		for _, r := range rows {
			if r.dst == nil {
				continue
			}
			s := scale(ids.idle[r.id], ratio(r.res, ids.allocated[r.id], 0))
			addCosts(r.dst, s)
			out.Idle[r.dst.Name] = addTotals(out.Idle[r.dst.Name], s)
		}
	}
	if sharing {
		var pool float64
		for i, a := range shared {
			pool += a.TotalCost()
			if o.ShareIdle {
				id := sharedIDs[i]
				pool += idleShare(a, ids.idle[id], ids.allocated[id]).Total()
			}
		}
		pool += o.SharedHourlyCost * o.overheadHours(out.Window)
		o.share(out, rows, pool)
	}

	switch {
	case o.ShareIdle:
		// Idle of a resource that no allocation of its idle id used cannot be shared.
		if !o.IncludeIdle {
			break
		}
		for _, a := range idle {
			id := ids.of(a)
			left := leftover(resources(a), ids.allocated[id])
			if left != (cost.ResourceTotals{}) && (o.Filter == nil || o.Filter(a)) {
				out.insert(o.idleName(a), idleRow(a, a.Name, left))
			}
		}
	case o.IncludeIdle:
		for _, a := range idle {
			c := resources(a)
			if o.Filter != nil {
				id := ids.of(a)
				fallback := 0.0
				if o.Filter(a) {
					fallback = 1
				}
				c = scale(c, ratio(ids.passing[id], ids.allocated[id], fallback))
				if c == (cost.ResourceTotals{}) {
					continue // nothing of this idle id passes the filter
				}
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

// share spreads pool over the keys of the rows: weighted by their cost without shared cost,
// or evenly; filtered-out rows count as one key whose share is dropped.
func (o *Options) share(out *Set, rows []row, pool float64) {
	if pool == 0 {
		return
	}
	weights := map[*cost.Allocation]float64{}
	var filtered, total float64
	for _, r := range rows {
		w := 1.0
		if o.ShareSplit == ShareWeighted {
			if r.unmount {
				continue
			}
			w = r.weight
		}
		if r.filtered {
			if o.ShareSplit == ShareEven {
				w = 1 - filtered // the __filtered__ key counts once
			}
			filtered += w
			total += w
			continue
		}
		if o.ShareSplit == ShareEven {
			if _, seen := weights[r.dst]; seen {
				continue
			}
		}
		weights[r.dst] += w
		total += w
	}
	nkeys := len(weights)
	if filtered != 0 || (o.ShareSplit == ShareEven && hasFiltered(rows)) {
		nkeys++
	}
	if total == 0 && nkeys > 0 {
		// Nothing to weight by: split evenly.
		for k := range weights {
			weights[k] = 1
		}
		total = float64(nkeys)
	}
	if total == 0 {
		out.insert(SharedName, &cost.Allocation{Window: out.Window, Start: out.Window.Start, End: out.Window.End, SharedCost: pool, Properties: &cost.AllocationProperties{}})
		return
	}
	for dst, w := range weights {
		dst.SharedCost += pool * w / total
	}
}

func hasFiltered(rows []row) bool {
	for _, r := range rows {
		if r.filtered {
			return true
		}
	}
	return false
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
