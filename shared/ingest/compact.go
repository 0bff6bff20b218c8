package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// CompactOptions scope a fleet compaction pass.
type CompactOptions struct {
	// Since skips windows that ended at or before it (zero = all).
	Since time.Time
	// Concurrency bounds parallel reads (default 8).
	Concurrency int
	// Settle is how much newer than every rollups object of a window its fleet object must be
	// for the pass to skip the window without reading it (default 2 minutes). Whatever it is,
	// readers stay exact: they use a cluster's fleet rows only where the recorded version is
	// the current one.
	Settle time.Duration
	// Progress, if set, is called after each window with (done, total).
	Progress func(done, total int)
}

// CompactReport counts what a compaction pass did.
type CompactReport struct {
	Windows  int // windows with rollups (or a fleet object)
	UpToDate int // fleet object current (by time, or by the versions in its index)
	Written  int // fleet objects written
	Removed  int // fleet objects of windows without rollups, or of an older format, deleted
	Read     int // per-cluster rollups objects read
	Failed   int
	Errors   []error // the first few failures
}

func (r *CompactReport) fail(err error) {
	r.Failed++
	if len(r.Errors) < 5 {
		r.Errors = append(r.Errors, err)
	}
}

type fleetWindow struct {
	res layout.Resolution
	win layout.Window
}

// Compact keeps one fleet rollups object per window (layout.FleetKey): the rollups rows of
// every cluster with the versions they came from, so that the query service reads one object
// per window at a cold start instead of one per cluster and window. Per window it lists the
// rollups objects, and when any of them is newer than the fleet object it reads the fleet
// object's index, re-reads only the clusters whose version changed, and writes the new fleet
// object conditionally on the one it read (a lost race is left to the next pass). It never
// touches the per-cluster objects, which stay the source of truth.
func (c *Core) Compact(ctx context.Context, o CompactOptions) (CompactReport, error) {
	var rep CompactReport
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Settle <= 0 {
		o.Settle = 2 * time.Minute
	}
	rollups := map[fleetWindow]map[string]store.ObjectInfo{}
	fleet := map[fleetWindow]store.ObjectInfo{}
	for _, r := range layout.Resolutions {
		prefix := layout.DerivedPrefix(layout.DerivedRollups, r)
		err := c.st.List(ctx, prefix, "", func(oi store.ObjectInfo) error {
			d, err := layout.ParseDerived(oi.Key)
			if err != nil || (!o.Since.IsZero() && !d.Window.End.After(o.Since)) {
				return nil
			}
			fw := fleetWindow{r, d.Window}
			if rollups[fw] == nil {
				rollups[fw] = map[string]store.ObjectInfo{}
			}
			rollups[fw][d.Cluster] = oi
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("list %s: %w", prefix, err)
		}
	}
	// One listing of fleet/: the current format's objects, and those of older formats (other
	// folders than layout.FleetVersion), which are deleted: no reader of this build reads them.
	dir := layout.CombinedPrefix + layout.FleetDir + "/"
	var stale []string
	err := c.st.List(ctx, dir, "", func(oi store.ObjectInfo) error {
		if !strings.HasPrefix(oi.Key, dir+layout.FleetVersion+"/") {
			stale = append(stale, oi.Key)
			return nil
		}
		res, w, err := layout.ParseFleet(oi.Key)
		if err != nil || (!o.Since.IsZero() && !w.End.After(o.Since)) {
			return nil
		}
		fleet[fleetWindow{res, w}] = oi
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("list %s: %w", dir, err)
	}
	for _, k := range stale {
		if err := c.st.Delete(ctx, k); err != nil && !errors.Is(err, store.ErrNotFound) {
			rep.fail(fmt.Errorf("delete %s: %w", k, err))
		} else {
			rep.Removed++
		}
	}
	var wins []fleetWindow
	for fw := range rollups {
		wins = append(wins, fw)
	}
	for fw := range fleet {
		if rollups[fw] == nil {
			wins = append(wins, fw)
		}
	}
	slices.SortFunc(wins, func(a, b fleetWindow) int {
		if c := cmp.Compare(a.res, b.res); c != 0 {
			return c
		}
		return a.win.Start.Compare(b.win.Start)
	})
	rep.Windows = len(wins)
	for i, fw := range wins {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		wr, err := c.compactWindow(ctx, fw, rollups[fw], fleet[fw], o)
		rep.Read += wr.read
		switch {
		case err != nil:
			rep.fail(fmt.Errorf("fleet %s %s: %w", fw.res, fw.win, err))
		case wr.removed:
			rep.Removed++
		case wr.written:
			rep.Written++
		default:
			rep.UpToDate++
		}
		if o.Progress != nil {
			o.Progress(i+1, len(wins))
		}
	}
	if rep.Failed > 0 {
		return rep, fmt.Errorf("compact: %d windows failed (first: %w)", rep.Failed, rep.Errors[0])
	}
	return rep, nil
}

type windowResult struct {
	read             int
	written, removed bool
}

// compactWindow brings one window's fleet object up to date with its rollups objects.
func (c *Core) compactWindow(ctx context.Context, fw fleetWindow, objs map[string]store.ObjectInfo, cur store.ObjectInfo, o CompactOptions) (windowResult, error) {
	var wr windowResult
	key := layout.FleetKey(fw.res, fw.win)
	if len(objs) == 0 {
		if err := c.st.Delete(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
			return wr, err
		}
		wr.removed = true
		return wr, nil
	}
	if cur.Key != "" {
		fresh := true
		for _, oi := range objs {
			if !cur.Modified.After(oi.Modified.Add(o.Settle)) {
				fresh = false
				break
			}
		}
		if fresh {
			return wr, nil
		}
	}
	// List the window again: the pass's listing may be minutes old by now, and a cluster
	// carried over at a version older than its object would look current to later passes
	// (the fleet object being newer than that object) until the window changed again.
	objs, err := c.listWindowRollups(ctx, fw)
	if err != nil {
		return wr, err
	}
	if len(objs) == 0 {
		return wr, nil // removed meanwhile: the next pass removes the fleet object
	}
	// The previous fleet object: rows of clusters whose version did not change are kept.
	var old *combined.FleetIndex
	var oldRows []combined.AllocationRow
	var oldVersion store.Version
	if cur.Key != "" {
		b, v, err := c.st.Get(ctx, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return wr, err
		default:
			oldVersion = v.Version
			if old, oldRows, err = combined.ReadFleet(b); err != nil {
				c.log.Warn("rewriting an unreadable fleet object", "key", key, "err", err)
				old, oldRows = nil, nil
			}
		}
	}
	ids := make([]string, 0, len(objs))
	for id := range objs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([][]combined.AllocationRow, len(ids))
	versions := make([]string, len(ids))
	kept := 0
	if old != nil {
		at := map[string][2]int{}
		from := 0
		for _, cl := range old.Clusters {
			at[cl.ID+"\x00"+cl.Version] = [2]int{from, from + cl.Rows}
			from += cl.Rows
		}
		for i, id := range ids {
			if r, ok := at[id+"\x00"+string(objs[id].Version)]; ok {
				parts[i], versions[i] = oldRows[r[0]:r[1]], string(objs[id].Version)
				kept++
			}
		}
		if kept == len(ids) && len(old.Clusters) == len(ids) {
			return wr, nil // touched, but every version is the one recorded
		}
	}
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i, id := range ids {
		if versions[i] != "" {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			b, v, err := c.st.Get(ctx, objs[id].Key)
			if errors.Is(err, store.ErrNotFound) {
				return // removed since the listing: left out
			}
			if err == nil {
				var rows []combined.AllocationRow
				if rows, err = combined.ReadRows[combined.AllocationRow](b); err == nil {
					parts[i], versions[i] = rows, string(v.Version)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			wr.read++
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", objs[id].Key, err))
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return wr, errors.Join(errs...)
	}
	idx := &combined.FleetIndex{Format: combined.FleetFormat}
	var rows []combined.AllocationRow
	for i, id := range ids {
		if versions[i] == "" {
			continue
		}
		idx.Clusters = append(idx.Clusters, combined.FleetCluster{ID: id, Version: versions[i], Rows: len(parts[i])})
		rows = append(rows, parts[i]...)
	}
	data, err := combined.WriteFleet(idx, rows)
	if err != nil {
		return wr, err
	}
	if oldVersion == "" {
		_, err = c.st.PutIfAbsent(ctx, key, data)
	} else {
		_, err = c.st.PutIfMatch(ctx, key, data, oldVersion)
	}
	if errors.Is(err, store.ErrPreconditionFailed) {
		// Another pass wrote it meanwhile: its rows are as good as ours; the next pass checks.
		return wr, nil
	}
	if err != nil {
		return wr, err
	}
	wr.written = true
	return wr, nil
}

// listWindowRollups lists the rollups objects of one window now.
func (c *Core) listWindowRollups(ctx context.Context, fw fleetWindow) (map[string]store.ObjectInfo, error) {
	objs := map[string]store.ObjectInfo{}
	prefix := layout.DerivedPrefix(layout.DerivedRollups, fw.res) + layout.DatePartition(fw.win.Start) + "/"
	err := c.st.List(ctx, prefix, "", func(oi store.ObjectInfo) error {
		if d, err := layout.ParseDerived(oi.Key); err == nil && d.Window == fw.win {
			objs[d.Cluster] = oi
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	return objs, nil
}
