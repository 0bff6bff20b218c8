package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// residentDim says which rollup dimensions stay in memory for the whole retention: namespace
// (the most common long-window query) and idle (every query). Node and controller rollups,
// container rows and assets are read when a query needs them.
func residentDim(dim string) bool {
	return dim == ingest.DimNamespace || dim == ingest.DimIdle
}

// Lazily loaded parts of objects: a rollup dimension (partRollup+dim), all rows of an
// allocations object, all rows of an assets object.
const (
	partRollup     = "rollup:"
	partContainers = "containers"
	partAssets     = "assets"
)

// lazyKey names one part of one object version in the lazy LRU.
type lazyKey struct {
	rk    refKey
	res   source.Resolution
	start int64 // window start, unix seconds
	ref   objRef
	part  string
}

// lazyPart returns a part of an object, from the LRU or read now (concurrent callers share
// one read). A part of an object removed since the listing is nil.
func (c *Cache) lazyPart(ctx context.Context, k lazyKey, key string) (any, error) {
	if v, ok := c.lazy.get(k); ok {
		return v, nil
	}
	return c.flight.do(k, func() (any, error) {
		if v, ok := c.lazy.get(k); ok {
			return v, nil
		}
		d, err := layout.ParseDerived(key)
		if err != nil {
			return nil, err
		}
		b, _, err := c.st.Get(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", key, err)
		}
		c.met.objectsLoaded.Inc()
		c.met.bytesRead.Add(float64(len(b)))
		ws, we := d.Window.Start.UnixMilli(), d.Window.End.UnixMilli()
		var v any
		var cost int
		switch k.part {
		case partAssets:
			rows, err := readRows[combined.AssetRow](b)
			if err != nil {
				return nil, fmt.Errorf("decode %s: %w", key, err)
			}
			ch := newAssetChunk(d.Cluster, ws, we, rows)
			v, cost = ch, ch.bytes
		default:
			rows, err := readRows[combined.AllocationRow](b)
			if err != nil {
				return nil, fmt.Errorf("decode %s: %w", key, err)
			}
			var ch *chunk
			if dim, ok := strings.CutPrefix(k.part, partRollup); ok {
				ch = newChunk(d.Cluster, ws, we, rows, func(d string) bool { return d == dim }, c.dict)
			} else {
				// Container rows get their own dictionary: pod names come and go.
				local := newDictionary()
				ch = newChunk(d.Cluster, ws, we, rows, nil, local)
				local.freeze()
				// Measured: maps and strings cost about twice the estimate.
				ch.bytes += 2 * local.size()
			}
			v, cost = ch, ch.bytes
		}
		c.lazy.add(k, v, cost)
		return v, nil
	})
}

// lazyParts loads one part of every object of kind in window w, concurrently, in key order
// (nil entries: removed since the listing).
func (c *Cache) lazyParts(ctx context.Context, w *window, kind layout.DerivedKind, part string, v view) ([]any, error) {
	var out []any
	err := c.lazyEach(ctx, w, kind, part, v, func(p any) { out = append(out, p) })
	return out, err
}

// lazyEach calls fn with one part of every object of kind in window w (of the clusters v
// keeps), in key order (nil:
// removed since the listing), loading them a batch at a time with up to Concurrency reads,
// so that only a batch is held besides what the LRU keeps: a window of container rows of a
// thousand clusters is never in memory at once.
func (c *Cache) lazyEach(ctx context.Context, w *window, kind layout.DerivedKind, part string, v view, fn func(any)) error {
	var keys []lazyKey
	for rk, ref := range w.refs {
		if rk.kind == kind && v.keeps(rk.cluster) {
			keys = append(keys, lazyKey{rk: rk, res: w.res, start: w.win.Start.Unix(), ref: ref, part: part})
		}
	}
	slices.SortFunc(keys, func(a, b lazyKey) int { return strings.Compare(a.rk.cluster, b.rk.cluster) })
	out := make([]any, len(keys))
	if dim, ok := strings.CutPrefix(part, partRollup); ok && w.fleet {
		c.lazyFromFleet(ctx, w, dim, keys, out)
	}
	batch := 4 * c.opts.Concurrency
	for lo := 0; lo < len(keys); lo += batch {
		hi := min(lo+batch, len(keys))
		errs := make([]error, hi-lo)
		sem := make(chan struct{}, c.opts.Concurrency)
		var wg sync.WaitGroup
		for i := lo; i < hi; i++ {
			if out[i] != nil {
				continue
			}
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				out[i], errs[i-lo] = c.lazyPart(ctx, keys[i], w.key(keys[i].rk))
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		for i := lo; i < hi; i++ {
			fn(out[i])
			out[i] = nil
		}
	}
	return nil
}

// lazyFromFleet fills out[i] with the dim rollups of keys[i] from the window's fleet object
// where many are missing from the LRU and the fleet object holds their current version (one
// read instead of one per cluster); the rest stay nil for the caller to read.
func (c *Cache) lazyFromFleet(ctx context.Context, w *window, dim string, keys []lazyKey, out []any) {
	var idx []int
	for i, k := range keys {
		if v, ok := c.lazy.get(k); ok {
			out[i] = v
		} else {
			idx = append(idx, i)
		}
	}
	if c.opts.FleetMin <= 0 || len(idx) < c.opts.FleetMin {
		return
	}
	// One reader per window at a time: concurrent queries of the same window share it.
	_, _ = c.flight.do(fleetFlight{w.gen, dim}, func() (any, error) {
		want := make([]refKey, 0, len(idx))
		versions := make([]store.Version, 0, len(idx))
		for _, i := range idx {
			want = append(want, keys[i].rk)
			versions = append(versions, keys[i].ref.version)
		}
		_, _, err := c.readFleet(ctx, w.res, w.win, want, versions, func(d string) bool { return d == dim }, func(k int, ch *chunk) {
			c.lazy.add(keys[idx[k]], ch, ch.bytes)
			out[idx[k]] = ch
		})
		if err != nil {
			c.opts.Logger.Warn("fleet rollups object not used", "window", w.win.Start, "dimension", dim, "err", err)
		}
		return nil, nil
	})
}

// fleetFlight keys a fleet read for lazily loaded rollups in the flight group.
type fleetFlight struct {
	gen uint64
	dim string
}
