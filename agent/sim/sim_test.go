package sim_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/agent/source"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

var testEnd = time.Date(2026, 11, 20, 13, 25, 0, 0, time.UTC)

func generate(t *testing.T, opts sim.Options) (*memory.Store, sim.Summary) {
	t.Helper()
	st := memory.New(t.Name())
	sum, err := sim.Generate(context.Background(), st, opts)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return st, sum
}

func objects(t *testing.T, st store.Store) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := st.List(context.Background(), "", "", func(info store.ObjectInfo) error {
		data, _, err := st.Get(context.Background(), info.Key)
		out[info.Key] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	opts := sim.Options{Clusters: 3, Days: 2, HourlyHours: 5, Seed: 42, ContainersPerDay: 30, End: testEnd, IncludeOpen: true, Workers: 2}
	st1, sum1 := generate(t, opts)
	opts.Workers = 1
	st2, sum2 := generate(t, opts)
	a, b := objects(t, st1), objects(t, st2)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("runs wrote %d and %d objects", len(a), len(b))
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			t.Errorf("%s differs between runs with the same seed", k)
		}
	}
	if sum1.Bytes != sum2.Bytes || sum1.Total(layout.Daily) != sum2.Total(layout.Daily) || sum1.Total(layout.Hourly) != sum2.Total(layout.Hourly) {
		t.Errorf("summaries differ: %+v vs %+v", sum1, sum2)
	}

	opts.Seed = 43
	st3, _ := generate(t, opts)
	c := objects(t, st3)
	same := 0
	for k, v := range a {
		if bytes.Equal(v, c[k]) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d objects are identical with another seed", same)
	}
}

func TestGenerateOutputValidatesAndReconciles(t *testing.T) {
	t.Parallel()
	opts := sim.Options{Clusters: 4, Days: 3, HourlyHours: 30, Seed: 7, ContainersPerDay: 40, End: testEnd, IncludeOpen: true}
	st, sum := generate(t, opts)
	objs := objects(t, st)

	// 4 clusters × (4 daily + 31 hourly windows) × 2 kinds + 4 heartbeats.
	wantFiles := 4 * (4 + 31) * 2
	if sum.Files != wantFiles || sum.Heartbeats != 4 || len(objs) != wantFiles+4 {
		t.Fatalf("files %d heartbeats %d objects %d, want %d, 4, %d", sum.Files, sum.Heartbeats, len(objs), wantFiles, wantFiles+4)
	}
	got := map[string]map[layout.Resolution]*sim.Totals{}
	var churn, spot, pv, lb, gpuOrLabels int
	for key, data := range objs {
		p, err := layout.Parse(key)
		if err != nil {
			t.Fatalf("key %s: %v", key, err)
		}
		switch p.Class {
		case layout.HeartbeatClass:
			hb, err := etl.DecodeHeartbeat(data, p.Cluster)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if hb.Producer.InstallID == "" || hb.Producer.Source != sim.SourceName {
				t.Errorf("%s: heartbeat producer %+v", key, hb.Producer)
			}
			continue
		case layout.UploadClass:
		default:
			t.Fatalf("unexpected key %s (%s)", key, p.Class)
		}
		doc, err := etl.Decode(data, p.Upload, etl.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if got[p.Cluster] == nil {
			got[p.Cluster] = map[layout.Resolution]*sim.Totals{layout.Daily: {}, layout.Hourly: {}}
		}
		tot := got[p.Cluster][p.Upload.Resolution]
		if p.Upload.Kind == layout.Allocations {
			tot.Add(sim.TotalsOf(doc.AllocationSet(), nil))
			for _, a := range doc.Allocations {
				if a.Start.After(doc.Window.Start) || a.End.Before(doc.Window.End) {
					churn++
				}
				if len(a.PVs) > 0 {
					pv++
				}
				if len(a.LoadBalancers) > 0 {
					lb++
				}
				if a.Properties.Labels["team"] != "" && a.Properties.Annotations != nil {
					gpuOrLabels++
				}
			}
		} else {
			tot.Add(sim.TotalsOf(nil, doc.AssetSet()))
			for _, a := range doc.Assets {
				if a.Type == cost.NodeAssetType && a.Preemptible == 1 {
					spot++
				}
			}
		}
	}
	for _, c := range sum.Clusters {
		for _, r := range layout.Resolutions {
			want, have := c.Of(r), got[c.Cluster][r]
			if have == nil {
				t.Fatalf("%s: no %s uploads", c.Cluster, r)
			}
			if !close(want.AllocationCost, have.AllocationCost) || !close(want.AssetCost, have.AssetCost) ||
				want.Allocations != have.Allocations || want.Assets != have.Assets {
				t.Errorf("%s %s: summary %+v, uploads %+v", c.Cluster, r, want, *have)
			}
		}
	}
	if churn == 0 || pv == 0 || lb == 0 || gpuOrLabels == 0 {
		t.Errorf("fleet lacks realism: churn %d, pv %d, lb %d, labelled %d", churn, pv, lb, gpuOrLabels)
	}
	if spot == 0 {
		t.Logf("no spot nodes in this small fleet")
	}
	if d := sum.Total(layout.Daily); d.IdleCost <= 0 || d.IdleCost >= d.AssetCost {
		t.Errorf("idle cost %v of asset cost %v: want some, not all", d.IdleCost, d.AssetCost)
	}
}

func close(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// A daily window holds exactly its 24 hours, and the open window the part up to now.
func TestSourceWindowsAreConsistent(t *testing.T) {
	t.Parallel()
	day := layout.WindowFor(layout.Daily, testEnd.Add(-24*time.Hour))
	src := sim.NewSource(sim.Options{Seed: 9, ContainersPerDay: 60, Now: func() time.Time { return testEnd }})
	ctx := context.Background()
	da, ds, err := src.Build(ctx, "prod-eu", layout.Daily, day)
	if err != nil {
		t.Fatal(err)
	}
	var hours sim.Totals
	for h := day.Start; h.Before(day.End); h = h.Add(time.Hour) {
		a, s, err := src.Build(ctx, "prod-eu", layout.Hourly, layout.WindowFor(layout.Hourly, h))
		if err != nil {
			t.Fatal(err)
		}
		hours.Add(sim.TotalsOf(a, s))
	}
	daily := sim.TotalsOf(da, ds)
	if !close(daily.AllocationCost, hours.AllocationCost) || !close(daily.AssetCost, hours.AssetCost) || !close(daily.IdleCost, hours.IdleCost) {
		t.Errorf("daily %+v ≠ Σ hourly %+v", daily, hours)
	}

	open := layout.WindowFor(layout.Daily, testEnd)
	oa, _, err := src.Build(ctx, "prod-eu", layout.Daily, open)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range oa.Allocations {
		if a.End.After(testEnd) {
			t.Fatalf("%s ends at %s, after now %s", a.Name, a.End, testEnd)
		}
	}
	_, _, err = src.Build(ctx, "prod-eu", layout.Hourly, layout.WindowFor(layout.Hourly, testEnd.Add(time.Hour)))
	if !errors.Is(err, source.ErrNoData) {
		t.Errorf("future window: %v, want ErrNoData", err)
	}
	src.Earliest = day.End
	if _, _, err = src.Build(ctx, "prod-eu", layout.Daily, day); !errors.Is(err, source.ErrNoData) {
		t.Errorf("window before Earliest: %v, want ErrNoData", err)
	}
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]sim.Options{
		"no clusters": {Days: 1, End: testEnd},
		"no end":      {Clusters: 1, Days: 1},
		"bad prefix":  {Clusters: 1, End: testEnd, ClusterPrefix: "Bad_Prefix"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := sim.Generate(context.Background(), memory.New("x"), o); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestProgressReachesTotal(t *testing.T) {
	t.Parallel()
	var last, total, calls int
	opts := sim.Options{Clusters: 2, Days: 1, HourlyHours: 2, End: testEnd, ContainersPerDay: 10,
		Progress: func(d, tot int) { calls++; last, total = d, tot }}
	if _, err := sim.Generate(context.Background(), memory.New("p"), opts); err != nil {
		t.Fatal(err)
	}
	if last != total || total != 2*(3*2+1) || calls != total {
		t.Errorf("progress ended at %d/%d after %d calls", last, total, calls)
	}
}

func TestClusterIDsAreValid(t *testing.T) {
	t.Parallel()
	for _, id := range sim.ClusterIDs(3, "") {
		if err := layout.ValidateClusterID(id); err != nil || !strings.HasPrefix(id, "sim-") {
			t.Errorf("%s: %v", id, err)
		}
	}
}

func TestLiveKeepsOpenWindowsCurrent(t *testing.T) {
	t.Parallel()
	st := memory.New("live")
	now := testEnd
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	ticks := 0
	opts := sim.Options{Clusters: 2, Seed: 5, ContainersPerDay: 10, Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}}
	done := make(chan error, 1)
	go func() { done <- sim.Live(ctx, st, opts, time.Millisecond) }()
	// Wait for the open windows and heartbeats of both clusters, then stop.
	for {
		objs := objects(t, st)
		if len(objs) >= 2*(2*2)+2 {
			break
		}
		mu.Lock()
		ticks++
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Live returned %v, want context.Canceled", err)
	}
	for _, id := range sim.ClusterIDs(2, "") {
		for _, r := range layout.Resolutions {
			for _, k := range layout.Kinds {
				u := layout.Upload{Cluster: id, Kind: k, Resolution: r, Window: layout.WindowFor(r, testEnd)}
				data, _, err := st.Get(context.Background(), u.Key())
				if err != nil {
					t.Fatalf("%s: %v", u.Key(), err)
				}
				doc, err := etl.Decode(data, u, etl.Limits{})
				if err != nil || doc.Empty() || doc.Producer.Agent != sim.AgentName {
					t.Fatalf("%s: %v (empty %v)", u.Key(), err, doc == nil || doc.Empty())
				}
			}
		}
		if _, _, err := st.Get(context.Background(), layout.HeartbeatKey(id)); err != nil {
			t.Errorf("heartbeat of %s: %v", id, err)
		}
	}
}

func TestIdleTotalMatchesComputeIdle(t *testing.T) {
	t.Parallel()
	src := sim.NewSource(sim.Options{Seed: 11, ContainersPerDay: 80, Now: func() time.Time { return testEnd }})
	allocs, assets, err := src.Build(context.Background(), "idle-check", layout.Daily, layout.WindowFor(layout.Daily, testEnd.Add(-24*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for _, row := range cost.ComputeIdle(allocs, assets, true) {
		want += row.TotalCost()
	}
	if got := sim.TotalsOf(allocs, assets).IdleCost; !close(got, want) || got <= 0 {
		t.Errorf("idle %v, cost.ComputeIdle %v", got, want)
	}
}
