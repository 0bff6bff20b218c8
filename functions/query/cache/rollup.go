package cache

import (
	"maps"
	"slices"
	"strings"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/shared/cost"
)

// rollupInto adds the container rows of ch to dst rolled up over keep, with the result of
// engine.Rollup (rows merged with engine.Add, properties outside keep cleared, the
// __unmounted__/__external__ markers kept in the name, idle rows as they are) but without its
// copies: rows are grouped by dictionary ids, a group of one row is the row itself, and label
// maps, volumes and load balancers are shared until a merge needs a private copy.
//
// labelKeys, when not nil, groups rows by their labels projected onto those keys: a query by
// label:app groups by app, not by every distinct label set (the group's labels are still the
// intersection of its rows' labels, as the engine's aggregation computes them).
func rollupInto(dst *cost.AllocationSet, ch *chunk, keep engine.Fields, labelKeys []string) {
	rr := ch.reader()
	project := labelKeys != nil && keep.Has(engine.FieldLabels)
	type projection struct{ id uint32 }
	projected := map[uint32]projection{} // by the chunk's map id
	ids := map[string]uint32{}           // projected maps, by canonical form
	projectLabels := func(id uint32) projection {
		if p, ok := projected[id]; ok {
			return p
		}
		var canon strings.Builder
		for _, k := range labelKeys {
			if v, ok := rr.maps[id][k]; ok {
				canon.WriteString(k + "\x00" + v + "\x00")
			}
		}
		pid, ok := ids[canon.String()]
		if !ok {
			pid = uint32(len(ids)) + 1
			ids[canon.String()] = pid
		}
		p := projection{pid}
		projected[id] = p
		return p
	}
	type groupKey struct {
		ids     [nStrCols + nMapCols]uint32
		markers uint8
	}
	groups := map[groupKey]*cost.Allocation{}
	owned := map[*cost.Allocation]bool{}
	for si := range ch.segs {
		seg := &ch.segs[si]
		n := int(seg.n)
		// pos[j]: where string column j (then map column nStrCols+j) starts in seg.ids; -1 if absent.
		var pos [nStrCols + nMapCols]int
		k := 0
		for j := range nStrCols {
			pos[j] = -1
			if seg.strMask&(1<<j) != 0 {
				pos[j] = k * n
				k++
			}
		}
		for j := range nMapCols {
			pos[nStrCols+j] = -1
			if seg.mapMask&(1<<j) != 0 {
				pos[nStrCols+j] = k * n
				k++
			}
		}
		for i := range n {
			a := rr.allocation(seg, i)
			if a.IsIdle() {
				dst.Allocations[a.Name] = a
				continue
			}
			var gk groupKey
			for _, kc := range keptColumns {
				if keep.Has(kc.field) && pos[kc.col] >= 0 {
					gk.ids[kc.col] = seg.ids[pos[kc.col]+i]
				}
			}
			for b, m := range markers {
				if strings.Contains(a.Name, m) {
					gk.markers |= 1 << b
				}
			}
			a.Properties = stripShared(a.Properties, keep)
			if project {
				var p projection
				if at := pos[nStrCols+colLabels]; at >= 0 {
					p = projectLabels(seg.ids[at+i])
				}
				// Grouped by the projected labels; the group's labels stay the intersection
				// of its rows' full labels (engine.Add), as the engine's own aggregation has.
				gk.ids[nStrCols+colLabels] = p.id
			}
			if g, ok := groups[gk]; ok {
				if !owned[g] {
					own(g)
					owned[g] = true
				}
				engine.Add(g, a)
				continue
			}
			a.Name = groupName(ch.cluster, a.Properties, keep, gk.markers)
			groups[gk] = a
			dst.Allocations[a.Name] = a
		}
	}
}

var markers = [...]string{cost.UnmountedSuffix, cost.ExternalSuffix}

// keptColumns maps the string and map columns (maps after strings) to the property they hold.
var keptColumns = [...]struct {
	col   int
	field engine.Fields
}{
	{colNode, engine.FieldNode}, {colNamespace, engine.FieldNamespace}, {colControllerKind, engine.FieldControllerKind},
	{colController, engine.FieldController}, {colPod, engine.FieldPod}, {colContainer, engine.FieldContainer},
	{colProviderID, engine.FieldProviderID}, {colServices, engine.FieldServices},
	{nStrCols + colLabels, engine.FieldLabels}, {nStrCols + colAnnotations, engine.FieldAnnotations},
}

// stripShared clears the properties outside keep (as engine.Rollup does), sharing the maps.
func stripShared(p *cost.AllocationProperties, keep engine.Fields) *cost.AllocationProperties {
	r := &cost.AllocationProperties{Cluster: p.Cluster}
	if keep.Has(engine.FieldNode) {
		r.Node = p.Node
	}
	if keep.Has(engine.FieldNamespace) {
		r.Namespace = p.Namespace
	}
	if keep.Has(engine.FieldControllerKind) {
		r.ControllerKind = p.ControllerKind
	}
	if keep.Has(engine.FieldController) {
		r.Controller = p.Controller
	}
	if keep.Has(engine.FieldPod) {
		r.Pod = p.Pod
	}
	if keep.Has(engine.FieldContainer) {
		r.Container = p.Container
	}
	if keep.Has(engine.FieldProviderID) {
		r.ProviderID = p.ProviderID
	}
	if keep.Has(engine.FieldServices) {
		r.Services = p.Services
	}
	if keep.Has(engine.FieldLabels) {
		r.Labels = p.Labels
	}
	if keep.Has(engine.FieldAnnotations) {
		r.Annotations = p.Annotations
	}
	return r
}

// own gives a the private copies engine.Add modifies (properties, volumes, load balancers).
func own(a *cost.Allocation) {
	p := *a.Properties
	p.Labels, p.Annotations, p.Services = maps.Clone(p.Labels), maps.Clone(p.Annotations), slices.Clone(p.Services)
	a.Properties = &p
	if a.PVs != nil {
		pvs := make(cost.PVAllocations, len(a.PVs))
		for k, v := range a.PVs {
			c := *v
			pvs[k] = &c
		}
		a.PVs = pvs
	}
	if a.LoadBalancers != nil {
		lbs := make(cost.LbAllocations, len(a.LoadBalancers))
		for k, v := range a.LoadBalancers {
			c := *v
			lbs[k] = &c
		}
		a.LoadBalancers = lbs
	}
}

// groupName names a rolled-up row by its cluster and kept properties (unique within a
// fleet-wide set), with the markers of its rows.
func groupName(cluster string, p *cost.AllocationProperties, keep engine.Fields, marks uint8) string {
	parts := []string{cluster, p.Node, p.Namespace, p.ControllerKind, p.Controller, p.Pod, p.Container, p.ProviderID}
	if keep.Has(engine.FieldServices) {
		parts = append(parts, strings.Join(p.Services, ","))
	}
	for _, m := range []map[string]string{p.Labels, p.Annotations} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			parts = append(parts, k+"="+m[k])
		}
		parts = append(parts, ";")
	}
	for b, m := range markers {
		if marks&(1<<b) != 0 {
			parts = append(parts, m)
		}
	}
	return strings.Join(parts, "/")
}
