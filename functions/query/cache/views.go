package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// view says which rows answer a query: one rollup dimension, or container rows rolled up over
// needs (all of them: the rows as stored).
type view struct {
	dim   string // ingest.DimNamespace, DimController, DimNode; "" = container rows
	needs engine.Fields
}

// setKey identifies a built set: the window generation and the view.
type setKey struct {
	gen uint64
	v   view
}

// viewFor picks the smallest rows that answer a query reading needs.
func viewFor(needs engine.Fields) view {
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
		if v.dim != "" {
			s = rollupSet(w, v.dim)
		} else {
			s, err = c.containerSet(ctx, w, v.needs)
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
func rollupSet(w *window, dim string) *cost.AllocationSet {
	s := cost.NewAllocationSet(w.win)
	for _, ch := range w.rollups {
		for i := range ch.n {
			d := ch.str(colDimension, i)
			if d != dim && d != ingest.DimIdle {
				continue
			}
			a := ch.allocation(i)
			if d != ingest.DimIdle {
				a.Name = rollupName(ch.cluster, dim, a)
			}
			s.Allocations[a.Name] = a
		}
	}
	return s
}

// rollupName names a rollup row uniquely within a fleet-wide set, keeping the markers the
// engine recognizes rows by (__unmounted__, __external__), as engine.Rollup does.
func rollupName(cluster, dim string, a *cost.Allocation) string {
	name := cluster + "/" + dim + ":" + a.Name
	p := a.Properties
	for _, m := range []string{cost.UnmountedSuffix, cost.ExternalSuffix} {
		if strings.Contains(name, m) {
			continue
		}
		if strings.Contains(p.Namespace, m) || strings.Contains(p.Container, m) || strings.Contains(p.Pod, m) {
			name += "/" + m
		}
	}
	return name
}

// containerSet builds a window's set from container rows, rolled up over needs unless every
// property is needed.
func (c *Cache) containerSet(ctx context.Context, w *window, needs engine.Fields) (*cost.AllocationSet, error) {
	var refs []objRef
	for rk, ref := range w.refs {
		if rk.kind == layout.DerivedAllocations {
			refs = append(refs, ref)
		}
	}
	slices.SortFunc(refs, func(a, b objRef) int { return strings.Compare(a.key, b.key) })
	chunks := make([]*chunk, len(refs))
	errs := make([]error, len(refs))
	sem := make(chan struct{}, c.opts.Concurrency)
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			chunks[i], errs[i] = c.containerChunk(ctx, ref)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s := cost.NewAllocationSet(w.win)
	for _, ch := range chunks {
		if ch == nil {
			continue
		}
		if needs.Has(engine.AllFields) {
			for i := range ch.n {
				a := ch.allocation(i)
				s.Allocations[a.Name] = a
			}
			continue
		}
		one := cost.NewAllocationSet(w.win)
		for i := range ch.n {
			a := ch.allocation(i)
			one.Allocations[a.Name] = a
		}
		for name, a := range engine.Rollup(one, needs).Allocations {
			s.Allocations[name] = a
		}
	}
	return s, nil
}

// containerChunk returns the container rows of one allocations object, from the LRU or read
// now (concurrent callers share one read).
func (c *Cache) containerChunk(ctx context.Context, ref objRef) (*chunk, error) {
	if ch, ok := c.containers.get(ref); ok {
		return ch, nil
	}
	val, err := c.flight.do(ref, func() (any, error) {
		if ch, ok := c.containers.get(ref); ok {
			return ch, nil
		}
		d, err := layout.ParseDerived(ref.key)
		if err != nil {
			return nil, err
		}
		b, _, err := c.st.Get(ctx, ref.key)
		if errors.Is(err, store.ErrNotFound) {
			return (*chunk)(nil), nil // removed since the listing
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", ref.key, err)
		}
		rows, err := combined.ReadRows[combined.AllocationRow](b)
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", ref.key, err)
		}
		c.met.objectsLoaded.Inc()
		c.met.bytesRead.Add(float64(len(b)))
		ch := newChunk(d.Cluster, d.Window.Start.UnixMilli(), d.Window.End.UnixMilli(), rows)
		c.containers.add(ref, ch, ch.bytes)
		return ch, nil
	})
	if err != nil {
		return nil, err
	}
	return val.(*chunk), nil
}
