package cache

import (
	"context"
	"strings"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
)

// view says which rows answer a query: one rollup dimension, or container rows rolled up over
// needs (all of them: the rows as stored).
type view struct {
	dim   string // ingest.DimNamespace, DimController, DimNode; "" = container rows
	needs engine.Fields
	// restricted: only the rows of the clusters in clusters (comma-separated) are read.
	restricted bool
	clusters   string
	// projected: container rows keep only the labels in labels (comma-separated).
	projected bool
	labels    string
}

// onlyLabels makes v keep only these label keys (source.AllocationQuery.LabelKeys; nil: all).
func (v view) onlyLabels(keys []string) view {
	if keys != nil && v.dim == "" && v.needs.Has(engine.FieldLabels) {
		v.projected, v.labels = true, strings.Join(keys, ",")
	}
	return v
}

// labelKeys is the projection of v (nil: none).
func (v view) labelKeys() []string {
	if !v.projected {
		return nil
	}
	if v.labels == "" {
		return []string{}
	}
	return strings.Split(v.labels, ",")
}

// only restricts v to clusters (source.AllocationQuery.Clusters; nil: all).
func (v view) only(clusters []string) view {
	if clusters != nil {
		v.restricted, v.clusters = true, ","+strings.Join(clusters, ",")+","
	}
	return v
}

// keeps reports whether v reads the rows of cluster.
func (v view) keeps(cluster string) bool {
	return !v.restricted || strings.Contains(v.clusters, ","+cluster+",")
}

// setKey identifies a built set: the window generation and the view.
type setKey struct {
	gen uint64
	v   view
}

// dimFleetNamespace is the view of namespace rollups merged across clusters.
const dimFleetNamespace = "*" + ingest.DimNamespace

// viewFor picks the smallest rows that answer a query reading needs.
func viewFor(needs engine.Fields) view {
	if engine.FieldNamespace.Has(needs) {
		return view{dim: dimFleetNamespace} // no cluster needed: one row per namespace
	}
	needs |= engine.FieldCluster // names must stay unique across clusters
	switch {
	case (engine.FieldCluster | engine.FieldNamespace).Has(needs):
		return view{dim: ingest.DimNamespace}
	case (engine.FieldCluster | engine.FieldNamespace | engine.FieldControllerKind | engine.FieldController).Has(needs):
		return view{dim: ingest.DimController}
	case (engine.FieldCluster | engine.FieldNode).Has(needs):
		return view{dim: ingest.DimNode}
	}
	return view{needs: needs}
}

// allocationSet returns the set of window w in view v, built once per (window generation,
// view) and kept in an LRU so repeated queries get the same object (and engine.Memo hits).
func (c *Cache) allocationSet(ctx context.Context, w *window, v view) (*cost.AllocationSet, error) {
	if v.dim == dimFleetNamespace && w.fleetNS != nil {
		return w.fleetNS, nil
	}
	k := setKey{w.gen, v}
	if s, ok := c.sets.get(k); ok {
		return s, nil
	}
	val, err := c.flight.do(k, func() (any, error) {
		if s, ok := c.sets.get(k); ok {
			return s, nil
		}
		var s *cost.AllocationSet
		var err error
		if v.dim == dimFleetNamespace {
			s = c.fleetNamespaceSet(w)
		} else if v.dim != "" {
			s, err = c.rollupSet(ctx, w, v)
		} else {
			s, err = c.containerSet(ctx, w, v)
		}
		if err != nil {
			return nil, err
		}
		c.sets.add(k, s, len(s.Allocations))
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	return val.(*cost.AllocationSet), nil
}

// rollupSet builds a window's set from the rollup rows of one dimension plus the idle rows.
func (c *Cache) rollupSet(ctx context.Context, w *window, v view) (*cost.AllocationSet, error) {
	dim := v.dim
	s := cost.NewAllocationSet(w.win)
	add := func(ch *chunk, want string) {
		rr := ch.reader()
		for si := range ch.segs {
			seg := &ch.segs[si]
			if seg.dim != want {
				continue
			}
			for i := range int(seg.n) {
				a := rr.allocation(seg, i)
				if want != ingest.DimIdle {
					a.Name = rollupName(ch.cluster, want, a)
				}
				s.Allocations[a.Name] = a
			}
		}
	}
	for _, ch := range w.rollups {
		if !v.keeps(ch.cluster) {
			continue
		}
		add(ch, ingest.DimIdle)
		if residentDim(dim) {
			add(ch, dim)
		}
	}
	if !residentDim(dim) {
		parts, err := c.lazyParts(ctx, w, layout.DerivedRollups, partRollup+dim, v)
		if err != nil {
			return nil, err
		}
		for _, p := range parts {
			if ch, ok := p.(*chunk); ok && ch != nil {
				add(ch, dim)
			}
		}
	}
	return s, nil
}

// fleetNamespaceSet builds a window's set for queries that read no property but the
// namespace (engine.Options.Needs without the cluster): the namespace rollup rows of every
// cluster merged per namespace (unmounted and external rows apart, by their markers) with
// engine.Add, and every idle row merged into one. The engine answers such queries from it
// exactly as from the per-cluster rows: without shareIdle, splitIdle, idleByNode or a filter,
// all idle goes to __idle__ and nothing else reads the cluster. A few dozen rows instead of
// one per (cluster, namespace): a 30-day namespace query of 1,000 clusters aggregates ≈1,000
// rows instead of ≈270,000.
func (c *Cache) fleetNamespaceSet(w *window) *cost.AllocationSet {
	s := cost.NewAllocationSet(w.win)
	var idle *cost.Allocation
	for _, ch := range w.rollups {
		rr := ch.reader()
		for si := range ch.segs {
			seg := &ch.segs[si]
			if seg.dim != ingest.DimNamespace && seg.dim != ingest.DimIdle {
				continue
			}
			for i := range int(seg.n) {
				a := rr.allocation(seg, i)
				if seg.dim == ingest.DimIdle {
					if idle == nil {
						own(a)
						a.Name, a.Properties = "*/"+cost.IdleSuffix, &cost.AllocationProperties{}
						idle = a
						s.Allocations[a.Name] = a
					} else {
						engine.Add(idle, a)
					}
					continue
				}
				name := rollupName("*", ingest.DimNamespace, a)
				if g, ok := s.Allocations[name]; ok {
					engine.Add(g, a)
					continue
				}
				own(a)
				a.Name, a.Properties = name, &cost.AllocationProperties{Namespace: a.Properties.Namespace}
				s.Allocations[name] = a
			}
		}
	}
	return s
}

// rollupName names a rollup row uniquely within a fleet-wide set, keeping the markers the
// engine recognizes rows by (__unmounted__, __external__), as engine.Rollup does. Rollup rows
// carry only their dimension's properties, so the marker comes from the name (namespace and
// controller rollups of unmounted volumes are named __unmounted__…) or, for the node rollup,
// from the empty node: the only node-less container rows are unmounted volumes.
func rollupName(cluster, dim string, a *cost.Allocation) string {
	name := cluster + "/" + dim + ":" + a.Name
	p := a.Properties
	switch {
	case strings.Contains(name, cost.UnmountedSuffix) || strings.Contains(name, cost.ExternalSuffix):
	case strings.Contains(p.Namespace, cost.UnmountedSuffix) || strings.Contains(p.Container, cost.UnmountedSuffix):
		name += "/" + cost.UnmountedSuffix
	case strings.Contains(p.Namespace, cost.ExternalSuffix) || strings.Contains(p.Container, cost.ExternalSuffix):
		name += "/" + cost.ExternalSuffix
	case dim == ingest.DimNode && p.Node == "":
		name += "/" + cost.UnmountedSuffix
	}
	return name
}

// containerSet builds a window's set from container rows, rolled up over needs unless every
// property is needed.
func (c *Cache) containerSet(ctx context.Context, w *window, v view) (*cost.AllocationSet, error) {
	needs, labelKeys := v.needs, v.labelKeys()
	s := cost.NewAllocationSet(w.win)
	err := c.lazyEach(ctx, w, layout.DerivedAllocations, partContainers, v, func(p any) {
		ch, ok := p.(*chunk)
		if !ok || ch == nil {
			return
		}
		if !needs.Has(engine.AllFields) {
			rollupInto(s, ch, needs, labelKeys)
			return
		}
		rr := ch.reader()
		for si := range ch.segs {
			seg := &ch.segs[si]
			for i := range int(seg.n) {
				a := rr.allocation(seg, i)
				s.Allocations[a.Name] = a
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}
