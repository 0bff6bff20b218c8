package cache

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// TestTotalsMatchSimulator checks, through the HTTP API, that per-cluster allocation, idle and
// asset totals equal what the simulator says it wrote, for daily and hourly data.
func TestTotalsMatchSimulator(t *testing.T) {
	t.Parallel()
	st, sum := fleet(t, sim.Options{Clusters: 3, Days: 3, HourlyHours: 5, Seed: 7})
	c, _ := loaded(t, st, Options{})
	get := apiClient(t, c)
	today := testEnd.Truncate(24 * time.Hour)
	hour := testEnd.Truncate(time.Hour)
	for _, tc := range []struct {
		name       string
		res        layout.Resolution
		start, end time.Time
	}{
		{"daily", layout.Daily, today.AddDate(0, 0, -3), today},
		{"hourly", layout.Hourly, hour.Add(-5 * time.Hour), hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := windowParam(tc.start, tc.end)
			byCluster := get("/model/allocation?window=" + w + "&aggregate=cluster&accumulate=true&idle=false")
			withIdle := get("/model/allocation?window=" + w + "&aggregate=cluster&accumulate=true&idle=true")
			assets := get("/model/assets?window=" + w + "&aggregate=cluster&accumulate=true")
			if len(byCluster) != 1 || len(withIdle) != 1 || len(assets) != 1 {
				t.Fatalf("want one accumulated set, got %d, %d, %d", len(byCluster), len(withIdle), len(assets))
			}
			var idleWant float64
			for _, cs := range sum.Clusters {
				want := cs.Of(tc.res)
				idleWant += want.IdleCost
				if got := byCluster[0][cs.Cluster]; !apiNear(got, want.AllocationCost) {
					t.Errorf("%s allocation cost %v, simulator %v", cs.Cluster, got, want.AllocationCost)
				}
				if got := assets[0][cs.Cluster]; !apiNear(got, want.AssetCost) {
					t.Errorf("%s asset cost %v, simulator %v", cs.Cluster, got, want.AssetCost)
				}
			}
			if got := withIdle[0][cost.IdleSuffix]; !apiNear(got, idleWant) {
				t.Errorf("idle %v, simulator %v", got, idleWant)
			}
		})
	}
}

// TestViewsAgree runs the engine over rollup-served and container-served sets of the same
// windows: the answers must be equal (the engine.Rollup contract).
func TestViewsAgree(t *testing.T) {
	t.Parallel()
	st, _ := fleet(t, sim.Options{Clusters: 3, Days: 2, HourlyHours: 3, Seed: 3})
	c, _ := loaded(t, st, Options{})
	ctx := context.Background()
	today := testEnd.Truncate(24 * time.Hour)
	hour := testEnd.Truncate(time.Hour)
	windows := map[source.Resolution]cost.Window{
		source.Daily:  cost.NewWindow(today.AddDate(0, 0, -2), today),
		source.Hourly: cost.NewWindow(hour.Add(-3*time.Hour), hour),
	}
	for _, tc := range []struct {
		name string
		opts engine.Options
		dim  string // the view the cache must choose
	}{
		// Nothing needs the cluster: namespace rollups merged across clusters.
		{"namespace", engine.Options{AggregateBy: []string{cost.AggNamespace}, IncludeIdle: true}, dimFleetNamespace},
		{"namespace without idle", engine.Options{AggregateBy: []string{cost.AggNamespace}}, dimFleetNamespace},
		{"all", engine.Options{AggregateBy: []string{engine.AggregateAll}, IncludeIdle: true}, dimFleetNamespace},
		{"namespace shared namespace", engine.Options{AggregateBy: []string{cost.AggNamespace}, IncludeIdle: true, ShareNamespaces: []string{"kube-system"}}, dimFleetNamespace},
		{"namespace shared overhead evenly", engine.Options{AggregateBy: []string{cost.AggNamespace}, IncludeIdle: true, SharedHourlyCost: 3, ShareSplit: engine.ShareEven}, dimFleetNamespace},
		{"namespace shared overhead", engine.Options{AggregateBy: []string{cost.AggNamespace}, SharedHourlyCost: 3}, dimFleetNamespace},
		{"namespace by cluster idle", engine.Options{AggregateBy: []string{cost.AggNamespace}, IncludeIdle: true, SplitIdle: true}, "namespace"},
		{"namespace shared idle", engine.Options{AggregateBy: []string{cost.AggNamespace}, IncludeIdle: true, ShareIdle: true}, "namespace"},
		{"cluster", engine.Options{AggregateBy: []string{cost.AggCluster}, IncludeIdle: true, SplitIdle: true}, "namespace"},
		{"controller", engine.Options{AggregateBy: []string{cost.AggController}, IncludeIdle: true}, "controller"},
		{"namespace,controllerKind", engine.Options{AggregateBy: []string{cost.AggNamespace, cost.AggControllerKind}, IncludeIdle: true, ShareIdle: true}, "controller"},
		{"node by node idle", engine.Options{AggregateBy: []string{cost.AggNode}, IncludeIdle: true, IdleByNode: true, ShareIdle: true}, "node"},
		// Shared overhead is split by cost without unmounted volumes: the node rollup of
		// unmounted volumes must stay recognizable.
		{"node shared overhead", engine.Options{AggregateBy: []string{cost.AggNode}, IncludeIdle: true, SharedHourlyCost: 2}, "node"},
		{"cluster shared overhead", engine.Options{AggregateBy: []string{cost.AggCluster}, SharedHourlyCost: 2}, "namespace"},
		{"label app", engine.Options{AggregateBy: []string{"label:app"}, IncludeIdle: true}, ""},
		{"pod", engine.Options{AggregateBy: []string{cost.AggPod}, IncludeIdle: true}, ""},
	} {
		for res, win := range windows {
			t.Run(tc.name+" "+res.String(), func(t *testing.T) {
				needs := tc.opts.Needs()
				if got := viewFor(needs).dim; got != tc.dim {
					t.Fatalf("view for %s: %q, want %q", needs, got, tc.dim)
				}
				answer := func(needs engine.Fields) map[string]float64 {
					sets, err := c.AllocationSets(ctx, source.AllocationQuery{Window: win, Resolution: res, Needs: needs})
					if err != nil {
						t.Fatal(err)
					}
					if len(sets) == 0 {
						t.Fatal("no sets")
					}
					o := tc.opts
					res, err := engine.Query(ctx, sets, &o, engine.Fold{Accumulate: engine.AccumulateAll})
					if err != nil {
						t.Fatal(err)
					}
					out := map[string]float64{}
					for _, s := range res {
						for name, a := range s.Allocations {
							out[name] += a.TotalCost()
						}
					}
					return out
				}
				got, want := answer(needs), answer(engine.AllFields)
				if len(got) != len(want) || len(want) < 2 {
					t.Fatalf("%d keys from %s rows, %d from container rows", len(got), needs, len(want))
				}
				for k, v := range want {
					if !near(got[k], v) {
						t.Errorf("%s: %v from %s rows, %v from container rows", k, got[k], needs, v)
					}
				}
			})
		}
	}
}

// TestSetsAreStable: the same query gets the same set objects (so engine.Memo hits), and the
// sets of a window change identity only when its data changes.
func TestSetsAreStable(t *testing.T) {
	t.Parallel()
	st, _ := fleet(t, sim.Options{Clusters: 2, Days: 2, HourlyHours: -1, Seed: 5})
	c, _ := loaded(t, st, Options{})
	ctx := context.Background()
	today := testEnd.Truncate(24 * time.Hour)
	q := source.AllocationQuery{Window: cost.NewWindow(today.AddDate(0, 0, -2), today), Resolution: source.Daily,
		Needs: engine.FieldCluster | engine.FieldNamespace}
	a, err := c.AllocationSets(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := c.AllocationSets(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 2 || len(b) != 2 || a[0] != b[0] || a[1] != b[1] {
		t.Fatalf("sets changed identity without a data change: %p %p", a, b)
	}
}

// TestViewsAgreeThroughAPI: a namespace query (served from namespace rollups) and a
// namespace,pod query (served from container rows) add up to the same namespace totals.
func TestViewsAgreeThroughAPI(t *testing.T) {
	t.Parallel()
	st, _ := fleet(t, sim.Options{Clusters: 2, Days: 2, HourlyHours: 2, Seed: 12})
	c, _ := loaded(t, st, Options{})
	get := apiClient(t, c)
	today := testEnd.Truncate(24 * time.Hour)
	w := windowParam(today.AddDate(0, 0, -2), today)
	byNS := get("/model/allocation?window=" + w + "&aggregate=namespace&accumulate=true")[0]
	byPod := get("/model/allocation?window=" + w + "&aggregate=namespace,pod&accumulate=true")[0]
	sums := map[string]float64{}
	for k, v := range byPod {
		ns, _, _ := strings.Cut(k, "/")
		sums[ns] += v
	}
	if len(byNS) < 3 || len(sums) != len(byNS) {
		t.Fatalf("namespaces %v, from pods %v", byNS, sums)
	}
	for ns, v := range byNS {
		if math.Abs(sums[ns]-v) > 1e-5*float64(len(byPod)) {
			t.Errorf("%s: %v from namespace rollups, %v from container rows", ns, v, sums[ns])
		}
	}
}
