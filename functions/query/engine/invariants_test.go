package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/internal/fleettest"
	"github.com/fedcost/fedcost/shared/cost"
)

var aggregations = [][]string{
	nil, {"all"}, {"cluster"}, {"node"}, {"namespace"}, {"controllerKind"}, {"controller"},
	{"deployment"}, {"statefulset"}, {"service"}, {"pod"}, {"container"}, {"providerID"},
	{"label:app"}, {"annotation:owner"}, {"team"}, {"owner"}, {"environment"}, {"cluster", "namespace"},
	{"namespace", "label:team"},
}

func TestAggregationConservesTotal(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	want := inputTotal(f.Allocations)
	for _, agg := range aggregations {
		for _, shareIdle := range []bool{false, true} {
			for _, byNode := range []bool{false, true} {
				name := fmt.Sprintf("%v/shareIdle=%v/idleByNode=%v", agg, shareIdle, byNode)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					o := &Options{AggregateBy: agg, IncludeIdle: true, ShareIdle: shareIdle, IdleByNode: byNode}
					got := aggregateAll(t, f.Allocations, o)
					near(t, "total", total(got), want)
					if shareIdle {
						for _, s := range got {
							if _, ok := s.Allocations[cost.IdleSuffix]; ok && s.Allocations[cost.IdleSuffix].CPUCost != 0 {
								t.Errorf("shared idle left CPU idle %v", s.Allocations[cost.IdleSuffix].CPUCost)
							}
						}
					}
				})
			}
		}
	}
}

func TestIdlePlusAllocatedIsNodeCost(t *testing.T) {
	t.Parallel()
	f := fleettest.Generate(fleettest.Config{Clusters: 4, NodesPerCluster: 3, Namespaces: 5, PodsPerNamespace: 3,
		ContainersPerPod: 1, Start: day0, Windows: 3, Resolution: 24 * time.Hour, Seed: 7})
	want := f.NodeCost()
	for _, o := range []Options{
		{AggregateBy: []string{"cluster"}, IncludeIdle: true},
		{AggregateBy: []string{"namespace"}, IncludeIdle: true, SplitIdle: true},
		{AggregateBy: []string{"namespace"}, IncludeIdle: true, ShareIdle: true},
		{AggregateBy: []string{"node"}, IncludeIdle: true, ShareIdle: true, IdleByNode: true},
		{AggregateBy: []string{"all"}, IncludeIdle: true},
	} {
		t.Run(fmt.Sprintf("%v/share=%v/split=%v", o.AggregateBy, o.ShareIdle, o.SplitIdle), func(t *testing.T) {
			t.Parallel()
			got := aggregateAll(t, f.Allocations, &o)
			near(t, "cpu+gpu+ram cost", resourceTotal(got), want)
		})
	}
}

func TestFilterPlusComplementIsTotal(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	want := inputTotal(f.Allocations)
	filters := []string{
		`namespace:"web"`,
		`cluster:"cluster-001"+namespace!:"kube-system"`,
		`label[team]:"data"|controllerKind:"job"`,
		`node:"node-0"`,
		`namespace:"__unallocated__"`,
	}
	for _, fs := range filters {
		for _, byNode := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/idleByNode=%v", fs, byNode), func(t *testing.T) {
				t.Parallel()
				n, m := mustFilter(t, fs)
				in := &Options{AggregateBy: []string{"namespace"}, IncludeIdle: true, IdleByNode: byNode, Filter: m, FilterNode: n}
				out := &Options{AggregateBy: []string{"namespace"}, IncludeIdle: true, IdleByNode: byNode,
					Filter: func(a *cost.Allocation) bool { return !m(a) }}
				a, b := aggregateAll(t, f.Allocations, in), aggregateAll(t, f.Allocations, out)
				near(t, "filtered + complement", total(a)+total(b), want)
				for _, s := range a {
					for name, al := range s.Allocations {
						if name != cost.IdleSuffix && al.Properties.Namespace != "" && !m(al) {
							t.Errorf("%s does not pass the filter", name)
						}
					}
				}
			})
		}
	}
}

func TestSharingConservesTotal(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	base := inputTotal(f.Allocations)
	var hours float64
	for _, s := range f.Allocations {
		hours += s.Window.Hours()
	}
	cases := []struct {
		name  string
		o     Options
		extra float64
	}{
		{"namespaces weighted", Options{ShareNamespaces: []string{"kube-system", "monitoring"}}, 0},
		{"namespaces even", Options{ShareNamespaces: []string{"kube-system"}, ShareSplit: ShareEven}, 0},
		{"labels", Options{ShareLabels: []LabelValue{{"team", "platform"}}}, 0},
		{"namespaces with shared idle", Options{ShareNamespaces: []string{"kube-system"}, ShareIdle: true}, 0},
		{"overhead", Options{SharedHourlyCost: 100.0 / cost.HoursPerMonth}, 100.0 / cost.HoursPerMonth * hours},
		{"overhead even by cluster", Options{SharedHourlyCost: 1, ShareSplit: ShareEven}, hours},
	}
	for _, c := range cases {
		for _, agg := range [][]string{{"namespace"}, {"cluster"}, {"all"}, {"label:app"}} {
			t.Run(c.name+fmt.Sprint(agg), func(t *testing.T) {
				t.Parallel()
				o := c.o
				o.AggregateBy, o.IncludeIdle = agg, true
				got := aggregateAll(t, f.Allocations, &o)
				near(t, "total", total(got), base+c.extra)
				for _, s := range got {
					for name, a := range s.Allocations {
						if a.Properties != nil && o.isShared(a) && len(o.ShareNamespaces) > 0 && agg[0] == "namespace" {
							t.Errorf("shared namespace %s still present", name)
						}
					}
				}
			})
		}
	}
}

func TestStepDaySetsSumToWindowTotal(t *testing.T) {
	t.Parallel()
	cfg := fleettest.Small(day0)
	cfg.Resolution, cfg.Windows = time.Hour, 7*24
	f := fleettest.Generate(cfg)
	o := &Options{AggregateBy: []string{"namespace"}, IncludeIdle: true}
	all := AccumulateSets(aggregateAll(t, f.Allocations, o), AccumulateAll)
	if len(all) != 1 {
		t.Fatalf("accumulate all gave %d sets", len(all))
	}
	stepped := StepSets(aggregateAll(t, f.Allocations, o), day0, 24*time.Hour)
	if len(stepped) != 7 {
		t.Fatalf("step=1d over 7 days gave %d sets, want 7", len(stepped))
	}
	for i, s := range stepped {
		if !s.Window.Start.Equal(day0.AddDate(0, 0, i)) || s.Window.Duration() != 24*time.Hour {
			t.Errorf("set %d window %s", i, s.Window)
		}
	}
	near(t, "Σ step sets", total(stepped), all[0].TotalCost())
	near(t, "Σ step sets vs input", total(stepped), inputTotal(f.Allocations))
	days := AccumulateSets(aggregateAll(t, f.Allocations, o), AccumulateDay)
	if len(days) != 7 {
		t.Errorf("accumulate=day gave %d sets", len(days))
	}
}

func TestRollupGivesSameResult(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	queries := []Options{
		{AggregateBy: []string{"namespace"}, IncludeIdle: true},
		{AggregateBy: []string{"namespace"}, IncludeIdle: true, ShareIdle: true},
		{AggregateBy: []string{"cluster", "namespace"}, IncludeIdle: true, SplitIdle: true},
		{AggregateBy: []string{"controller"}, IncludeIdle: true, ShareNamespaces: []string{"kube-system"}},
		{AggregateBy: []string{"node"}, IncludeIdle: true, IdleByNode: true, ShareIdle: true},
		{AggregateBy: []string{"service"}, IncludeIdle: true, SharedHourlyCost: 2},
	}
	for _, q := range queries {
		t.Run(fmt.Sprint(q.AggregateBy), func(t *testing.T) {
			t.Parallel()
			n, m := mustFilter(t, `namespace!:"batch"`)
			q.Filter, q.FilterNode = m, n
			need := q.Needs()
			var rolled []*cost.AllocationSet
			for _, s := range f.Allocations {
				rolled = append(rolled, Rollup(s, need))
			}
			if !need.Has(FieldContainer) && rolled[0].Len() >= f.Allocations[0].Len() {
				t.Errorf("rollup by %s did not shrink the set (%d rows)", need, rolled[0].Len())
			}
			want, got := aggregateAll(t, f.Allocations, &q), aggregateAll(t, rolled, &q)
			for i := range want {
				if len(want[i].Allocations) != len(got[i].Allocations) {
					t.Fatalf("set %d: %d rows from rollups, %d from containers", i, len(got[i].Allocations), len(want[i].Allocations))
				}
				for name, a := range want[i].Allocations {
					b, ok := got[i].Allocations[name]
					if !ok {
						t.Fatalf("set %d: %s missing from rollup result", i, name)
					}
					near(t, name+" total", b.TotalCost(), a.TotalCost())
					near(t, name+" cpu request", b.CPUCoreRequestAverage, a.CPUCoreRequestAverage)
				}
			}
		})
	}
}
