package cache

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/functions/query/api"
	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/filter"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/filesystem"
)

// Fleet size of BenchmarkFleet: flags (go test -bench Fleet ./functions/query/cache -args
// -bench-clusters 50) or FEDCOST_BENCH_* variables; the defaults are the target fleet
// (1,000 clusters, 100 containers each per day, 90 days daily + 48 hours hourly).
var (
	benchClusters   = flag.Int("bench-clusters", envInt("FEDCOST_BENCH_CLUSTERS", 1000), "clusters of the benchmark fleet [env FEDCOST_BENCH_CLUSTERS]")
	benchDays       = flag.Int("bench-days", envInt("FEDCOST_BENCH_DAYS", 90), "daily windows [env FEDCOST_BENCH_DAYS]")
	benchHours      = flag.Int("bench-hours", envInt("FEDCOST_BENCH_HOURS", 48), "hourly windows [env FEDCOST_BENCH_HOURS]")
	benchContainers = flag.Int("bench-containers", envInt("FEDCOST_BENCH_CONTAINERS", 100), "containers per cluster per day [env FEDCOST_BENCH_CONTAINERS]")
	benchRepeat     = flag.Int("bench-repeat", envInt("FEDCOST_BENCH_REPEAT", 20), "runs of each query [env FEDCOST_BENCH_REPEAT]")
)

// benchMemoryLimit and benchMemoBytes are fedcost query's defaults (--memory-limit, the Memo).
const (
	benchMemoryLimit = 800 << 20
	benchMemoBytes   = 128 << 20
)

// benchEnd is the benchmark fleet's "now" (fixed, so the built fleet can be reused).
var benchEnd = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// benchFormat changes when the stored fleet must be rebuilt (simulator or ingest format).
const benchFormat = 1

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchFleet returns a filesystem store holding the simulated, derived fleet, built once under
// $HOME/.cache/fedcost/benchfleet/<parameters>/ and reused by later runs. The build resumes: a
// run that stops during derivation (a timeout) leaves the simulated uploads, and the next run
// only derives what is missing (Reconcile skips derived windows).
func benchFleet(b *testing.B) store.Store {
	b.Helper()
	ctx := context.Background()
	home, err := os.UserHomeDir()
	if err != nil {
		b.Fatal(err)
	}
	name := fmt.Sprintf("c%d-d%d-h%d-n%d-s1-e%d-f%d", *benchClusters, *benchDays, *benchHours, *benchContainers, benchEnd.Unix(), benchFormat)
	dir := filepath.Join(home, ".cache", "fedcost", "benchfleet", name)
	simulated, done := filepath.Join(dir, "simulated"), filepath.Join(dir, "complete")
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	if !exists(done) && !exists(simulated) {
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "bucket"), 0o755); err != nil {
		b.Fatal(err)
	}
	st, err := filesystem.New(ctx, filesystem.Config{Directory: filepath.Join(dir, "bucket")})
	if err != nil {
		b.Fatal(err)
	}
	if exists(done) {
		compactFleet(b, st)
		return st
	}
	b.Logf("building fleet %s in %s (once; later runs reuse it)", name, dir)
	if !exists(simulated) {
		began := time.Now()
		sum, err := sim.Generate(ctx, st, sim.Options{Clusters: *benchClusters, Days: *benchDays, HourlyHours: *benchHours,
			ContainersPerDay: *benchContainers, Seed: 1, End: benchEnd})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("simulated %d files (%d MB) in %v", sum.Files, sum.Bytes>>20, time.Since(began).Round(time.Second))
		if err := os.WriteFile(simulated, nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	began := time.Now()
	core, err := ingest.New(ingest.Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	rep, err := core.Reconcile(ctx, ingest.ReconcileOptions{Concurrency: runtime.GOMAXPROCS(0)})
	if err != nil || rep.Failed > 0 {
		b.Fatalf("reconcile: %v %v", err, rep.Errors)
	}
	b.Logf("derived %d windows (%d already) in %v", rep.Derived, rep.UpToDate, time.Since(began).Round(time.Second))
	if err := os.WriteFile(done, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	compactFleet(b, st)
	return st
}

// compactFleet brings the fleet rollups objects up to date, as the scheduled reconcile does
// (a fleet built before they existed gets them once; later runs find them current).
func compactFleet(b *testing.B, st store.Store) {
	b.Helper()
	core, err := ingest.New(ingest.Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	rep, err := core.Compact(context.Background(), ingest.CompactOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("fleet compaction: %d windows, %d written, %d current, %d rollups read, in %v",
		rep.Windows, rep.Written, rep.UpToDate, rep.Read, time.Since(began).Round(time.Millisecond))
}

// benchQuery is one measured API query and how the naive scan answers it.
type benchQuery struct {
	name  string
	path  string
	opts  engine.Options
	start time.Time // window of the naive scan
	end   time.Time
}

func benchQueries(b *testing.B) []benchQuery {
	today := benchEnd.Truncate(24 * time.Hour)
	month := windowParam(today.AddDate(0, 0, -30), today)
	day := windowParam(today.AddDate(0, 0, -1), today)
	one := sim.ClusterID("", 0)
	node, match, err := filter.ParseAllocation(`cluster:"`+one+`"`, cost.DefaultLabelConfig())
	if err != nil {
		b.Fatal(err)
	}
	var qs []benchQuery
	for _, agg := range []string{"cluster", "namespace", "controller", "label:app"} {
		qs = append(qs, benchQuery{name: strings.ReplaceAll(agg, ":", "_") + "_30d",
			path: "/model/allocation?window=" + month + "&aggregate=" + url.QueryEscape(agg) + "&accumulate=true",
			opts: engine.Options{AggregateBy: []string{agg}, IncludeIdle: true}, start: today.AddDate(0, 0, -30), end: today})
	}
	qs = append(qs, benchQuery{name: "pod_1cluster_1d",
		path:  "/model/allocation?window=" + day + "&aggregate=pod&accumulate=true&filter=" + url.QueryEscape(`cluster:"`+one+`"`),
		opts:  engine.Options{AggregateBy: []string{cost.AggPod}, IncludeIdle: true, Filter: match, FilterNode: node},
		start: today.AddDate(0, 0, -1), end: today})
	return qs
}

// BenchmarkFleet: cold load, memory and query latency of the cache at fleet scale, against a
// naive scan of the uploads. Reports metrics; asserts no timings.
func BenchmarkFleet(b *testing.B) {
	st := benchFleet(b)
	ctx := context.Background()
	// As in the query pod: fedcost query --memory-limit (default 800MiB) unless GOMEMLIMIT is set.
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(benchMemoryLimit))
	}
	for range b.N {
		runtime.GC()
		debug.FreeOSMemory()
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM (Linux)
		c, err := New(st, Options{Now: func() time.Time { return benchEnd }})
		if err != nil {
			b.Fatal(err)
		}
		began := time.Now()
		if _, err := c.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
		load := time.Since(began)
		_, rows, bytes := c.snap.Load().stats()
		bytes += c.dict.size()
		b.ReportMetric(load.Seconds(), "load_s")
		b.ReportMetric(float64(rows), "resident_rows")
		b.ReportMetric(float64(bytes)/(1<<20), "resident_est_MiB")
		b.ReportMetric(heapMiB(), "heap_loaded_MiB")
		b.ReportMetric(procStatus("VmHWM")/1024, "rss_peak_load_MiB")

		// No request timeout: cold container-level queries of a large fleet take minutes here.
		h := api.New(c, api.Options{Now: func() time.Time { return benchEnd }, Timeout: time.Hour, MemoBytes: benchMemoBytes})
		qs := benchQueries(b)
		p50 := map[string]time.Duration{}
		for _, q := range qs {
			var lat []time.Duration
			for range *benchRepeat {
				t0 := time.Now()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", q.path, nil))
				lat = append(lat, time.Since(t0))
				if rec.Code != 200 {
					b.Fatalf("%s: %d %.300s", q.path, rec.Code, rec.Body.String())
				}
			}
			cold := lat[0]
			slices.Sort(lat)
			p50[q.name] = lat[len(lat)/2]
			b.ReportMetric(ms(cold), q.name+"_cold_ms")
			b.ReportMetric(ms(lat[len(lat)/2]), q.name+"_p50_ms")
			b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*95/100)]), q.name+"_p95_ms")
		}
		b.ReportMetric(heapMiB(), "heap_queried_MiB") // with the sets and lazily read rows kept
		hwm, rss := procStatus("VmHWM"), procStatus("VmRSS")
		b.ReportMetric(hwm/1024, "rss_peak_MiB")
		b.ReportMetric(rss/1024, "rss_MiB")
		b.Logf("load %v, %d resident rows (~%d MiB est.), RSS %.0f MiB (peak %.0f MiB)", load.Round(time.Millisecond), rows, bytes>>20, rss/1024, hwm/1024)

		runtime.KeepAlive(c) // the heap and RSS above include the cache

		// A second cold load, with the first cache dropped: the store's files are read through
		// whatever the page cache holds after the queries (the first load followed the
		// compaction check's listing of the rollups).
		c, h = nil, nil
		runtime.GC()
		c2, err := New(st, Options{Now: func() time.Time { return benchEnd }})
		if err != nil {
			b.Fatal(err)
		}
		began = time.Now()
		if _, err := c2.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(began).Seconds(), "load_again_s")
		b.Logf("second load (first cache dropped) %v", time.Since(began).Round(time.Millisecond))
		c2 = nil
		runtime.GC()
		if os.Getenv("FEDCOST_BENCH_NAIVE") == "0" {
			continue // a quicker run without the naive scan
		}
		naive := naiveScan(b, st, qs)
		for _, q := range qs {
			b.ReportMetric(naive[q.name].Seconds()/max(p50[q.name].Seconds(), 1e-9), q.name+"_naive_x")
			b.Logf("%-18s p50 %8.1f ms, naive scan %8.1f ms", q.name, ms(p50[q.name]), ms(naive[q.name]))
		}
	}
}

// heapMiB is the live heap after a collection.
func heapMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// procStatus reads a kB field of /proc/self/status (0 where there is none).
func procStatus(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return n
		}
	}
	return 0
}

// naiveScan answers each query from the uploads alone: every daily allocation and asset file
// of the query's window is decoded with shared/etl, idle is computed per node, and the engine
// aggregates each day. It returns the time per query: the decoding of its window plus its
// aggregation (one day is decoded at a time, so memory stays bounded).
func naiveScan(b *testing.B, st store.Store, qs []benchQuery) map[string]time.Duration {
	b.Helper()
	ctx := context.Background()
	clusters := sim.ClusterIDs(*benchClusters, "")
	first := qs[0].start
	for _, q := range qs {
		if q.start.Before(first) {
			first = q.start
		}
	}
	out := map[string]time.Duration{}
	for day := first; day.Before(benchEnd.Truncate(24 * time.Hour)); day = day.AddDate(0, 0, 1) {
		w := layout.Window{Start: day, End: day.AddDate(0, 0, 1)}
		t0 := time.Now()
		set := cost.NewAllocationSet(cost.NewWindow(w.Start, w.End))
		for _, cl := range clusters {
			var allocs *cost.AllocationSet
			var assets *cost.AssetSet
			for _, k := range []layout.Kind{layout.Allocations, layout.Assets} {
				u := layout.Upload{Cluster: cl, Kind: k, Resolution: layout.Daily, Window: w}
				data, _, err := st.Get(ctx, u.Key())
				if err != nil {
					continue
				}
				doc, err := etl.Decode(data, u, etl.Limits{})
				if err != nil {
					b.Fatalf("decode %s: %v", u.Key(), err)
				}
				if k == layout.Allocations {
					allocs = doc.AllocationSet()
				} else {
					assets = doc.AssetSet()
				}
			}
			if allocs == nil {
				continue
			}
			for name, a := range allocs.Allocations {
				set.Allocations[name] = a
			}
			if assets != nil {
				for _, idle := range cost.ComputeIdle(allocs, assets, true) {
					set.Allocations[idle.Name] = idle
				}
			}
		}
		decode := time.Since(t0)
		for _, q := range qs {
			if day.Before(q.start) || !day.Before(q.end) {
				continue
			}
			t1 := time.Now()
			o := q.opts
			if _, err := engine.Query(ctx, []*cost.AllocationSet{set}, &o, engine.Fold{Accumulate: engine.AccumulateAll}); err != nil {
				b.Fatal(err)
			}
			out[q.name] += decode + time.Since(t1)
		}
	}
	return out
}

// BenchmarkFleetLoad: the cold load alone (the fleet as BenchmarkFleet).
func BenchmarkFleetLoad(b *testing.B) {
	st := benchFleet(b)
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(benchMemoryLimit))
	}
	for range b.N {
		runtime.GC()
		debug.FreeOSMemory()
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM (Linux)
		c, err := New(st, Options{Now: func() time.Time { return benchEnd }})
		if err != nil {
			b.Fatal(err)
		}
		began := time.Now()
		if _, err := c.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(began).Seconds(), "load_s")
		b.ReportMetric(heapMiB(), "heap_loaded_MiB")
		b.ReportMetric(procStatus("VmHWM")/1024, "rss_peak_MiB")
		runtime.KeepAlive(c)
	}
}
