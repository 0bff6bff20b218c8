package cost

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func hourWindow() Window { return NewWindow(t0, t0.Add(time.Hour)) }

func sample(name string) *Allocation {
	w := hourWindow()
	return &Allocation{
		Name: name, Window: w, Start: w.Start, End: w.End,
		Properties: &AllocationProperties{Cluster: "c1", Node: "n1", Namespace: "ns", Pod: "p", Container: "c",
			ControllerKind: "deployment", Controller: "web", Labels: map[string]string{"app": "web", "team": "a"}},
		CPUCoreHours: 2, CPUCoreRequestAverage: 2, CPUCoreUsageAverage: 1, CPUCost: 0.06, CPUCostAdjustment: -0.01,
		RAMByteHours: 4 << 30, RAMBytesRequestAverage: 4 << 30, RAMBytesUsageAverage: 3 << 30, RAMCost: 0.02, RAMCostAdjustment: 0.005,
		GPUHours: 1, GPUCost: 1, GPUCostAdjustment: 0.5,
		PVs:              PVAllocations{{Cluster: "c1", Name: "pv1"}: {ByteHours: 10 << 30, Cost: 0.003}},
		PVCostAdjustment: 0.001, NetworkCost: 0.01, NetworkCostAdjustment: 0.002, NetworkCrossZoneCost: 0.004,
		LoadBalancerCost: 0.02, LoadBalancerCostAdjustment: 0.001, SharedCost: 0.1, ExternalCost: 0.2,
	}
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

func TestTotalCostFormula(t *testing.T) {
	a := sample("x")
	near(t, "CPUTotalCost", a.CPUTotalCost(), 0.05)
	near(t, "RAMTotalCost", a.RAMTotalCost(), 0.025)
	near(t, "GPUTotalCost", a.GPUTotalCost(), 1.5)
	near(t, "PVTotalCost", a.PVTotalCost(), 0.004)
	near(t, "NetworkTotalCost", a.NetworkTotalCost(), 0.012) // cross-zone is a breakdown, not added
	near(t, "LBTotalCost", a.LBTotalCost(), 0.021)
	near(t, "TotalCost", a.TotalCost(), 0.05+0.025+1.5+0.004+0.012+0.021+0.1+0.2)
	near(t, "CPUCores", a.CPUCores(), 2)
	near(t, "RAMBytes", a.RAMBytes(), 4<<30)
	near(t, "PVBytes", a.PVBytes(), 10<<30)
}

func TestEfficiency(t *testing.T) {
	cases := []struct {
		name                 string
		usage, request, cost float64
		want                 float64
	}{
		{"usage over request", 1, 2, 1, 0.5},
		{"no request, no usage", 0, 0, 1, 0},
		{"no request, no cost", 1, 0, 0, 0},
		{"no request, usage and cost", 1, 0, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := &Allocation{CPUCoreUsageAverage: c.usage, CPUCoreRequestAverage: c.request, CPUCost: c.cost,
				RAMBytesUsageAverage: c.usage, RAMBytesRequestAverage: c.request, RAMCost: c.cost}
			near(t, "cpu", a.CPUEfficiency(), c.want)
			near(t, "ram", a.RAMEfficiency(), c.want)
		})
	}
	a := sample("x")
	// cpu eff 0.5 weighted by 0.05, ram eff 0.75 weighted by 0.025
	near(t, "total", a.TotalEfficiency(), (0.5*0.05+0.75*0.025)/0.075)
	g := &Allocation{GPURequestAverage: 0, GPUUsageAverage: 1, GPUCost: 1}
	near(t, "gpu no request", g.GPUEfficiency(), 1)
	g = &Allocation{GPURequestAverage: 2, GPUUsageAverage: 1, GPUCost: 1}
	near(t, "gpu", g.GPUEfficiency(), 0.5)
}

func TestAddMergesByMinutes(t *testing.T) {
	a := sample("a")
	b := sample("b")
	b.Start = t0.Add(time.Hour)
	b.End = t0.Add(time.Hour + 30*time.Minute)
	b.Window = NewWindow(t0.Add(time.Hour), t0.Add(2*time.Hour))
	b.CPUCoreRequestAverage = 5
	b.Properties.Node = "n2"
	b.Properties.Labels = map[string]string{"app": "web", "team": "b"}
	b.PVs = PVAllocations{{Cluster: "c1", Name: "pv1"}: {ByteHours: 1, Cost: 1}, {Cluster: "c1", Name: "pv2"}: {ByteHours: 2, Cost: 2}}
	total := a.TotalCost() + b.TotalCost()
	a.Add(b)
	near(t, "sum of totals", a.TotalCost(), total)
	near(t, "cpu request average weighted by minutes", a.CPUCoreRequestAverage, (2*60+5*30)/90.0)
	if a.Properties.Node != "" || a.Properties.Namespace != "ns" {
		t.Errorf("properties not intersected: %+v", a.Properties)
	}
	if len(a.Properties.Labels) != 1 || a.Properties.Labels["app"] != "web" {
		t.Errorf("labels not intersected: %v", a.Properties.Labels)
	}
	if !a.Window.End.Equal(t0.Add(2*time.Hour)) || !a.End.Equal(t0.Add(90*time.Minute)) || !a.Start.Equal(t0) {
		t.Errorf("window/start/end not widened: %v %v %v", a.Window, a.Start, a.End)
	}
	if len(a.PVs) != 2 || a.PVs[PVKey{"c1", "pv1"}].Cost != 1.003 {
		t.Errorf("pvs not summed per key: %+v", a.PVs)
	}
	if a.RawAllocationOnly != nil {
		t.Error("raw allocation data must be dropped")
	}
}

func TestAddConcurrentAveragesSum(t *testing.T) {
	a, b := sample("a"), sample("b") // both run the whole hour with 2 requested cores
	a.Add(b)
	near(t, "side-by-side containers' request average", a.CPUCoreRequestAverage, 4)
	near(t, "ram usage average", a.RAMBytesUsageAverage, 2*(3<<30))
}

func TestAddKeepsControllerWhenIdentityAgrees(t *testing.T) {
	a, b := sample("a"), sample("a")
	b.Properties.Controller = ""
	b.Properties.ControllerKind = ""
	a.Add(b)
	if a.Properties.Controller != "web" {
		t.Errorf("controller = %q, want the non-empty one", a.Properties.Controller)
	}
}

func TestGenerateKey(t *testing.T) {
	p := sample("x").Properties
	p.Services = []string{"svc"}
	p.Annotations = map[string]string{"owner_email": "x@y"}
	lc := DefaultLabelConfig()
	cases := []struct {
		agg  []string
		want string
	}{
		{[]string{"cluster"}, "c1"},
		{[]string{"namespace", "label:app"}, "ns/web"},
		{[]string{"controller"}, "deployment:web"},
		{[]string{"controllerKind"}, "deployment"},
		{[]string{"deployment"}, "web"},
		{[]string{"statefulset"}, UnallocatedSuffix},
		{[]string{"service"}, "svc"},
		{[]string{"label:missing"}, UnallocatedSuffix},
		{[]string{"annotation:owner.email"}, "x@y"},
		{[]string{"product"}, "web"},
		{[]string{"team"}, "a"},
		{[]string{"department"}, UnallocatedSuffix},
		{[]string{"cluster", "node", "namespace", "pod", "container"}, "c1/n1/ns/p/c"},
	}
	for _, c := range cases {
		if got := p.GenerateKey(c.agg, lc); got != c.want {
			t.Errorf("GenerateKey(%v) = %q, want %q", c.agg, got, c.want)
		}
	}
	if err := ValidateAggregateBy([]string{"namespace", "bogus"}); err == nil {
		t.Error("bogus aggregation accepted")
	}
	if err := ValidateAggregateBy([]string{"label:"}); err == nil {
		t.Error("empty label aggregation accepted")
	}
}

func TestSanitizeLabelName(t *testing.T) {
	for in, want := range map[string]string{"app.kubernetes.io/name": "app_kubernetes_io_name", "team": "team", "9x": "_9x", "a-b": "a_b"} {
		if got := SanitizeLabelName(in); got != want {
			t.Errorf("SanitizeLabelName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPVKeyText(t *testing.T) {
	b, err := json.Marshal(PVAllocations{{Cluster: "c1", Name: "pv-a"}: {ByteHours: 1, Cost: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"cluster=c1:name=pv-a":{"byteHours":1,"cost":2}}` {
		t.Fatalf("json = %s", b)
	}
	var back PVAllocations
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back[PVKey{"c1", "pv-a"}].Cost != 2 {
		t.Fatalf("round trip lost data: %+v", back)
	}
	var k PVKey
	if err := k.UnmarshalText([]byte("name=x")); err == nil {
		t.Error("malformed pv key accepted")
	}
}

func TestNodeTotalCostAndIdleIdentity(t *testing.T) {
	w := hourWindow()
	node := &Asset{Type: NodeAssetType, Window: w, Start: w.Start, End: w.End,
		Properties: AssetProperties{Cluster: "c1", Name: "n1", ProviderID: "i-1"},
		CPUCost:    1, RAMCost: 0.5, GPUCost: 2, Discount: 0.2, Adjustment: 0.3}
	near(t, "node total", node.TotalCost(), 1.5*0.8+2+0.3)
	parts := NodeResourceCosts(node)
	near(t, "parts sum to total", parts.Total(), node.TotalCost())

	node2 := &Asset{Type: NodeAssetType, Window: w, Start: w.Start, End: w.End,
		Properties: AssetProperties{Cluster: "c1", Name: "n2"}, CPUCost: 0.4, RAMCost: 0.1}
	assets := NewAssetSet(w)
	assets.Insert(node.Key(), node)
	assets.Insert(node2.Key(), node2)
	allocs := NewAllocationSet(w)
	a := sample("c1/n1/ns/p/c")
	allocs.Insert(a)
	b := sample("c1/n2/ns/q/c")
	b.Properties.Node = "n2"
	b.GPUCost, b.GPUCostAdjustment = 0, 0
	allocs.Insert(b)

	idle := ComputeIdle(allocs, assets, true)
	if len(idle) != 2 || idle[0].Name != "c1/n1/__idle__" || idle[1].Name != "c1/n2/__idle__" {
		t.Fatalf("idle rows = %v", names(idle))
	}
	var allocated, idleSum float64
	for _, x := range allocs.Allocations {
		allocated += x.CPUTotalCost() + x.GPUTotalCost() + x.RAMTotalCost()
	}
	for _, x := range idle {
		idleSum += x.TotalCost()
		if !x.IsIdle() {
			t.Errorf("%s not recognised as idle", x.Name)
		}
	}
	near(t, "allocated + idle = node cost", allocated+idleSum, assets.TotalCost())

	byCluster := ComputeIdle(allocs, assets, false)
	if len(byCluster) != 1 || byCluster[0].Name != "c1/__idle__" {
		t.Fatalf("cluster idle rows = %v", names(byCluster))
	}
	near(t, "cluster idle = sum of node idle", byCluster[0].TotalCost(), idleSum)
}

func names(as []*Allocation) []string {
	var n []string
	for _, a := range as {
		n = append(n, a.Name)
	}
	return n
}

func TestAssetAddDifferentTypesGivesAny(t *testing.T) {
	w := hourWindow()
	n := &Asset{Type: NodeAssetType, Window: w, CPUCost: 1, Properties: AssetProperties{Cluster: "c"}}
	d := &Asset{Type: DiskAssetType, Window: w, Cost: 2, Properties: AssetProperties{Cluster: "c"}}
	n.Add(d)
	if n.Type != AnyAssetType || n.TotalCost() != 3 || n.Properties.Cluster != "c" {
		t.Fatalf("got %+v", n)
	}
	x := &Asset{Type: NodeAssetType, CPUCost: 1, Discount: 0.5}
	y := &Asset{Type: NodeAssetType, CPUCost: 3, Discount: 0}
	x.Add(y)
	near(t, "discount cost-weighted", x.Discount, 0.125)
}

func TestAssetTypeText(t *testing.T) {
	for i := range assetTypeNames {
		ty := AssetType(i)
		b, _ := ty.MarshalText()
		var back AssetType
		if err := back.UnmarshalText(b); err != nil || back != ty {
			t.Errorf("%v round trip: %v %v", ty, back, err)
		}
	}
	if _, err := ParseAssetType("rocket"); err == nil {
		t.Error("unknown type accepted")
	}
}

func TestWindowJSONAndOps(t *testing.T) {
	w := NewWindow(t0, t0.Add(24*time.Hour))
	b, _ := json.Marshal(w)
	if string(b) != `{"start":"2026-11-20T00:00:00Z","end":"2026-11-21T00:00:00Z"}` {
		t.Fatalf("json = %s", b)
	}
	var back Window
	if err := json.Unmarshal(b, &back); err != nil || back != w {
		t.Fatalf("round trip %v %v", back, err)
	}
	if !w.Contains(t0) || w.Contains(t0.Add(24*time.Hour)) || w.Hours() != 24 {
		t.Error("contains/hours wrong")
	}
	h := hourWindow()
	if !w.ContainsWindow(h) || h.ContainsWindow(w) || !w.Overlaps(h) {
		t.Error("containment/overlap wrong")
	}
}

func TestSetInsertMergesSameName(t *testing.T) {
	s := NewAllocationSet(hourWindow())
	a := sample("x")
	s.Insert(a)
	s.Insert(a)
	if s.Len() != 1 {
		t.Fatalf("len = %d", s.Len())
	}
	near(t, "merged total", s.TotalCost(), 2*a.TotalCost())
	near(t, "original untouched", a.CPUCost, 0.06)
}

func TestWindowUnmarshalForms(t *testing.T) {
	want := NewWindow(t0, t0.Add(time.Hour))
	for _, in := range []string{
		`{"start":"2026-11-20T00:00:00Z","end":"2026-11-20T01:00:00Z"}`,           // compact fast path
		`{ "start": "2026-11-20T00:00:00Z", "end": "2026-11-20T01:00:00Z" }`,      // spaced: encoding/json
		`{"start":"2026-11-20T02:00:00+02:00","end":"2026-11-20T03:00:00+02:00"}`, // offsets become UTC
		`{"end":"2026-11-20T01:00:00Z","start":"2026-11-20T00:00:00Z"}`,           // any key order
	} {
		var w Window
		if err := json.Unmarshal([]byte(in), &w); err != nil || w != want {
			t.Errorf("%s → %v, %v", in, w, err)
		}
	}
	var w Window
	if err := json.Unmarshal([]byte(`{"start":"yesterday","end":"2026-11-20T01:00:00Z"}`), &w); err == nil {
		t.Error("bad time accepted")
	}
}
