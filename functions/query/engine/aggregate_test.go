package engine

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

// handSet: node c1/n1 with CPU idle 10, RAM idle 4, GPU idle 2 and three allocations.
func handSet() *cost.AllocationSet {
	idle := alloc("c1/n1/__idle__", "c1", "n1", "", 10, 4, 2)
	idle.Properties.Pod, idle.Properties.Container = "", ""
	return setOf(
		alloc("a", "c1", "n1", "A", 3, 1, 0),
		alloc("b", "c1", "n1", "B", 1, 5, 0),
		alloc("k", "c1", "n1", "kube-system", 1, 0, 0),
		idle,
	)
}

func names(s *Set) []string {
	var n []string
	for _, a := range s.Sorted() {
		n = append(n, a.Name)
	}
	return n
}

func TestAggregateSemantics(t *testing.T) {
	t.Parallel()
	type want struct {
		names  []string
		totals map[string]float64
		shared map[string]float64
		idle   map[string]cost.ResourceTotals
	}
	cases := []struct {
		name   string
		o      Options
		filter string
		want   want
	}{
		{"by namespace with idle", Options{AggregateBy: []string{"namespace"}, IncludeIdle: true}, "",
			want{names: []string{"__idle__", "B", "A", "kube-system"}, totals: map[string]float64{"__idle__": 16, "A": 4, "B": 6, "kube-system": 1}}},
		{"idle excluded", Options{AggregateBy: []string{"namespace"}}, "",
			want{names: []string{"B", "A", "kube-system"}}},
		{"split idle by cluster", Options{AggregateBy: []string{"namespace"}, IncludeIdle: true, SplitIdle: true}, "",
			want{names: []string{"c1/__idle__", "B", "A", "kube-system"}}},
		{"split idle by node", Options{AggregateBy: []string{"namespace"}, IncludeIdle: true, SplitIdle: true, IdleByNode: true}, "",
			want{names: []string{"c1/n1/__idle__", "B", "A", "kube-system"}}},
		{"share idle weighted per resource", Options{AggregateBy: []string{"namespace"}, IncludeIdle: true, ShareIdle: true}, "",
			// CPU allocated 5, RAM 6; GPU idle 2 has no GPU allocation and stays idle.
			want{names: []string{"B", "A", "kube-system", "__idle__"},
				totals: map[string]float64{"A": 3 + 1 + 10*3/5.0 + 4*1/6.0, "B": 1 + 5 + 10*1/5.0 + 4*5/6.0, "kube-system": 1 + 2, "__idle__": 2},
				idle:   map[string]cost.ResourceTotals{"A": {CPU: 6, RAM: 4.0 / 6}}}},
		{"idle filtration", Options{AggregateBy: []string{"namespace"}, IncludeIdle: true}, `namespace:"A"`,
			want{names: []string{"__idle__", "A"}, totals: map[string]float64{"A": 4, "__idle__": 10*3/5.0 + 4*1/6.0}}},
		{"filter drops other clusters' idle", Options{AggregateBy: []string{"namespace"}, IncludeIdle: true, SplitIdle: true}, `cluster:"c2"`,
			want{names: nil}},
		{"share namespace weighted", Options{AggregateBy: []string{"namespace"}, ShareNamespaces: []string{"kube-system"}}, "",
			want{names: []string{"B", "A"}, shared: map[string]float64{"A": 0.4, "B": 0.6}}},
		{"share namespace even", Options{AggregateBy: []string{"namespace"}, ShareNamespaces: []string{"kube-system"}, ShareSplit: ShareEven}, "",
			want{names: []string{"B", "A"}, shared: map[string]float64{"A": 0.5, "B": 0.5}}},
		{"share with filter keeps the row's share", Options{AggregateBy: []string{"namespace"}, ShareNamespaces: []string{"kube-system"}}, `namespace:"A"`,
			want{names: []string{"A"}, shared: map[string]float64{"A": 0.4}}},
		{"share label", Options{AggregateBy: []string{"namespace"}, ShareLabels: []LabelValue{{"app", "x"}}}, "",
			want{names: []string{"B", "A", "kube-system"}}},
		{"overhead per hour", Options{AggregateBy: []string{"namespace"}, SharedHourlyCost: 1, ShareSplit: ShareEven}, "",
			want{names: []string{"B", "A", "kube-system"}, shared: map[string]float64{"A": 8, "B": 8, "kube-system": 8}}},
		{"overhead up to now", Options{AggregateBy: []string{"namespace"}, SharedHourlyCost: 1, ShareSplit: ShareEven, Now: day0.Add(6 * time.Hour)}, "",
			want{names: []string{"B", "A", "kube-system"}, shared: map[string]float64{"A": 2, "B": 2, "kube-system": 2}}},
		{"aggregate all", Options{AggregateBy: []string{"all"}, IncludeIdle: true}, "",
			want{names: []string{"__idle__", ""}, totals: map[string]float64{"": 11}}},
		{"cluster with idle", Options{AggregateBy: []string{"cluster"}, IncludeIdle: true}, "",
			want{names: []string{"__idle__", "c1"}}},
		{"no aggregation keeps names", Options{}, "",
			want{names: []string{"b", "a", "k"}}},
		{"label missing is unallocated", Options{AggregateBy: []string{"label:app"}}, "",
			want{names: []string{"__unallocated__"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o := c.o
			o.LabelConfig = cost.DefaultLabelConfig()
			if c.filter != "" {
				o.FilterNode, o.Filter = mustFilter(t, c.filter)
			}
			in := handSet()
			before := in.TotalCost()
			got := AggregateSet(in, &o)
			if n := names(got); !slices.Equal(n, c.want.names) {
				t.Errorf("names = %q, want %q", n, c.want.names)
			}
			for name, v := range c.want.totals {
				near(t, name+" total", got.Allocations[name].TotalCost(), v)
			}
			for name, v := range c.want.shared {
				near(t, name+" shared", got.Allocations[name].SharedCost, v)
			}
			for name, v := range c.want.idle {
				near(t, name+" cpu idle", got.Idle[name].CPU, v.CPU)
				near(t, name+" ram idle", got.Idle[name].RAM, v.RAM)
			}
			near(t, "input untouched", in.TotalCost(), before)
		})
	}
}

func TestUnallocatedKeys(t *testing.T) {
	t.Parallel()
	s := setOf(alloc("x", "c1", "n1", "", 1, 0, 0), alloc("y", "c1", "n1", "ns", 2, 0, 0))
	got := AggregateSet(s, &Options{AggregateBy: []string{"namespace"}})
	if n := names(got); !slices.Equal(n, []string{"ns", "__unallocated__"}) {
		t.Errorf("names = %q", n)
	}
	got = AggregateSet(s, &Options{AggregateBy: []string{"cluster", "namespace"}})
	if n := names(got); !slices.Equal(n, []string{"c1/ns", "c1/__unallocated__"}) {
		t.Errorf("names = %q", n)
	}
}

func TestAddIntoAveragesConcurrentContainers(t *testing.T) {
	t.Parallel()
	a, b := alloc("a", "c", "n", "ns", 1, 1, 0), alloc("b", "c", "n", "ns", 1, 1, 0)
	a.CPUCoreRequestAverage, b.CPUCoreRequestAverage = 1, 2
	a.Properties.Labels = map[string]string{"app": "x", "team": "t"}
	b.Properties.Labels = map[string]string{"app": "y", "team": "t"}
	got := AggregateSet(setOf(a, b), &Options{AggregateBy: []string{"namespace"}})
	ns := got.Allocations["ns"]
	near(t, "cpu request average", ns.CPUCoreRequestAverage, 3)
	if ns.Properties.Pod != "" || ns.Properties.Namespace != "ns" || len(ns.Properties.Labels) != 1 || ns.Properties.Labels["team"] != "t" {
		t.Errorf("properties not intersected: %+v", ns.Properties)
	}
	if a.Properties.Labels["app"] != "x" {
		t.Error("input properties modified")
	}
}

func TestNeeds(t *testing.T) {
	t.Parallel()
	n, _ := mustFilter(t, `cluster:"a"+label[app]:"x"`)
	cases := []struct {
		agg  []string
		want Fields
	}{
		{nil, AllFields},
		{[]string{"all"}, FieldCluster | FieldLabels},
		{[]string{"namespace"}, FieldCluster | FieldNamespace | FieldLabels},
		{[]string{"controller"}, FieldCluster | FieldController | FieldControllerKind | FieldLabels},
		{[]string{"team"}, FieldCluster | FieldLabels | FieldAnnotations},
	}
	for _, c := range cases {
		if got := Needs(c.agg, n); got != c.want {
			t.Errorf("Needs(%v) = %s, want %s", c.agg, got, c.want)
		}
	}
	o := Options{AggregateBy: []string{"namespace"}, IdleByNode: true}
	if got := o.Needs(); got != FieldCluster|FieldNode|FieldNamespace {
		t.Errorf("Options.Needs = %s", got)
	}
}

// TestAddIntoMatchesCostAdd keeps the engine's hot-loop add equal to cost.Allocation.Add on
// everything but the averages (OpenCost semantics, tested above) and properties (in place).
func TestAddIntoMatchesCostAdd(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	var rows []*cost.Allocation
	for _, s := range f.Allocations[:2] {
		for _, n := range s.Names() {
			rows = append(rows, s.Allocations[n])
		}
	}
	rows[1].LoadBalancers = cost.LbAllocations{"ns/svc": {Service: "ns/svc", Cost: 1, IP: "1.2.3.4", Hours: 2}}
	rows[2].LoadBalancers = cost.LbAllocations{"ns/svc": {Service: "ns/svc", Cost: 2, IP: "1.2.3.5", Hours: 1, Private: true}}
	rows[3].RawAllocationOnly = &cost.RawAllocationOnlyData{CPUCoreUsageMax: 1}
	want, got := rows[0].Clone(), rows[0].Clone()
	for _, r := range rows[1:] {
		want.Add(r)
		addInto(got, r)
	}
	for _, a := range []*cost.Allocation{want, got} {
		a.Properties = nil
		a.CPUCoreRequestAverage, a.CPUCoreUsageAverage, a.RAMBytesRequestAverage = 0, 0, 0
		a.RAMBytesUsageAverage, a.GPURequestAverage, a.GPUUsageAverage = 0, 0, 0
	}
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if string(wj) != string(gj) {
		t.Errorf("addInto differs from cost.Add:\n got %s\nwant %s", gj, wj)
	}
}
