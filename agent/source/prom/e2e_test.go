package prom_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/pricing"
	"github.com/fedcost/fedcost/agent/source/prom"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

type wantAlloc struct {
	node, ns, pod, container string
	ctrlKind, ctrl           string
	minutes                  float64
	cpuCoreHours, cpuCost    float64
	ramByteHours, ramCost    float64
	gpuHours, gpuCost        float64
	cpuReq, ramReq           float64
	cpuUse, ramUse           float64 // -1: not checked (usage of a container starting mid-window)
	pvCost, pvByteHours      float64
	lbCost                   float64
	rx, tx                   float64
	services                 []string
	labels, annotations      map[string]string
	nsLabels                 map[string]string
}

func TestEndToEndPrometheus(t *testing.T) {
	now := time.Now().UTC()
	we := now.Truncate(time.Hour)
	ws := we.Add(-time.Hour)
	url := startPrometheus(t, scenario(ws, we))

	table, err := pricing.Parse("e2e.json", []byte(e2ePricing))
	if err != nil {
		t.Fatal(err)
	}
	src, err := prom.New(prom.Config{
		URL: url, ClusterLabel: "cluster_id", ClusterFilter: "e2e", Pricing: table,
		MaxSeriesPerQuery: 2, // forces multi-chunk plans and a namespace split by pod prefix
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	allocs, assets, err := src.Build(context.Background(), "e2e", layout.Hourly, layout.Window{Start: ws, End: we})
	if err != nil {
		t.Fatal(err)
	}
	checkUploadable(t, "e2e", layout.Hourly, layout.Window{Start: ws, End: we}, allocs, assets)

	// Hand-computed expectations. node-a: CPU 0.05/core-h, RAM 0.006/GiB-h (pricing metrics).
	// node-b (spot, c5.large): CPU 0.04 (instance-type override), RAM 0.001 (spotRAM),
	// GPU 0.3 (spotGPU). Storage 0.073/GiB-month = 0.0001/GiB-h. LB 0.03/h.
	const (
		aCPU, aRAM       = 0.05, 0.006
		bCPU, bRAM, bGPU = 0.04, 0.001, 0.3
		storage          = 0.073 / 730
		lbHour           = 0.03
	)
	webNS := map[string]string{"env": "prod"}
	dataNS := map[string]string{"env": "prod", "team": "dba"}
	feLabels := map[string]string{"app": "frontend", "pod_template_hash": "7d9f8"}
	want := []wantAlloc{
		{node: "node-a", ns: "web", pod: "frontend-7d9f8-abcde", container: "nginx", ctrlKind: "deployment", ctrl: "frontend", minutes: 60,
			cpuCoreHours: 0.5, cpuCost: 0.5 * aCPU, ramByteHours: 700 * mib, ramCost: 700.0 / 1024 * aRAM,
			cpuReq: 0.5, cpuUse: 0.2, ramReq: 512 * mib, ramUse: 700 * mib, lbCost: lbHour / 2, rx: 1000 * 3600, tx: 2000 * 3600,
			services: []string{"frontend"}, labels: feLabels, nsLabels: webNS},
		{node: "node-b", ns: "web", pod: "frontend-7d9f8-fghij", container: "nginx", ctrlKind: "deployment", ctrl: "frontend", minutes: 60,
			cpuCoreHours: 0.8, cpuCost: 0.8 * bCPU, ramByteHours: 512 * mib, ramCost: 0.5 * bRAM,
			cpuReq: 0.5, cpuUse: 0.8, ramReq: 512 * mib, ramUse: 256 * mib, lbCost: lbHour / 2, rx: 500 * 3600, tx: 100 * 3600,
			services: []string{"frontend"}, labels: feLabels, nsLabels: webNS},
		{node: "node-a", ns: "data", pod: "db-0", container: "postgres", ctrlKind: "statefulset", ctrl: "db", minutes: 60,
			cpuCoreHours: 1, cpuCost: 1 * aCPU, ramByteHours: 2 * gib, ramCost: 2 * aRAM,
			cpuReq: 1, cpuUse: 0.3, ramReq: 2 * gib, ramUse: 1 * gib,
			pvByteHours: 100 * gib / 2, pvCost: 100 * storage / 2, services: []string{"db"},
			labels: map[string]string{"app": "db"}, annotations: map[string]string{"backup_velero_io_backup_volumes": "data"}, nsLabels: dataNS},
		{node: "node-a", ns: "data", pod: "db-0", container: "exporter", ctrlKind: "statefulset", ctrl: "db", minutes: 60,
			cpuCoreHours: 0.15, cpuCost: 0.15 * aCPU, ramByteHours: 64 * mib, ramCost: 64.0 / 1024 * aRAM,
			cpuReq: 0.1, cpuUse: 0.15, ramReq: 64 * mib, ramUse: 32 * mib,
			pvByteHours: 100 * gib / 2, pvCost: 100 * storage / 2, services: []string{"db"},
			labels: map[string]string{"app": "db"}, annotations: map[string]string{"backup_velero_io_backup_volumes": "data"}, nsLabels: dataNS},
		{node: "node-a", ns: "ops", pod: "log-agent-aaaaa", container: "agent", ctrlKind: "daemonset", ctrl: "log-agent", minutes: 60,
			cpuCoreHours: 0.1, cpuCost: 0.1 * aCPU, ramByteHours: 128 * mib, ramCost: 0.125 * aRAM,
			cpuReq: 0.1, cpuUse: 0.05, ramReq: 128 * mib, ramUse: 100 * mib, labels: map[string]string{"app": "log-agent"}},
		{node: "node-b", ns: "ops", pod: "log-agent-bbbbb", container: "agent", ctrlKind: "daemonset", ctrl: "log-agent", minutes: 60,
			cpuCoreHours: 0.1, cpuCost: 0.1 * bCPU, ramByteHours: 128 * mib, ramCost: 0.125 * bRAM,
			cpuReq: 0.1, cpuUse: 0.05, ramReq: 128 * mib, ramUse: 100 * mib, labels: map[string]string{"app": "log-agent"}},
		{node: "node-a", ns: "ops", pod: "migrate-x7k2p", container: "migrate", ctrlKind: "job", ctrl: "migrate", minutes: 30,
			cpuCoreHours: 1.0 * 0.5, cpuCost: 1.0 * 0.5 * aCPU, ramByteHours: 300 * mib * 0.5, ramCost: 300.0 / 1024 * 0.5 * aRAM,
			cpuReq: 0.25, cpuUse: 1.0, ramReq: 256 * mib, ramUse: 300 * mib},
		{node: "node-b", ns: "ops", pod: "report-28000000-q8w9e", container: "report", ctrlKind: "job", ctrl: "report", minutes: 20,
			cpuCoreHours: 0.5 / 3, cpuCost: 0.5 / 3 * bCPU, ramByteHours: gib / 3.0, ramCost: 1.0 / 3 * bRAM,
			gpuHours: 1.0 / 3, gpuCost: 1.0 / 3 * bGPU,
			cpuReq: 0.5, cpuUse: -1, ramReq: gib, ramUse: 512 * mib, labels: map[string]string{"app": "report"}},
	}

	var wantNames []string
	for _, w := range want {
		wantNames = append(wantNames, strings.Join([]string{"e2e", w.node, w.ns, w.pod, w.container}, "/"))
	}
	wantNames = append(wantNames, "e2e//__unmounted__/__unmounted__/__unmounted__", "e2e//data/data-unmounted-pvcs/__unmounted__")
	slices.Sort(wantNames)
	if got := allocs.Names(); !slices.Equal(got, wantNames) {
		t.Fatalf("allocation names:\n got %q\nwant %q", got, wantNames)
	}

	for _, w := range want {
		a := allocs.Allocations[strings.Join([]string{"e2e", w.node, w.ns, w.pod, w.container}, "/")]
		t.Run(w.pod+"/"+w.container, func(t *testing.T) {
			p := a.Properties
			if p.Cluster != "e2e" || p.Node != w.node || p.Namespace != w.ns || p.Pod != w.pod || p.Container != w.container {
				t.Errorf("identity: %+v", p)
			}
			if p.ControllerKind != w.ctrlKind || p.Controller != w.ctrl {
				t.Errorf("controller = %s/%s, want %s/%s", p.ControllerKind, p.Controller, w.ctrlKind, w.ctrl)
			}
			wantPID := map[string]string{"node-a": "aws:///us-east-1a/i-aaa", "node-b": "aws:///us-east-1b/i-bbb"}[w.node]
			if p.ProviderID != wantPID {
				t.Errorf("providerID = %q, want %q", p.ProviderID, wantPID)
			}
			if !slices.Equal(p.Services, w.services) {
				t.Errorf("services = %q, want %q", p.Services, w.services)
			}
			eqMap(t, "labels", p.Labels, w.labels)
			eqMap(t, "annotations", p.Annotations, w.annotations)
			eqMap(t, "namespace labels", p.NamespaceLabels, w.nsLabels)
			if a.Window.Start != ws || a.Window.End != we {
				t.Errorf("window = %s", a.Window)
			}
			approx(t, "minutes", a.Minutes(), w.minutes)
			approx(t, "cpuCoreHours", a.CPUCoreHours, w.cpuCoreHours)
			approx(t, "cpuCost", a.CPUCost, w.cpuCost)
			approx(t, "ramByteHours", a.RAMByteHours, w.ramByteHours)
			approx(t, "ramCost", a.RAMCost, w.ramCost)
			approx(t, "gpuHours", a.GPUHours, w.gpuHours)
			approx(t, "gpuCost", a.GPUCost, w.gpuCost)
			approx(t, "cpuCoreRequestAverage", a.CPUCoreRequestAverage, w.cpuReq)
			approx(t, "ramByteRequestAverage", a.RAMBytesRequestAverage, w.ramReq)
			if w.cpuUse >= 0 {
				approx(t, "cpuCoreUsageAverage", a.CPUCoreUsageAverage, w.cpuUse)
			}
			approx(t, "ramByteUsageAverage", a.RAMBytesUsageAverage, w.ramUse)
			approx(t, "pvCost", a.PVCost(), w.pvCost)
			approx(t, "pvByteHours", a.PVByteHours(), w.pvByteHours)
			if w.pvCost > 0 {
				if pv := a.PVs[cost.PVKey{Cluster: "e2e", Name: "pvc-123"}]; pv == nil || pv.ProviderID != "vol-0123" {
					t.Errorf("pvs = %v, want pvc-123", a.PVs)
				}
			} else if len(a.PVs) > 0 {
				t.Errorf("pvs = %v, want none", a.PVs)
			}
			approx(t, "loadBalancerCost", a.LoadBalancerCost, w.lbCost)
			if w.lbCost > 0 {
				lb := a.LoadBalancers["web/frontend"]
				if lb == nil || lb.IP != "203.0.113.10" || math.Abs(lb.Cost-w.lbCost) > 1e-9 {
					t.Errorf("lbAllocations = %+v", a.LoadBalancers)
				}
			} else if len(a.LoadBalancers) > 0 {
				t.Errorf("lbAllocations = %v, want none", a.LoadBalancers)
			}
			approx(t, "networkReceiveBytes", a.NetworkReceiveBytes, w.rx)
			approx(t, "networkTransferBytes", a.NetworkTransferBytes, w.tx)
		})
	}

	t.Run("unmounted", func(t *testing.T) {
		u := allocs.Allocations["e2e//__unmounted__/__unmounted__/__unmounted__"]
		approx(t, "cluster unmounted pvCost", u.PVCost(), 50*1*0.0002)
		if pv := u.PVs[cost.PVKey{Cluster: "e2e", Name: "pv-orphan"}]; pv == nil || len(u.PVs) != 1 {
			t.Errorf("cluster unmounted pvs = %v", u.PVs)
		}
		approx(t, "cluster unmounted lb", u.LoadBalancerCost, 0)
		n := allocs.Allocations["e2e//data/data-unmounted-pvcs/__unmounted__"]
		approx(t, "data unmounted pvCost", n.PVCost(), 20*1*storage)
		if pv := n.PVs[cost.PVKey{Cluster: "e2e", Name: "pvc-456"}]; pv == nil || len(n.PVs) != 1 {
			t.Errorf("data unmounted pvs = %v", n.PVs)
		}
		if n.Properties.Namespace != "data" || n.Properties.Pod != "data-unmounted-pvcs" || n.Properties.Container != "__unmounted__" || n.Properties.Node != "" {
			t.Errorf("data unmounted properties = %+v", n.Properties)
		}
	})

	t.Run("assets", func(t *testing.T) {
		byName := map[string]*cost.Asset{}
		for _, a := range assets.Assets {
			if a.Properties.Cluster != "e2e" {
				t.Errorf("asset %s of cluster %q", a.Key(), a.Properties.Cluster)
			}
			byName[a.Type.String()+"/"+a.Properties.Name] = a
		}
		wantKeys := []string{"ClusterManagement/cluster-management", "Disk/pv-orphan", "Disk/pvc-123", "Disk/pvc-456",
			"LoadBalancer/web/frontend", "Node/node-a", "Node/node-b"}
		var got []string
		for k := range byName {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, wantKeys) {
			t.Fatalf("assets = %q, want %q", got, wantKeys)
		}
		na, nb := byName["Node/node-a"], byName["Node/node-b"]
		approx(t, "node-a cpuCoreHours", na.CPUCoreHours, 4)
		approx(t, "node-a cpuCost", na.CPUCost, 4*aCPU)
		approx(t, "node-a ramByteHours", na.RAMByteHours, 16*gib)
		approx(t, "node-a ramCost", na.RAMCost, 16*aRAM)
		approx(t, "node-a gpuCost", na.GPUCost, 0)
		if na.NodeType != "m5.xlarge" || na.Preemptible != 0 || na.Properties.ProviderID != "aws:///us-east-1a/i-aaa" {
			t.Errorf("node-a = type %q preemptible %v providerID %q", na.NodeType, na.Preemptible, na.Properties.ProviderID)
		}
		if na.Labels["label_node_kubernetes_io_instance_type"] != "m5.xlarge" {
			t.Errorf("node-a labels = %v", na.Labels)
		}
		approx(t, "node-b cpuCost", nb.CPUCost, 2*bCPU)
		approx(t, "node-b ramCost", nb.RAMCost, 8*bRAM)
		approx(t, "node-b gpuHours", nb.GPUHours, 1)
		approx(t, "node-b gpuCost", nb.GPUCost, 1*bGPU)
		if nb.NodeType != "c5.large" || nb.Preemptible != 1 {
			t.Errorf("node-b = type %q preemptible %v", nb.NodeType, nb.Preemptible)
		}
		approx(t, "node-b minutes", nb.Minutes(), 60)
		d := byName["Disk/pvc-123"]
		approx(t, "pvc-123 cost", d.Cost, 100*storage)
		approx(t, "pvc-123 byteHours", d.ByteHours, 100*gib)
		if d.StorageClass != "gp3" || d.ClaimName != "data-db-0" || d.ClaimNamespace != "data" || d.VolumeName != "pvc-123" || d.Properties.ProviderID != "vol-0123" {
			t.Errorf("pvc-123 = %+v", d)
		}
		approx(t, "pv-orphan cost", byName["Disk/pv-orphan"].Cost, 50*0.0002)
		approx(t, "pvc-456 cost", byName["Disk/pvc-456"].Cost, 20*storage)
		lb := byName["LoadBalancer/web/frontend"]
		approx(t, "lb cost", lb.Cost, lbHour)
		if lb.IP != "203.0.113.10" {
			t.Errorf("lb ip = %q", lb.IP)
		}
		approx(t, "cluster management", byName["ClusterManagement/cluster-management"].Cost, 0.1)
	})
	if t.Failed() {
		for _, n := range allocs.Names() {
			a := allocs.Allocations[n]
			t.Logf("%s: %s", n, fmt.Sprintf("%+v", *a))
		}
	}
}

func approx(t *testing.T, what string, got, want float64) {
	t.Helper()
	if want == 0 {
		if math.Abs(got) > 1e-9 {
			t.Errorf("%s = %g, want 0", what, got)
		}
		return
	}
	if math.Abs(got-want)/math.Abs(want) > 0.005 {
		t.Errorf("%s = %g, want %g (±0.5%%)", what, got, want)
	}
}

func eqMap(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", what, got, want)
			return
		}
	}
}
