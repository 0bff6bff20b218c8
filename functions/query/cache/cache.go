package cache

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// Cache is a source.Source over the derived objects of a store. Create it with New, then
// call Refresh once (or Run, which refreshes every Options.Refresh until ctx ends).
type Cache struct {
	st   store.Store
	opts Options
	met  *metrics

	id         uint64 // distinguishes this cache's set refs from another's in a shared Memo
	refreshMu  sync.Mutex
	lastReport RefreshReport // of the last successful refresh (under refreshMu)
	snap       atomic.Pointer[snapshot]
	ready      atomic.Bool
	gen        atomic.Uint64

	sets      *lru[setKey, *cost.AllocationSet]
	assetSets *lru[uint64, *cost.AssetSet]
	lazy      *lru[lazyKey, any] // controller rollups, container rows and assets read on demand
	dict      *dictionary        // shared by the resident rollups
	flight    flight
}

var _ source.Source = (*Cache)(nil)

var cacheIDs atomic.Uint64

// New returns an empty, not yet ready cache over st. It registers its metrics on
// o.Registry (an error if they are already registered there).
func New(st store.Store, o Options) (*Cache, error) {
	o = o.withDefaults()
	c := &Cache{st: st, opts: o, id: cacheIDs.Add(1),
		sets:      newLRU[setKey, *cost.AllocationSet](o.SetRows),
		assetSets: newLRU[uint64, *cost.AssetSet](o.SetRows / 4),
		lazy:      newLRU[lazyKey, any](o.LazyBytes),
		dict:      newDictionary(),
	}
	c.snap.Store(emptySnapshot())
	m, err := newMetrics(o.Registry, c)
	if err != nil {
		return nil, err
	}
	c.met = m
	return c, nil
}

// assetSetKey keys the build of a window's asset set in flight.
type assetSetKey uint64

// Run refreshes until ctx ends: at once, then every Options.Refresh. Failures are logged and
// retried at the next tick; the previous data keeps being served.
func (c *Cache) Run(ctx context.Context) {
	t := time.NewTicker(c.opts.Refresh)
	defer t.Stop()
	for {
		began := time.Now()
		rep, err := c.Refresh(ctx)
		if err != nil && ctx.Err() == nil {
			c.opts.Logger.Error("cache refresh failed", "err", err)
		} else if err == nil {
			c.opts.Logger.Debug("cache refreshed", "read", rep.Read, "removed", rep.Removed, "windows", rep.Windows, "took", time.Since(began))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Ready implements source.Source: true once the first refresh completed.
func (c *Cache) Ready() bool { return c.ready.Load() }

// Coverage implements source.Source.
func (c *Cache) Coverage() (hourly, daily cost.Window) {
	s := c.snap.Load()
	return s.coverage(source.Hourly), s.coverage(source.Daily)
}

// AllocationSets implements source.Source (see the package comment for which rows answer).
func (c *Cache) AllocationSets(ctx context.Context, q source.AllocationQuery) ([]*cost.AllocationSet, error) {
	if !c.Ready() {
		return nil, source.ErrNotReady
	}
	wins := c.snap.Load().overlapping(q.Resolution, q.Window)
	v := viewFor(q.Needs).only(q.Clusters).onlyLabels(q.LabelKeys)
	out := make([]*cost.AllocationSet, len(wins))
	// Sets not built yet are built by GOMAXPROCS workers (each reads with up to Concurrency).
	err := parallel(len(wins), func(i int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		s, err := c.allocationSet(ctx, wins[i], v)
		out[i] = s
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parallel calls fn(i) for every i in [0, n) on up to GOMAXPROCS goroutines and returns their
// errors joined; a goroutine stops at its first error.
func parallel(n int, fn func(i int) error) error {
	var next atomic.Int64
	errs := make([]error, min(runtime.GOMAXPROCS(0), n))
	var wg sync.WaitGroup
	for wi := range errs {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if errs[wi] = fn(i); errs[wi] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// AllocationSetRefs implements source.RefSource: one ref per overlapping window, identified
// by the cache, the window's generation and the view, loaded (built, or taken from the set
// LRU) only when the engine's Memo does not hold the result.
func (c *Cache) AllocationSetRefs(ctx context.Context, q source.AllocationQuery) ([]engine.SetRef, error) {
	if !c.Ready() {
		return nil, source.ErrNotReady
	}
	wins := c.snap.Load().overlapping(q.Resolution, q.Window)
	v := viewFor(q.Needs).only(q.Clusters).onlyLabels(q.LabelKeys)
	refs := make([]engine.SetRef, len(wins))
	for i, w := range wins {
		refs[i] = engine.SetRef{
			ID:     fmt.Sprintf("cache%d/%d/%s/%d/%t/%s/%t/%s", c.id, w.gen, v.dim, v.needs, v.restricted, v.clusters, v.projected, v.labels),
			Window: w.win,
			Load:   func(ctx context.Context) (*cost.AllocationSet, error) { return c.allocationSet(ctx, w, v) },
		}
	}
	return refs, nil
}

// AssetSets implements source.Source.
func (c *Cache) AssetSets(ctx context.Context, q source.AssetQuery) ([]*cost.AssetSet, error) {
	if !c.Ready() {
		return nil, source.ErrNotReady
	}
	wins := c.snap.Load().overlapping(q.Resolution, q.Window)
	out := make([]*cost.AssetSet, 0, len(wins))
	for _, w := range wins {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, ok := c.assetSets.get(w.gen)
		if !ok {
			v, err := c.flight.do(assetSetKey(w.gen), func() (any, error) {
				parts, err := c.lazyParts(ctx, w, layout.DerivedAssets, partAssets, view{})
				if err != nil {
					return nil, err
				}
				s := cost.NewAssetSet(w.win)
				for _, p := range parts {
					ch, ok := p.(*assetChunk)
					if !ok || ch == nil {
						continue
					}
					for i := range ch.n {
						k, a := ch.asset(i)
						s.Assets[k] = a
					}
				}
				c.assetSets.add(w.gen, s, len(s.Assets))
				return s, nil
			})
			if err != nil {
				return nil, err
			}
			s = v.(*cost.AssetSet)
		}
		if len(s.Assets) > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}
