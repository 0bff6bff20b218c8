package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// residentDim says which rollup dimensions stay in memory for the whole retention: the small
// ones. Controller rollups, container rows and assets are read when a query needs them.
func residentDim(dim string) bool {
	return dim == ingest.DimNamespace || dim == ingest.DimNode || dim == ingest.DimIdle
}

// Lazily loaded parts of objects.
const (
	partContainers = "containers" // all rows of an allocations object
	partController = "controller" // the controller rows of a rollups object
	partAssets     = "assets"     // all rows of an assets object
)

// lazyKey names one part of one object version in the lazy LRU.
type lazyKey struct {
	ref  objRef
	part string
}

// lazyPart returns a part of an object, from the LRU or read now (concurrent callers share
// one read). A part of an object removed since the listing is nil.
func (c *Cache) lazyPart(ctx context.Context, k lazyKey) (any, error) {
	if v, ok := c.lazy.get(k); ok {
		return v, nil
	}
	return c.flight.do(k, func() (any, error) {
		if v, ok := c.lazy.get(k); ok {
			return v, nil
		}
		d, err := layout.ParseDerived(k.ref.key)
		if err != nil {
			return nil, err
		}
		b, _, err := c.st.Get(ctx, k.ref.key)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", k.ref.key, err)
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
				return nil, fmt.Errorf("decode %s: %w", k.ref.key, err)
			}
			ch := newAssetChunk(d.Cluster, ws, we, rows)
			v, cost = ch, ch.bytes
		default:
			rows, err := readRows[combined.AllocationRow](b)
			if err != nil {
				return nil, fmt.Errorf("decode %s: %w", k.ref.key, err)
			}
			var ch *chunk
			if k.part == partController {
				ch = newChunk(d.Cluster, ws, we, rows, func(dim string) bool { return dim == ingest.DimController }, c.dict)
			} else {
				// Container rows get their own dictionary: pod names come and go.
				local := newDictionary()
				ch = newChunk(d.Cluster, ws, we, rows, nil, local)
				ch.bytes += local.size()
			}
			v, cost = ch, ch.bytes
		}
		c.lazy.add(k, v, cost)
		return v, nil
	})
}

// lazyParts loads one part of every object of kind in window w, concurrently, in key order
// (nil entries: removed since the listing).
func (c *Cache) lazyParts(ctx context.Context, w *window, kind layout.DerivedKind, part string) ([]any, error) {
	var keys []lazyKey
	for rk, ref := range w.refs {
		if rk.kind == kind {
			keys = append(keys, lazyKey{ref, part})
		}
	}
	slices.SortFunc(keys, func(a, b lazyKey) int { return strings.Compare(a.ref.key, b.ref.key) })
	out := make([]any, len(keys))
	errs := make([]error, len(keys))
	sem := make(chan struct{}, c.opts.Concurrency)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = c.lazyPart(ctx, k)
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
