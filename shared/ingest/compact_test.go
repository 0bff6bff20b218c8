package ingest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/filesystem"
)

// resWindow is one window at one resolution.
type resWindow struct {
	r layout.Resolution
	w layout.Window
}

func (rw resWindow) String() string { return string(rw.r) + " " + rw.w.String() }

var (
	hour0    = resWindow{layout.Hourly, testHour}
	hour1    = resWindow{layout.Hourly, layout.WindowFor(layout.Hourly, testHour.Start.Add(time.Hour))}
	dayPrev  = resWindow{layout.Daily, layout.WindowFor(layout.Daily, testHour.Start.Add(-24*time.Hour))}
	dayToday = resWindow{layout.Daily, layout.WindowFor(layout.Daily, testHour.Start)}
	// compactWindows are the windows the compaction tests derive, two hourly and two daily.
	compactWindows  = []resWindow{hour0, hour1, dayPrev, dayToday}
	compactClusters = []string{"alpha", "bravo", "charlie"}
)

// putWindow writes a cluster's allocations and assets uploads of one window (n containers,
// numbers from seed) and returns their keys.
func putWindow(t testing.TB, st store.Store, cluster string, rw resWindow, n int, seed uint64) []string {
	t.Helper()
	ad, sd := allocDoc(cluster, rw.w, n, seed, "i-"+cluster), assetDoc(cluster, rw.w, seed, "i-"+cluster)
	ad.Resolution, sd.Resolution = rw.r, rw.r
	put(t, st, ad.Upload().Key(), encode(t, ad))
	put(t, st, sd.Upload().Key(), encode(t, sd))
	return []string{ad.Upload().Key(), sd.Upload().Key()}
}

// deriveWindow puts a cluster's uploads of one window and ingests them; the window must come
// out derived.
func deriveWindow(t testing.TB, c *Core, st store.Store, cluster string, rw resWindow, n int, seed uint64) {
	t.Helper()
	keys := putWindow(t, st, cluster, rw, n, seed)
	res, err := c.Ingest(context.Background(), keys[0])
	if err != nil || res.Outcome != Derived {
		t.Fatalf("ingest %s: %+v %v", keys[0], res, err)
	}
}

// deriveFleet derives every cluster × window of compactClusters × compactWindows.
func deriveFleet(t testing.TB, c *Core, st store.Store) {
	t.Helper()
	for i, cl := range compactClusters {
		for j, rw := range compactWindows {
			deriveWindow(t, c, st, cl, rw, 3+i+j, uint64(100*i+j+1))
		}
	}
}

// clusterRollups is one cluster's current rollups object of a window.
type clusterRollups struct {
	version store.Version
	rows    []combined.AllocationRow
}

// currentRollups reads every per-cluster rollups object, by window and cluster.
func currentRollups(t testing.TB, st store.Store) map[resWindow]map[string]clusterRollups {
	t.Helper()
	ctx := context.Background()
	out := map[resWindow]map[string]clusterRollups{}
	for _, r := range layout.Resolutions {
		err := st.List(ctx, layout.DerivedPrefix(layout.DerivedRollups, r), "", func(oi store.ObjectInfo) error {
			d, err := layout.ParseDerived(oi.Key)
			if err != nil {
				return fmt.Errorf("unexpected key under rollups/: %w", err)
			}
			b, info, err := st.Get(ctx, oi.Key)
			if err != nil {
				return err
			}
			rows, err := combined.ReadRows[combined.AllocationRow](b)
			if err != nil {
				return fmt.Errorf("%s: %w", oi.Key, err)
			}
			rw := resWindow{d.Resolution, d.Window}
			if out[rw] == nil {
				out[rw] = map[string]clusterRollups{}
			}
			out[rw][d.Cluster] = clusterRollups{info.Version, rows}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// fleetObjects lists the fleet objects by window; a key under fleet/ that does not parse is
// an error.
func fleetObjects(t testing.TB, st store.Store) map[resWindow]store.ObjectInfo {
	t.Helper()
	out := map[resWindow]store.ObjectInfo{}
	for _, r := range layout.Resolutions {
		err := st.List(context.Background(), layout.FleetPrefix(r), "", func(oi store.ObjectInfo) error {
			res, w, err := layout.ParseFleet(oi.Key)
			if err != nil {
				return err
			}
			out[resWindow{res, w}] = oi
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// readFleetParts reads the fleet object of a window and splits its rows by cluster.
func readFleetParts(t testing.TB, st store.Store, rw resWindow) (*combined.FleetIndex, map[string][]combined.AllocationRow) {
	t.Helper()
	b, _, err := st.Get(context.Background(), layout.FleetKey(rw.r, rw.w))
	if err != nil {
		t.Fatalf("fleet object of %s: %v", rw, err)
	}
	idx, rows, err := combined.ReadFleet(b)
	if err != nil {
		t.Fatalf("fleet object of %s: %v", rw, err)
	}
	parts := map[string][]combined.AllocationRow{}
	from := 0
	for _, cl := range idx.Clusters {
		parts[cl.ID] = rows[from : from+cl.Rows]
		from += cl.Rows
	}
	return idx, parts
}

// checkFleet asserts that the fleet objects agree with the per-cluster rollups objects as they
// are now: every window with rollups has a readable fleet object whose index lists exactly its
// clusters, in id order, with their current versions and row counts, and whose rows are the
// concatenation of their rows in that order; no fleet object exists for a window without
// rollups. It returns the number of windows checked.
func checkFleet(t testing.TB, st store.Store) int {
	t.Helper()
	want := currentRollups(t, st)
	have := fleetObjects(t, st)
	for rw := range have {
		if want[rw] == nil {
			t.Errorf("fleet object %s for window %s, which has no rollups", layout.FleetKey(rw.r, rw.w), rw)
		}
	}
	for rw, byCluster := range want {
		key := layout.FleetKey(rw.r, rw.w)
		if _, ok := have[rw]; !ok {
			t.Errorf("window %s: no fleet object %s", rw, key)
			continue
		}
		b, _, err := st.Get(context.Background(), key)
		if err != nil {
			t.Errorf("window %s: %v", rw, err)
			continue
		}
		idx, rows, err := combined.ReadFleet(b)
		if err != nil {
			t.Errorf("window %s: fleet object unreadable: %v", rw, err)
			continue
		}
		ids := make([]string, 0, len(byCluster))
		for id := range byCluster {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		var wantIdx []combined.FleetCluster
		var wantRows []combined.AllocationRow
		for _, id := range ids {
			cr := byCluster[id]
			first := 0
			for _, r := range cr.rows {
				if combined.FleetFirst(r.Dimension) {
					first++
				}
			}
			wantIdx = append(wantIdx, combined.FleetCluster{ID: id, Version: string(cr.version), Rows: len(cr.rows), First: first})
			wantRows = append(wantRows, combined.FleetOrder(cr.rows)...)
		}
		if idx.Format != combined.FleetFormat || !reflect.DeepEqual(idx.Clusters, wantIdx) {
			t.Errorf("window %s: fleet index %+v\nwant (current rollups) %+v", rw, idx, wantIdx)
			continue
		}
		if len(rows) != len(wantRows) {
			t.Errorf("window %s: fleet holds %d rows, the rollups %d", rw, len(rows), len(wantRows))
			continue
		}
		for i := range rows {
			if !reflect.DeepEqual(rows[i], wantRows[i]) {
				t.Errorf("window %s: fleet row %d = %+v\nwant %+v", rw, i, rows[i], wantRows[i])
				break
			}
		}
	}
	return len(want)
}

// countingStore counts the reads of fleet objects and of rollups objects.
type countingStore struct {
	store.Store
	mu                sync.Mutex
	fleetGets, rollup int
}

func (s *countingStore) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	s.mu.Lock()
	switch {
	case strings.HasPrefix(key, layout.CombinedPrefix+layout.FleetDir+"/"):
		s.fleetGets++
	case strings.HasPrefix(key, layout.CombinedPrefix+string(layout.DerivedRollups)+"/"):
		s.rollup++
	}
	s.mu.Unlock()
	return s.Store.Get(ctx, key)
}

func (s *countingStore) reset() (fleetGets, rollupGets int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fleetGets, rollupGets = s.fleetGets, s.rollup
	s.fleetGets, s.rollup = 0, 0
	return
}

// slowRollups delays every read of a rollups object.
type slowRollups struct {
	store.Store
	delay time.Duration
}

func (s *slowRollups) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	if strings.HasPrefix(key, layout.CombinedPrefix+string(layout.DerivedRollups)+"/") {
		time.Sleep(s.delay)
	}
	return s.Store.Get(ctx, key)
}

func newFilesystem(t testing.TB) store.Store {
	t.Helper()
	st, err := filesystem.New(context.Background(), filesystem.Config{Directory: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

var compactStores = []struct {
	name string
	open func(testing.TB) store.Store
}{
	{"memory", func(testing.TB) store.Store { return newMemory() }},
	{"filesystem", newFilesystem},
}

func compact(t testing.TB, c *Core, o CompactOptions) CompactReport {
	t.Helper()
	rep, err := c.Compact(context.Background(), o)
	if err != nil {
		t.Fatalf("compact: %v (report %+v)", err, rep)
	}
	return rep
}

func wantReport(t testing.TB, what string, got, want CompactReport) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: report %+v, want %+v", what, got, want)
	}
}

// 1 and 2: one fleet object per window with every cluster's rollups; a second pass with
// nothing changed writes and reads nothing.
func TestCompactBuildsOneFleetObjectPerWindow(t *testing.T) {
	for _, sc := range compactStores {
		t.Run(sc.name, func(t *testing.T) {
			st := sc.open(t)
			c := newCore(t, st)
			deriveFleet(t, c, st)
			if n := len(fleetObjects(t, st)); n != 0 {
				t.Fatalf("%d fleet objects before any compaction", n)
			}
			var calls [][2]int
			rep := compact(t, c, CompactOptions{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
			nw, nc := len(compactWindows), len(compactClusters)
			wantReport(t, "first pass", rep, CompactReport{Windows: nw, Written: nw, Read: nw * nc})
			if len(calls) != nw || calls[nw-1] != [2]int{nw, nw} {
				t.Errorf("progress calls %v", calls)
			}
			if got := checkFleet(t, st); got != nw {
				t.Fatalf("checked %d windows, want %d", got, nw)
			}
			for _, rw := range compactWindows {
				idx, parts := readFleetParts(t, st, rw)
				if len(idx.Clusters) != nc || len(parts) != nc {
					t.Fatalf("%s: index %+v", rw, idx)
				}
				for _, cl := range compactClusters {
					if len(parts[cl]) == 0 {
						t.Fatalf("%s: no rows for %s", rw, cl)
					}
					for _, r := range parts[cl] {
						if r.WindowStart != rw.w.Start.UnixMilli() || r.WindowEnd != rw.w.End.UnixMilli() {
							t.Fatalf("%s: row %s of window %d-%d", rw, r.Name, r.WindowStart, r.WindowEnd)
						}
					}
				}
			}
			before := fleetObjects(t, st)

			// Nothing changed: default Settle (everything is younger than 2 minutes, so the
			// versions decide) and a tiny Settle (the times decide).
			for _, settle := range []time.Duration{0, time.Nanosecond} {
				rep = compact(t, c, CompactOptions{Settle: settle})
				wantReport(t, fmt.Sprintf("unchanged pass (settle %v)", settle), rep, CompactReport{Windows: nw, UpToDate: nw})
			}
			if after := fleetObjects(t, st); !reflect.DeepEqual(after, before) {
				t.Fatalf("unchanged passes rewrote fleet objects:\n%v\n%v", before, after)
			}
			checkFleet(t, st)
		})
	}
}

// 3: a changed cluster is the only object read again; the others' rows are carried over.
func TestCompactRereadsOnlyChangedCluster(t *testing.T) {
	for _, sc := range compactStores {
		t.Run(sc.name, func(t *testing.T) {
			cs := &countingStore{Store: sc.open(t)}
			c := newCore(t, cs)
			deriveFleet(t, c, cs)
			// File modification times may be as coarse as a clock tick: the fleet objects must
			// be measurably newer than the rollups for the tiny Settle below to see it.
			time.Sleep(20 * time.Millisecond)
			compact(t, c, CompactOptions{})
			cs.reset()
			nw := len(compactWindows)

			for round, tc := range []struct {
				settle time.Duration
				// fleet objects the pass reads: with a tiny Settle only the changed window's
				// (the others are newer than all their rollups); with the default every
				// window's, since every object here is younger than 2 minutes.
				fleetGets int
			}{{time.Nanosecond, 1}, {0, nw}} {
				rw := compactWindows[round+1]
				oldIdx, oldParts := readFleetParts(t, cs, rw)
				cs.reset()
				// bravo's upload of the window changes (more containers, other numbers).
				deriveWindow(t, c, cs, "bravo", rw, 11, uint64(9000+round))
				cs.reset()
				rep := compact(t, c, CompactOptions{Settle: tc.settle})
				wantReport(t, fmt.Sprintf("round %d", round), rep, CompactReport{Windows: nw, UpToDate: nw - 1, Written: 1, Read: 1})
				if fleetGets, rollupGets := cs.reset(); fleetGets != tc.fleetGets || rollupGets != 1 {
					t.Errorf("round %d: pass read %d fleet objects and %d rollups objects, want %d and 1", round, fleetGets, rollupGets, tc.fleetGets)
				}
				checkFleet(t, cs)
				idx, parts := readFleetParts(t, cs, rw)
				cur := currentRollups(t, cs)[rw]
				for i, cl := range idx.Clusters {
					if cl.ID == "bravo" {
						if cl.Version == oldIdx.Clusters[i].Version || reflect.DeepEqual(parts[cl.ID], oldParts[cl.ID]) {
							t.Errorf("round %d: bravo's fleet part not replaced", round)
						}
						if !reflect.DeepEqual(parts[cl.ID], combined.FleetOrder(cur["bravo"].rows)) {
							t.Errorf("round %d: bravo's fleet part is not its new rollups", round)
						}
						continue
					}
					if cl != oldIdx.Clusters[i] || !reflect.DeepEqual(parts[cl.ID], oldParts[cl.ID]) {
						t.Errorf("round %d: %s's fleet part changed: %+v → %+v", round, cl.ID, oldIdx.Clusters[i], cl)
					}
				}
			}
		})
	}
}

// 4: a cluster appearing in a window is added, a cluster gone from a window is dropped, and
// the fleet object of a window without rollups is removed.
func TestCompactAddsClustersAndRemovesEmptyWindows(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	deriveFleet(t, c, st)
	compact(t, c, CompactOptions{})
	nw := len(compactWindows)

	// A new cluster, which sorts between existing ones, in one window.
	deriveWindow(t, c, st, "bravo2", hour1, 4, 77)
	rep := compact(t, c, CompactOptions{})
	wantReport(t, "new cluster", rep, CompactReport{Windows: nw, UpToDate: nw - 1, Written: 1, Read: 1})
	checkFleet(t, st)
	if idx, _ := readFleetParts(t, st, hour1); len(idx.Clusters) != 4 || idx.Clusters[2].ID != "bravo2" {
		t.Fatalf("index after a new cluster: %+v", idx)
	}

	// A cluster gone from a window: the other clusters' rows are kept without reading them.
	if err := st.Delete(ctx, layout.Derived{Kind: layout.DerivedRollups, Cluster: "alpha", Resolution: hour1.r, Window: hour1.w}.Key()); err != nil {
		t.Fatal(err)
	}
	rep = compact(t, c, CompactOptions{})
	wantReport(t, "cluster gone", rep, CompactReport{Windows: nw, UpToDate: nw - 1, Written: 1})
	checkFleet(t, st)

	// Every cluster gone from a window: its fleet object is removed.
	for _, cl := range compactClusters {
		if err := st.Delete(ctx, layout.Derived{Kind: layout.DerivedRollups, Cluster: cl, Resolution: dayPrev.r, Window: dayPrev.w}.Key()); err != nil {
			t.Fatal(err)
		}
	}
	rep = compact(t, c, CompactOptions{})
	wantReport(t, "window gone", rep, CompactReport{Windows: nw, UpToDate: nw - 1, Removed: 1})
	if _, err := st.Stat(ctx, layout.FleetKey(dayPrev.r, dayPrev.w)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("fleet object of an empty window: %v", err)
	}
	if got := checkFleet(t, st); got != nw-1 {
		t.Fatalf("checked %d windows, want %d", got, nw-1)
	}
	rep = compact(t, c, CompactOptions{})
	wantReport(t, "after removal", rep, CompactReport{Windows: nw - 1, UpToDate: nw - 1})
}

// A cluster whose rollups object holds no rows (an empty first upload) has an entry with
// zero rows.
func TestCompactEmptyRollups(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	deriveWindow(t, c, st, "alpha", hour0, 3, 1)
	ad := allocDoc("zulu", hour0.w, 0, 1, "i-zulu")
	put(t, st, ad.Upload().Key(), encode(t, ad))
	if res, err := c.Ingest(ctx, ad.Upload().Key()); err != nil || res.Outcome != Derived {
		t.Fatalf("ingest empty: %+v %v", res, err)
	}
	rep := compact(t, c, CompactOptions{})
	wantReport(t, "pass", rep, CompactReport{Windows: 1, Written: 1, Read: 2})
	checkFleet(t, st)
	idx, _ := readFleetParts(t, st, hour0)
	if len(idx.Clusters) != 2 || idx.Clusters[1].ID != "zulu" || idx.Clusters[1].Rows != 0 {
		t.Fatalf("index %+v", idx)
	}
	rep = compact(t, c, CompactOptions{})
	wantReport(t, "second pass", rep, CompactReport{Windows: 1, UpToDate: 1})
}

// 5: an unreadable fleet object is replaced.
func TestCompactRewritesCorruptFleetObject(t *testing.T) {
	st := newMemory()
	c := newCore(t, st)
	deriveFleet(t, c, st)
	nw, nc := len(compactWindows), len(compactClusters)

	// Garbage before the first pass, and garbage over a good object after it.
	put(t, st, layout.FleetKey(hour0.r, hour0.w), []byte("not parquet at all"))
	rep := compact(t, c, CompactOptions{})
	wantReport(t, "first pass", rep, CompactReport{Windows: nw, Written: nw, Read: nw * nc})
	checkFleet(t, st)

	for _, garbage := range [][]byte{[]byte("PAR1 garbage PAR1"), {}} {
		put(t, st, layout.FleetKey(dayToday.r, dayToday.w), garbage)
		rep = compact(t, c, CompactOptions{})
		wantReport(t, fmt.Sprintf("after %q", garbage), rep, CompactReport{Windows: nw, UpToDate: nw - 1, Written: 1, Read: nc})
		checkFleet(t, st)
	}

	// A well-formed Parquet file of rollups rows without the index is not a fleet object.
	b, _, err := st.Get(context.Background(), layout.Derived{Kind: layout.DerivedRollups, Cluster: "alpha", Resolution: hour1.r, Window: hour1.w}.Key())
	if err != nil {
		t.Fatal(err)
	}
	put(t, st, layout.FleetKey(hour1.r, hour1.w), b)
	rep = compact(t, c, CompactOptions{})
	wantReport(t, "index-less object", rep, CompactReport{Windows: nw, UpToDate: nw - 1, Written: 1, Read: nc})
	checkFleet(t, st)
}

// 6: concurrent passes end with correct fleet objects, each window written exactly once.
func TestCompactConcurrentPasses(t *testing.T) {
	st := newMemory()
	c := newCore(t, st)
	deriveFleet(t, c, st)
	nw := len(compactWindows)
	run := func(settle time.Duration) [2]CompactReport {
		var reps [2]CompactReport
		var errs [2]error
		var wg sync.WaitGroup
		for i := range reps {
			wg.Go(func() {
				reps[i], errs[i] = c.Compact(context.Background(), CompactOptions{Settle: settle, Concurrency: 1 + i})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("pass %d: %v", i, err)
			}
			if reps[i].Windows != nw || reps[i].Written+reps[i].UpToDate != nw || reps[i].Failed != 0 || reps[i].Removed != 0 {
				t.Fatalf("pass %d: report %+v", i, reps[i])
			}
		}
		return reps
	}
	reps := run(0)
	if w := reps[0].Written + reps[1].Written; w != nw {
		t.Errorf("first passes wrote %d fleet objects together, want %d (one per window): %+v", w, nw, reps)
	}
	checkFleet(t, st)
	for round := range 6 {
		rw := compactWindows[round%nw]
		deriveWindow(t, c, st, compactClusters[round%len(compactClusters)], rw, 2+round, uint64(5000+round))
		settle := time.Duration(0)
		if round%2 == 1 {
			settle = time.Nanosecond
		}
		reps := run(settle)
		if w := reps[0].Written + reps[1].Written; w != 1 {
			t.Errorf("round %d: passes wrote %d fleet objects together, want 1: %+v", round, w, reps)
		}
		checkFleet(t, st)
	}
}

// Compaction beside live derivations never fails; every fleet object it writes holds, for
// each cluster, exactly the rows of the rollups object version its index names (what makes
// readers exact); and a pass after them leaves the fleet objects consistent.
func TestCompactBesideDerivations(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	deriveFleet(t, c, st)
	compact(t, c, CompactOptions{})
	// history holds every version the rollups objects have had (memory store versions are
	// never reused), by cluster, window and version.
	type versionKey struct {
		cluster string
		rw      resWindow
		version string
	}
	history := map[versionKey][]combined.AllocationRow{}
	for rw, byCluster := range currentRollups(t, st) {
		for cl, cr := range byCluster {
			history[versionKey{cl, rw, string(cr.version)}] = combined.FleetOrder(cr.rows)
		}
	}
	record := func(cl string, rw resWindow) {
		b, info, err := st.Get(ctx, layout.Derived{Kind: layout.DerivedRollups, Cluster: cl, Resolution: rw.r, Window: rw.w}.Key())
		if err != nil {
			t.Fatal(err)
		}
		rows, err := combined.ReadRows[combined.AllocationRow](b)
		if err != nil {
			t.Fatal(err)
		}
		history[versionKey{cl, rw, string(info.Version)}] = combined.FleetOrder(rows)
	}
	// The compacting core reads rollups objects slowly, so that derivations land between its
	// listing and its reads.
	slow := newCore(t, &slowRollups{Store: st, delay: time.Millisecond})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var passErr error
	type fleetVersion struct {
		rw      resWindow
		version store.Version
	}
	seen := map[fleetVersion][]byte{} // every fleet object version seen after a pass
	passes := 0
	wg.Go(func() {
		for pass := 0; ; pass++ {
			select {
			case <-stop:
				return
			default:
			}
			settle := time.Nanosecond
			if pass%2 == 1 {
				settle = 0
			}
			if _, err := slow.Compact(ctx, CompactOptions{Settle: settle}); err != nil {
				passErr = err
				return
			}
			passes++
			for _, rw := range compactWindows {
				b, info, err := st.Get(ctx, layout.FleetKey(rw.r, rw.w))
				if err != nil {
					passErr = err
					return
				}
				seen[fleetVersion{rw, info.Version}] = b
			}
		}
	})
	for round := range 16 {
		// Two versions in a row, so that a pass may list the first and read the second.
		rw, cl := compactWindows[round%len(compactWindows)], compactClusters[round%len(compactClusters)]
		for v := range 2 {
			deriveWindow(t, c, st, cl, rw, 2+(round+v)%5, uint64(7000+2*round+v))
			record(cl, rw)
		}
	}
	close(stop)
	wg.Wait()
	if passErr != nil {
		t.Fatalf("compact beside derivations: %v", passErr)
	}
	t.Logf("%d passes beside the derivations wrote %d fleet object versions", passes, len(seen))
	for fv, b := range seen {
		rw := fv.rw
		idx, rows, err := combined.ReadFleet(b)
		if err != nil {
			t.Fatalf("%s, fleet version %s: %v", rw, fv.version, err)
		}
		if len(idx.Clusters) != len(compactClusters) {
			t.Errorf("%s, fleet version %s: index %+v", rw, fv.version, idx)
		}
		from := 0
		for _, cl := range idx.Clusters {
			want, ok := history[versionKey{cl.ID, rw, cl.Version}]
			if !ok {
				t.Errorf("%s, fleet version %s: %s version %s never existed", rw, fv.version, cl.ID, cl.Version)
			} else if !reflect.DeepEqual(rows[from:from+cl.Rows], want) {
				t.Errorf("%s, fleet version %s: %s rows are not those of version %s", rw, fv.version, cl.ID, cl.Version)
			}
			from += cl.Rows
		}
	}
	compact(t, c, CompactOptions{})
	checkFleet(t, st)
}

// 7: a reconcile pass over all clusters ends with a compaction; NoFleet or a cluster scope
// skip it.
func TestReconcileCompactsFleet(t *testing.T) {
	ctx := context.Background()
	nw, nc := len(compactWindows), len(compactClusters)
	putAll := func(st store.Store) {
		for i, cl := range compactClusters {
			for j, rw := range compactWindows {
				putWindow(t, st, cl, rw, 3+i+j, uint64(10*i+j+1))
			}
		}
	}
	for _, o := range []ReconcileOptions{{NoFleet: true}, {Cluster: "bravo"}} {
		st := newMemory()
		c := newCore(t, st)
		putAll(st)
		rep, err := c.Reconcile(ctx, o)
		if err != nil || rep.Derived == 0 {
			t.Fatalf("reconcile %+v: %+v %v", o, rep, err)
		}
		if n := len(fleetObjects(t, st)); n != 0 || !reflect.DeepEqual(rep.Fleet, CompactReport{}) {
			t.Fatalf("reconcile %+v wrote %d fleet objects, report %+v", o, n, rep.Fleet)
		}
	}

	st := newMemory()
	c := newCore(t, st)
	putAll(st)
	rep, err := c.Reconcile(ctx, ReconcileOptions{})
	if err != nil || rep.Derived != nw*nc {
		t.Fatalf("reconcile: %+v %v", rep, err)
	}
	wantReport(t, "reconcile", rep.Fleet, CompactReport{Windows: nw, Written: nw, Read: nw * nc})
	checkFleet(t, st)

	// A change the reconciler heals (its event was dropped) reaches the fleet object in the
	// same pass.
	putWindow(t, st, "charlie", hour0, 9, 4242)
	rep, err = c.Reconcile(ctx, ReconcileOptions{})
	if err != nil || rep.Derived != 1 {
		t.Fatalf("reconcile: %+v %v", rep, err)
	}
	wantReport(t, "healing reconcile", rep.Fleet, CompactReport{Windows: nw, UpToDate: nw - 1, Written: 1, Read: 1})
	checkFleet(t, st)

	// Since scopes the compaction as it scopes the reconcile.
	rep, err = c.Reconcile(ctx, ReconcileOptions{Since: hour0.w.End})
	if err != nil {
		t.Fatal(err)
	}
	wantReport(t, "reconcile since", rep.Fleet, CompactReport{Windows: 2, UpToDate: 2})
}

// 8: windows that ended at or before Since are left alone.
func TestCompactSince(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	deriveFleet(t, c, st)
	nc := len(compactClusters)
	since := hour0.w.End // hour0 ends at it, dayPrev before it; hour1 and dayToday after it
	rep := compact(t, c, CompactOptions{Since: since})
	wantReport(t, "since", rep, CompactReport{Windows: 2, Written: 2, Read: 2 * nc})
	have := fleetObjects(t, st)
	if len(have) != 2 {
		t.Fatalf("fleet objects %v", have)
	}
	for _, rw := range []resWindow{hour1, dayToday} {
		if _, ok := have[rw]; !ok {
			t.Fatalf("no fleet object for %s", rw)
		}
	}

	// Old windows stay as they are, even when their rollups are gone or their fleet object is
	// garbage.
	compact(t, c, CompactOptions{})
	checkFleet(t, st)
	for _, cl := range compactClusters {
		if err := st.Delete(ctx, layout.Derived{Kind: layout.DerivedRollups, Cluster: cl, Resolution: dayPrev.r, Window: dayPrev.w}.Key()); err != nil {
			t.Fatal(err)
		}
	}
	put(t, st, layout.FleetKey(hour0.r, hour0.w), []byte("garbage"))
	before := fleetObjects(t, st)
	rep = compact(t, c, CompactOptions{Since: since})
	wantReport(t, "since, old windows damaged", rep, CompactReport{Windows: 2, UpToDate: 2})
	if after := fleetObjects(t, st); !reflect.DeepEqual(after, before) {
		t.Fatalf("a pass with Since touched old windows:\n%v\n%v", before, after)
	}
	rep = compact(t, c, CompactOptions{})
	wantReport(t, "full pass", rep, CompactReport{Windows: 4, UpToDate: 2, Written: 1, Removed: 1, Read: nc})
	checkFleet(t, st)
}

// A rollups object rewritten during a long pass, in a window the pass rewrites after it
// (because another cluster changed), must not be carried over at the version the pass listed
// at its start: the fleet object would then look fresh to every later pass and stay stale
// (readers stay exact, but read that cluster's object themselves) until the window changed
// again. Compact lists a window again before rewriting it. The test plays it with Settle 50ms.
func TestCompactChangeDuringLongPass(t *testing.T) {
	st := newMemory()
	c := newCore(t, st)
	deriveFleet(t, c, st)
	compact(t, c, CompactOptions{})
	const settle = 50 * time.Millisecond
	time.Sleep(4 * settle)
	// bravo changes in hour1, so that the next pass rewrites hour1's fleet object.
	deriveWindow(t, c, st, "bravo", hour1, 6, 31)
	// Windows are compacted daily first, then hourly: hour1 is the last.
	rep := compact(t, c, CompactOptions{Settle: settle, Progress: func(done, total int) {
		if done == total-1 {
			// While the pass works on other windows, alpha changes in hour1.
			time.Sleep(4 * settle)
			deriveWindow(t, c, st, "alpha", hour1, 7, 32)
			time.Sleep(4 * settle)
		}
	}})
	t.Logf("pass during the change: %+v", rep)
	rep = compact(t, c, CompactOptions{Settle: settle})
	t.Logf("pass after the change: %+v", rep)
	checkFleet(t, st)
}

// TestCompactDeletesOlderFormats: objects under fleet/ outside the current format's folder
// are deleted (no reader of this build reads them); current ones are kept.
func TestCompactDeletesOlderFormats(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	deriveFleet(t, c, st)
	compact(t, c, CompactOptions{})
	old := []string{
		layout.CombinedPrefix + "fleet/resolution=1d/date=2026-11-20/1795132800-1795219200.parquet",
		layout.CombinedPrefix + "fleet/v1/resolution=1h/date=2026-11-20/1795132800-1795136400.parquet",
	}
	for _, k := range old {
		if _, err := st.Put(ctx, k, []byte("old format")); err != nil {
			t.Fatal(err)
		}
	}
	rep := compact(t, c, CompactOptions{})
	if rep.Removed != len(old) || rep.Written != 0 {
		t.Fatalf("report %+v, want %d removed and nothing written", rep, len(old))
	}
	for _, k := range old {
		if _, err := st.Stat(ctx, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s not deleted: %v", k, err)
		}
	}
	checkFleet(t, st)
}
