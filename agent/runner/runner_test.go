package runner_test

import (
	"context"
	"math"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/heartbeat"
	"github.com/fedcost/fedcost/agent/internal/flaky"
	"github.com/fedcost/fedcost/agent/runner"
	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/agent/spool"
	"github.com/fedcost/fedcost/agent/uploader"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

const cluster = "prod-eu"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type env struct {
	t     *testing.T
	clk   *clock
	st    *flaky.Store
	src   *sim.Source
	dir   string
	bf    map[layout.Resolution]time.Duration
	hb    bool
	r     *runner.Runner
	up    *uploader.Uploader
	spool *spool.Spool
}

func newEnv(t *testing.T, start time.Time, bf map[layout.Resolution]time.Duration) *env {
	t.Helper()
	clk := &clock{t: start}
	e := &env{t: t, clk: clk, st: flaky.New(memory.New(t.Name()), clk.Now), dir: t.TempDir(), bf: bf,
		src: sim.NewSource(sim.Options{Seed: 3, ContainersPerDay: 6, Now: clk.Now})}
	e.restart()
	return e
}

// restart starts a new agent process on the same spool directory and bucket.
func (e *env) restart() {
	e.t.Helper()
	sp, err := spool.Open(e.dir, spool.Limits{}, e.clk.Now)
	if err != nil {
		e.t.Fatal(err)
	}
	up, err := uploader.New(uploader.Config{Store: e.st, Spool: sp, Now: e.clk.Now,
		Retry: store.RetryPolicy{MaxAttempts: 2, Sleep: func(context.Context, time.Duration) error { return nil }}})
	if err != nil {
		e.t.Fatal(err)
	}
	p := etl.Producer{Agent: "fedcost-agent", Version: "test", InstallID: "install-1", Source: e.src.Name()}
	cfg := runner.Config{Cluster: cluster, Source: e.src, Uploader: up, Store: e.st, Backfill: e.bf, Producer: p, Now: e.clk.Now}
	if e.hb {
		cfg.Heartbeat = &heartbeat.Writer{Store: e.st, Cluster: cluster, Producer: p, StartedAt: e.clk.Now(),
			Interval: 5 * time.Minute, Config: map[string]string{"source": "simulator"}, Now: e.clk.Now}
	}
	r, err := runner.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.r, e.up, e.spool = r, up, sp
}

func (e *env) tick() {
	e.t.Helper()
	if err := e.r.Tick(context.Background()); err != nil {
		e.t.Fatalf("tick at %s: %v", e.clk.Now(), err)
	}
}

func hourKeys(start time.Time, n int) []string {
	var out []string
	for i := range n {
		w := layout.WindowFor(layout.Hourly, start.Add(time.Duration(i)*time.Hour))
		for _, k := range layout.Kinds {
			out = append(out, layout.Upload{Cluster: cluster, Kind: k, Resolution: layout.Hourly, Window: w}.Key())
		}
	}
	return out
}

func noBackfill() map[layout.Resolution]time.Duration {
	return map[layout.Resolution]time.Duration{layout.Hourly: -1, layout.Daily: -1}
}

// checkComplete decodes the upload of key and compares it with the source's full window.
func (e *env) checkComplete(key string) {
	e.t.Helper()
	p, err := layout.Parse(key)
	if err != nil {
		e.t.Fatal(err)
	}
	data, _, err := e.st.Get(context.Background(), key)
	if err != nil {
		e.t.Fatalf("%s: %v", key, err)
	}
	doc, err := etl.Decode(data, p.Upload, etl.Limits{})
	if err != nil {
		e.t.Fatalf("%s: %v", key, err)
	}
	allocs, assets, err := e.src.Build(context.Background(), cluster, p.Upload.Resolution, p.Upload.Window)
	if err != nil {
		e.t.Fatal(err)
	}
	var got, want sim.Totals
	if p.Upload.Kind == layout.Allocations {
		got, want = sim.TotalsOf(doc.AllocationSet(), nil), sim.TotalsOf(allocs, nil)
	} else {
		got, want = sim.TotalsOf(nil, doc.AssetSet()), sim.TotalsOf(nil, assets)
	}
	if got.Allocations != want.Allocations || got.Assets != want.Assets ||
		math.Abs(got.AllocationCost+got.AssetCost-want.AllocationCost-want.AssetCost) > 1e-9 {
		e.t.Errorf("%s is not the complete window: got %+v, want %+v", key, got, want)
	}
}

// The bucket is down for ten hours, with an agent restart in the middle; when it comes back
// every window arrives, oldest first, once, complete.
func TestOutageSpoolsAndDrainsOldestFirst(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 20, 6, 2, 0, 0, time.UTC)
	e := newEnv(t, start, map[layout.Resolution]time.Duration{layout.Hourly: 6 * time.Hour, layout.Daily: -1})
	e.tick()
	e.st.SetDown(true)
	for i := 1; i <= 120; i++ { // 10 hours of 5-minute ticks
		e.clk.Add(5 * time.Minute)
		if i == 60 { // 11:02: the agent restarts while the bucket is still down
			e.restart()
		}
		e.tick()
	}
	pending, err := e.up.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) == 0 {
		t.Fatal("nothing was spooled during the outage")
	}
	var spooled []string
	for _, p := range pending {
		spooled = append(spooled, p.Key)
	}
	e.st.Puts()

	e.st.SetDown(false)
	e.clk.Add(5 * time.Minute) // 16:07
	e.tick()
	puts := e.st.Puts()
	drained := puts[:len(spooled)]
	if !slices.Equal(drained, spooled) {
		t.Fatalf("first uploads after recovery = %v, want the spool %v", drained, spooled)
	}
	if !sort.SliceIsSorted(drained, func(i, j int) bool { return start0(t, drained[i]).Before(start0(t, drained[j])) }) {
		t.Errorf("spool not drained oldest window first: %v", drained)
	}
	seen := map[string]bool{}
	for _, k := range drained {
		if seen[k] {
			t.Errorf("%s drained twice", k)
		}
		seen[k] = true
	}
	if files, _, _ := e.spool.Stats(); files != 0 {
		t.Errorf("%d files still spooled", files)
	}
	// Every hour from midnight to 15:00 is there and complete, including 10:00, whose last
	// spooled build (10:57) was partial when the agent restarted.
	for _, k := range hourKeys(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), 16) {
		e.checkComplete(k)
	}
	if e.up.Status().LastSuccess != e.clk.Now() {
		t.Errorf("last success %s, want %s", e.up.Status().LastSuccess, e.clk.Now())
	}
}

func start0(t *testing.T, key string) time.Time {
	p, err := layout.Parse(key)
	if err != nil {
		t.Fatal(err)
	}
	return p.Upload.Window.Start
}

func TestClosingWindowIsUploadedOnceMore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, time.Date(2026, 11, 20, 10, 55, 0, 0, time.UTC), noBackfill())
	e.tick()
	first := e.st.Puts()
	if want := hourKeys(e.clk.Now(), 1); !containsAll(first, want) {
		t.Fatalf("open-window uploads %v lack %v", first, want)
	}
	e.clk.Set(time.Date(2026, 11, 20, 11, 0, 30, 0, time.UTC))
	e.tick()
	second := e.st.Puts()
	closing := hourKeys(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), 1)
	open := hourKeys(e.clk.Now(), 1)
	if !containsAll(second, append(closing, open...)) {
		t.Fatalf("uploads after the boundary %v lack the closing %v or the open %v", second, closing, open)
	}
	if slices.Index(second, closing[0]) > slices.Index(second, open[0]) {
		t.Errorf("the closing window was uploaded after the open one: %v", second)
	}
	for _, k := range closing {
		e.checkComplete(k)
	}
	e.clk.Add(5 * time.Minute)
	e.tick()
	if third := e.st.Puts(); containsAny(third, closing) {
		t.Errorf("the closed window was uploaded a third time: %v", third)
	}
}

func TestBackfillSkipsWhatExistsAndRebuildsPartialWindows(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 20, 6, 2, 0, 0, time.UTC)
	bf := map[layout.Resolution]time.Duration{layout.Hourly: 6 * time.Hour, layout.Daily: 3 * 24 * time.Hour}
	e := newEnv(t, start, bf)
	e.src.Earliest = time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) // "retention": nothing before 02:00
	e.tick()
	puts := e.st.Puts()
	wantHours := hourKeys(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), 5) // 02:00 … 06:00 (open)
	if !containsAll(puts, wantHours) {
		t.Errorf("first start uploaded %v, want at least %v", puts, wantHours)
	}
	if old := hourKeys(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), 2); containsAny(puts, old) {
		t.Errorf("windows without data were uploaded: %v", old)
	}
	if daily := countRes(puts, layout.Daily); daily != 2 { // only the open day: earlier days end before 02:00
		t.Errorf("%d daily uploads, want 2 (open day only): %v", daily, puts)
	}

	// A restart five minutes later uploads only the open windows.
	e.clk.Add(5 * time.Minute)
	e.restart()
	e.tick()
	want := append(hourKeys(e.clk.Now(), 1), dayKeys(e.clk.Now())...)
	if got := e.st.Puts(); !sameSet(got, want) {
		t.Errorf("restart uploaded %v, want only the open windows %v", got, want)
	}

	// A restart after the hour: 06:00 was last written while open, so it is rebuilt.
	e.clk.Set(time.Date(2026, 11, 20, 7, 3, 0, 0, time.UTC))
	e.restart()
	e.tick()
	want = append(hourKeys(time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC), 2), dayKeys(e.clk.Now())...)
	if got := e.st.Puts(); !sameSet(got, want) {
		t.Errorf("restart after the hour uploaded %v, want %v", got, want)
	}
	e.checkComplete(hourKeys(time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC), 1)[0])
}

func TestHeartbeatIsWrittenEveryTick(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 20, 6, 2, 0, 0, time.UTC)
	e := newEnv(t, start, noBackfill())
	e.hb = true
	e.restart()
	for range 2 {
		e.tick()
		if err := e.r.WriteHeartbeat(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(5 * time.Minute)
	}
	data, _, err := e.st.Get(context.Background(), layout.HeartbeatKey(cluster))
	if err != nil {
		t.Fatal(err)
	}
	hb, err := etl.DecodeHeartbeat(data, cluster)
	if err != nil {
		t.Fatal(err)
	}
	if hb.Producer.InstallID != "install-1" || hb.Producer.Agent != "fedcost-agent" || hb.IntervalSeconds != 300 {
		t.Errorf("heartbeat producer %+v interval %d", hb.Producer, hb.IntervalSeconds)
	}
	if !hb.Time.Equal(start.Add(5*time.Minute)) || !hb.StartedAt.Equal(start) || !hb.LastUpload.Equal(start.Add(5*time.Minute)) {
		t.Errorf("heartbeat times: time %s started %s last upload %s", hb.Time, hb.StartedAt, hb.LastUpload)
	}
	for _, k := range []string{"allocations/1h", "assets/1h", "allocations/1d", "assets/1d"} {
		if hb.LastBuild[k].IsZero() {
			t.Errorf("no last build for %s: %v", k, hb.LastBuild)
		}
	}
	if hb.Config["source"] != "simulator" {
		t.Errorf("config %v", hb.Config)
	}
}

func dayKeys(t time.Time) []string {
	w := layout.WindowFor(layout.Daily, t)
	return []string{layout.Upload{Cluster: cluster, Kind: layout.Allocations, Resolution: layout.Daily, Window: w}.Key(),
		layout.Upload{Cluster: cluster, Kind: layout.Assets, Resolution: layout.Daily, Window: w}.Key()}
}

func countRes(keys []string, r layout.Resolution) int {
	n := 0
	for _, k := range keys {
		if p, err := layout.Parse(k); err == nil && p.Upload.Resolution == r {
			n++
		}
	}
	return n
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func containsAny(have, any []string) bool {
	for _, w := range any {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), b) && len(a) == len(b)
}
