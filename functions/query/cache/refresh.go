package cache

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// RefreshReport says what one refresh did.
type RefreshReport struct {
	Listed  int // derived and status objects listed within retention
	Read    int // objects read (new or changed versions)
	Removed int // objects gone since the previous refresh (or out of retention)
	Windows int // windows whose data changed
	Bytes   int64
	Fleet   int // rollups taken from fleet objects (one read per window) instead of their own
}

// winKey identifies a window across refreshes.
type winKey struct {
	res   source.Resolution
	start int64
}

// listed is the listing of one refresh.
type listed struct {
	windows  map[winKey]map[refKey]objRef
	wins     map[winKey]cost.Window
	statuses map[string]objRef
	fleet    map[winKey]objRef // fleet rollups objects (layout.FleetKey)
}

// list lists the derived objects within retention and the status objects. The prefixes
// (three datasets and the fleet objects, per resolution) are listed concurrently: a bucket
// lists 1,000 keys per request, and the 420,000 objects of 1,000 clusters take 420 requests.
func (c *Cache) list(ctx context.Context, now time.Time) (*listed, error) {
	l := &listed{windows: map[winKey]map[refKey]objRef{}, wins: map[winKey]cost.Window{}, statuses: map[string]objRef{},
		fleet: map[winKey]objRef{}}
	type job struct {
		prefix string
		r      layout.Resolution
		kind   layout.DerivedKind // "" = fleet objects
		cutoff time.Time
	}
	var jobs []job
	for _, r := range layout.Resolutions {
		cutoff := now.Add(-c.opts.HourlyRetention)
		if r == layout.Daily {
			cutoff = now.Add(-c.opts.DailyRetention)
		}
		if c.opts.FleetMin > 0 {
			jobs = append(jobs, job{layout.FleetPrefix(r), r, "", cutoff})
		}
		for _, k := range layout.DerivedKinds {
			jobs = append(jobs, job{layout.DerivedPrefix(k, r), r, k, cutoff})
		}
	}
	var mu sync.Mutex
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, c.opts.Concurrency)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			err := c.st.List(ctx, j.prefix, "", func(oi store.ObjectInfo) error {
				mu.Lock()
				defer mu.Unlock()
				if j.kind == "" {
					_, w, err := layout.ParseFleet(oi.Key)
					if err == nil && w.End.After(j.cutoff) {
						l.fleet[winKey{resolutionOf(j.r), w.Start.Unix()}] = objRef{oi.Version, oi.Size}
					}
					return nil
				}
				d, err := layout.ParseDerived(oi.Key)
				if err != nil || !d.Window.End.After(j.cutoff) {
					return nil
				}
				wk := winKey{resolutionOf(j.r), d.Window.Start.Unix()}
				if l.windows[wk] == nil {
					l.windows[wk] = map[refKey]objRef{}
					l.wins[wk] = cost.NewWindow(d.Window.Start, d.Window.End)
				}
				// k is the constant and the cluster interned: nothing kept refers to the listing.
				l.windows[wk][refKey{j.kind, intern(d.Cluster)}] = objRef{oi.Version, oi.Size}
				return nil
			})
			if err != nil {
				errs[i] = fmt.Errorf("list %s: %w", j.prefix, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	err := c.st.List(ctx, layout.StatusPrefix, "", func(oi store.ObjectInfo) error {
		name, ok := strings.CutSuffix(strings.TrimPrefix(oi.Key, layout.StatusPrefix), ".json")
		if ok && layout.ValidateClusterID(name) == nil {
			l.statuses[intern(name)] = objRef{oi.Version, oi.Size}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", layout.StatusPrefix, err)
	}
	return l, nil
}

// Refresh lists object versions and reads only what is new or changed since the previous
// refresh; removed objects disappear. The first successful Refresh makes the cache Ready.
// Refreshes are serialized.
func (c *Cache) Refresh(ctx context.Context) (RefreshReport, error) {
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	began := time.Now()
	rep, err := c.refresh(ctx)
	c.met.refreshDuration.Observe(time.Since(began).Seconds())
	if err != nil {
		c.met.refreshErrors.Inc()
		return rep, err
	}
	c.ready.Store(true)
	c.lastReport = rep
	return rep, nil
}

func (c *Cache) refresh(ctx context.Context) (RefreshReport, error) {
	var rep RefreshReport
	now := c.opts.Now()
	old := c.snap.Load()
	l, err := c.list(ctx, now)
	if err != nil {
		return rep, err
	}
	oldWins := map[winKey]*window{}
	for r, ws := range old.windows {
		for _, w := range ws {
			oldWins[winKey{r, w.win.Start.Unix()}] = w
		}
	}

	// What to read: rollups objects whose version is new, and status objects.
	type job struct {
		wk  winKey
		rk  refKey
		key string
	}
	var jobs []job
	for wk, refs := range l.windows {
		rep.Listed += len(refs)
		ow := oldWins[wk]
		for rk, ref := range refs {
			if rk.kind != layout.DerivedRollups {
				continue // container rows and assets are read lazily
			}
			if ow != nil && ow.refs[rk] == ref {
				continue
			}
			w := &window{res: wk.res, win: l.wins[wk]}
			jobs = append(jobs, job{wk, rk, w.key(rk)})
		}
	}
	var statusJobs []string
	for cl, ref := range l.statuses {
		rep.Listed++
		if o, ok := old.statuses[cl]; !ok || o.ref.version != ref.version {
			statusJobs = append(statusJobs, cl)
		}
	}

	results := make([]*chunk, len(jobs))
	statuses := make([]*combined.Status, len(statusJobs))
	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	sem := make(chan struct{}, c.opts.Concurrency)
	var wg sync.WaitGroup

	// First the fleet objects of windows with many rollups objects to read: one read gives the
	// rows of every cluster whose version recorded there is the one listed now.
	byFleet := map[winKey][]int{}
	for i, j := range jobs {
		if _, ok := l.fleet[j.wk]; ok {
			byFleet[j.wk] = append(byFleet[j.wk], i)
		}
	}
	for wk, idxs := range byFleet {
		if len(idxs) < c.opts.FleetMin {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			want := make([]refKey, len(idxs))
			versions := make([]store.Version, len(idxs))
			for k, i := range idxs {
				want[k] = jobs[i].rk
				versions[k] = l.windows[wk][want[k]].version
			}
			n, size, err := c.readFleet(ctx, wk.res, l.wins[wk], want, versions, residentDim, func(k int, ch *chunk) { results[idxs[k]] = ch })
			if err != nil {
				// Not fatal: the per-cluster objects are the truth and are read below.
				c.opts.Logger.Warn("fleet rollups object not used", "window", l.wins[wk].Start, "err", err)
				return
			}
			mu.Lock()
			rep.Read++
			rep.Fleet += n
			rep.Bytes += size
			mu.Unlock()
		})
	}
	wg.Wait()

	for i, j := range jobs {
		if results[i] != nil {
			continue // from a fleet object
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			b, _, err := c.st.Get(ctx, j.key)
			if errors.Is(err, store.ErrNotFound) {
				return // removed since the listing: the next refresh forgets it
			}
			if err != nil {
				fail(fmt.Errorf("read %s: %w", j.key, err))
				return
			}
			c.met.objectsLoaded.Inc()
			c.met.bytesRead.Add(float64(len(b)))
			win := l.wins[j.wk]
			rows, err := readRows[combined.AllocationRow](b)
			if err != nil {
				fail(fmt.Errorf("decode %s: %w", j.key, err))
				return
			}
			results[i] = newChunk(j.rk.cluster, win.Start.UnixMilli(), win.End.UnixMilli(), rows, residentDim, c.dict)
			mu.Lock()
			rep.Read++
			rep.Bytes += int64(len(b))
			mu.Unlock()
		})
	}
	for i, cl := range statusJobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			key := layout.StatusKey(cl)
			b, _, err := c.st.Get(ctx, key)
			if errors.Is(err, store.ErrNotFound) {
				return
			}
			if err != nil {
				fail(fmt.Errorf("read %s: %w", key, err))
				return
			}
			s, err := combined.DecodeStatus(b)
			if err != nil {
				c.opts.Logger.Warn("bad status object", "key", key, "err", err)
				return
			}
			statuses[i] = s
			mu.Lock()
			rep.Read++
			rep.Bytes += int64(len(b))
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		// Keep the previous snapshot: a partial refresh would drop data that is still there.
		return rep, errors.Join(errs...)
	}

	// Build the new snapshot: unchanged windows keep their object (and so their sets).
	next := emptySnapshot()
	next.at = now
	byWin := map[winKey][]int{}
	for i, j := range jobs {
		byWin[j.wk] = append(byWin[j.wk], i)
	}
	var built []*window
	for wk, refs := range l.windows {
		ow := oldWins[wk]
		_, fleet := l.fleet[wk]
		changed := ow == nil || len(byWin[wk]) > 0 || !maps.Equal(ow.refs, refs) || ow.fleet != fleet
		if !changed {
			next.windows[wk.res] = append(next.windows[wk.res], ow)
			continue
		}
		rep.Windows++
		w := &window{res: wk.res, win: l.wins[wk], gen: c.gen.Add(1), rollups: map[string]*chunk{}, refs: refs, fleet: fleet}
		for rk := range refs {
			if ow == nil || rk.kind != layout.DerivedRollups || ow.refs[rk].version != refs[rk].version {
				continue
			}
			if ch := ow.rollups[rk.cluster]; ch != nil {
				w.rollups[rk.cluster] = ch
			}
		}
		for _, i := range byWin[wk] {
			if results[i] != nil {
				w.rollups[jobs[i].rk.cluster] = results[i]
			}
		}
		next.windows[wk.res] = append(next.windows[wk.res], w)
		built = append(built, w)
	}
	c.precompute(built)
	for wk, ow := range oldWins {
		if nw := l.windows[wk]; nw == nil {
			rep.Removed += len(ow.refs)
			rep.Windows++
			continue
		}
		for rk := range ow.refs {
			if _, ok := l.windows[wk][rk]; !ok {
				rep.Removed++
			}
		}
	}
	for _, ws := range next.windows {
		slices.SortFunc(ws, func(a, b *window) int { return a.win.Start.Compare(b.win.Start) })
	}
	for cl, ref := range l.statuses {
		if o, ok := old.statuses[cl]; ok && o.ref.version == ref.version {
			next.statuses[cl] = o
		}
	}
	for i, cl := range statusJobs {
		if statuses[i] != nil {
			next.statuses[cl] = statusEntry{ref: l.statuses[cl], status: statuses[i]}
		}
	}
	for cl := range old.statuses {
		if _, ok := l.statuses[cl]; !ok {
			rep.Removed++
		}
	}
	c.snap.Store(next)
	c.forget(next)
	c.updateMetrics(next, now)
	return rep, nil
}

// forget drops built sets and lazily loaded rows that no current window refers to.
func (c *Cache) forget(s *snapshot) {
	gens := map[uint64]bool{}
	current := map[lazyKey]bool{}
	for r, ws := range s.windows {
		for _, w := range ws {
			gens[w.gen] = true
			for rk, ref := range w.refs {
				current[lazyKey{rk: rk, res: r, start: w.win.Start.Unix(), ref: ref}] = true
			}
		}
	}
	c.sets.removeIf(func(k setKey) bool { return !gens[k.gen] })
	c.assetSets.removeIf(func(g uint64) bool { return !gens[g] })
	c.lazy.removeIf(func(k lazyKey) bool { k.part = ""; return !current[k] })
}

// readFleet reads the fleet object of a window and hands set(k, chunk) the rows of the
// dimensions keep selects (all of the object's first section — namespace, idle — or all of
// its second) of want[k]'s cluster wherever the version the object recorded is
// versions[k]. It returns how many it handed and the object's size.
func (c *Cache) readFleet(ctx context.Context, res source.Resolution, win cost.Window, want []refKey, versions []store.Version,
	keep func(dim string) bool, set func(k int, ch *chunk)) (int, int64, error) {
	r := layout.Hourly
	if res == source.Daily {
		r = layout.Daily
	}
	key := layout.FleetKey(r, layout.Window{Start: win.Start, End: win.End})
	b, _, err := c.st.Get(ctx, key)
	if err != nil {
		return 0, 0, err
	}
	c.met.objectsLoaded.Inc()
	c.met.bytesRead.Add(float64(len(b)))
	first := keep(ingest.DimNamespace)
	idx, parts, err := readFleet(b, first)
	if err != nil {
		return 0, 0, fmt.Errorf("decode %s: %w", key, err)
	}
	type part struct {
		version store.Version
		rows    []combined.AllocationRow
	}
	byCluster := make(map[string]part, len(idx.Clusters))
	for i, cl := range idx.Clusters {
		byCluster[cl.ID] = part{store.Version(cl.Version), parts[i]}
	}
	n := 0
	for k, rk := range want {
		p, ok := byCluster[rk.cluster]
		if !ok || p.version != versions[k] {
			continue
		}
		set(k, newChunk(rk.cluster, win.Start.UnixMilli(), win.End.UnixMilli(), p.rows, keep, c.dict))
		n++
	}
	return n, int64(len(b)), nil
}

// precompute builds the cross-cluster namespace set of each new window (a few dozen rows;
// for 140 windows of 1,000 clusters ≈ 1.5 s of CPU at load, a few MB): the default dashboard
// query (namespaces over 30 days) then only aggregates them, cold or not.
func (c *Cache) precompute(ws []*window) {
	_ = parallel(len(ws), func(i int) error {
		ws[i].fleetNS = c.fleetNamespaceSet(ws[i])
		return nil
	})
}
