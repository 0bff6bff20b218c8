// Package fleettest generates small deterministic multi-cluster fleets (allocation and asset
// sets per window, with per-node idle rows as the ingest computes them) for the query
// service's tests and benchmarks.
package fleettest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

// Config sizes a fleet.
type Config struct {
	Clusters          int
	NodesPerCluster   int
	Namespaces        int // per cluster
	PodsPerNamespace  int
	ContainersPerPod  int
	Start             time.Time     // first window start (UTC-aligned)
	Windows           int           // number of windows
	Resolution        time.Duration // time.Hour or 24*time.Hour
	Seed              uint64
	WithoutUnmounted  bool // no per-cluster __unmounted__ row
	WithoutExtraAsset bool // only node assets
}

// Small is a fleet for unit tests: 3 clusters, 7 daily windows.
func Small(start time.Time) Config {
	return Config{Clusters: 3, NodesPerCluster: 2, Namespaces: 4, PodsPerNamespace: 2, ContainersPerPod: 2,
		Start: start, Windows: 7, Resolution: 24 * time.Hour, Seed: 1}
}

// Fleet is a generated fleet: one allocation set and one asset set per window, in time order.
type Fleet struct {
	Allocations []*cost.AllocationSet
	Assets      []*cost.AssetSet
}

var namespaces = []string{"kube-system", "kubecost", "web", "batch", "data", "monitoring", "payments", "search", "ml", "auth"}
var teams = []string{"platform", "checkout", "search", "data"}
var kinds = []string{"deployment", "statefulset", "daemonset", "job"}

type container struct {
	props            *cost.AllocationProperties
	cpuReq, cpuUse   float64 // cores
	ramReq, ramUse   float64 // bytes
	gpu              float64
	pv               *cost.PVKey
	lb, net, runFrac float64
}

// Generate builds the fleet. Container properties are shared between windows (the engine
// never mutates its input), which keeps big benchmark fleets small in memory.
func Generate(c Config) *Fleet {
	r := rand.New(rand.NewPCG(c.Seed, 42))
	type node struct {
		name, providerID                                                   string
		cpuPrice, ramPrice, gpuPrice, cores, ramBytes, gpus, discount, adj float64
	}
	type cluster struct {
		id         string
		nodes      []node
		containers []container
	}
	clusters := make([]cluster, c.Clusters)
	for ci := range clusters {
		cl := &clusters[ci]
		cl.id = fmt.Sprintf("cluster-%03d", ci)
		for ni := 0; ni < c.NodesPerCluster; ni++ {
			n := node{name: fmt.Sprintf("node-%d", ni), providerID: fmt.Sprintf("i-%03d%03d", ci, ni),
				cpuPrice: 0.03 + r.Float64()*0.01, ramPrice: 0.004 + r.Float64()*0.001,
				cores: float64(8 + 8*r.IntN(3)), ramBytes: float64(32+32*r.IntN(3)) * (1 << 30)}
			if ni == 0 && ci%2 == 1 {
				n.gpus, n.gpuPrice = 1, 0.9
			}
			if ci%3 == 0 {
				n.discount = 0.1
			}
			if ni == 1 {
				n.adj = -0.01
			}
			cl.nodes = append(cl.nodes, n)
		}
		for nsi := 0; nsi < c.Namespaces; nsi++ {
			ns := namespaces[nsi%len(namespaces)]
			if nsi >= len(namespaces) {
				ns = fmt.Sprintf("%s-%d", ns, nsi/len(namespaces))
			}
			team := teams[nsi%len(teams)]
			for pi := 0; pi < c.PodsPerNamespace; pi++ {
				kind := kinds[(nsi+pi)%len(kinds)]
				ctrl := fmt.Sprintf("%s-app%d", ns, pi%2)
				pod := fmt.Sprintf("%s-%d", ctrl, pi)
				nd := cl.nodes[(nsi*c.PodsPerNamespace+pi)%len(cl.nodes)]
				for k := 0; k < c.ContainersPerPod; k++ {
					p := &cost.AllocationProperties{Cluster: cl.id, Node: nd.name, Namespace: ns, Pod: pod,
						Container: fmt.Sprintf("c%d", k), ControllerKind: kind, Controller: ctrl, ProviderID: nd.providerID,
						Labels: map[string]string{"app": ctrl, "team": team}}
					if pi%2 == 0 {
						p.Services = []string{ctrl + "-svc"}
						p.Labels["env"] = "prod"
					} else {
						p.Annotations = map[string]string{"owner": "owner-" + team}
					}
					ct := container{props: p, cpuReq: 0.1 + r.Float64(), ramReq: float64(256+r.IntN(2048)) * (1 << 20), runFrac: 1}
					ct.cpuUse = ct.cpuReq * (0.2 + r.Float64())
					ct.ramUse = ct.ramReq * (0.3 + r.Float64()*0.8)
					if nd.gpus > 0 && k == 0 && pi == 0 {
						ct.gpu = 1
					}
					if k == 0 && pi%3 == 0 {
						ct.pv = &cost.PVKey{Cluster: cl.id, Name: "pv-" + pod}
					}
					if k == 0 && pi%4 == 1 {
						ct.lb = 0.025
					}
					ct.net = r.Float64() * 0.002
					if pi%5 == 4 {
						ct.runFrac = 0.5
					}
					cl.containers = append(cl.containers, ct)
				}
			}
		}
	}

	nodeIdx := map[string]node{}
	f := &Fleet{}
	for wi := 0; wi < c.Windows; wi++ {
		ws := c.Start.Add(time.Duration(wi) * c.Resolution)
		w := cost.NewWindow(ws, ws.Add(c.Resolution))
		hours := c.Resolution.Hours()
		as := cost.NewAllocationSet(w)
		asset := cost.NewAssetSet(w)
		for _, cl := range clusters {
			for _, n := range cl.nodes {
				nodeIdx[cl.id+"/"+n.name] = n
				a := &cost.Asset{Type: cost.NodeAssetType, Window: w, Start: w.Start, End: w.End,
					Properties: cost.AssetProperties{Category: cost.ComputeCategory, Provider: "AWS", Account: "acct-1",
						Service: "Kubernetes", Cluster: cl.id, Name: n.name, ProviderID: n.providerID},
					Labels:   map[string]string{"label_node_kubernetes_io_instance_type": "m5.xlarge", "team": "platform"},
					NodeType: "m5.xlarge", CPUCoreHours: n.cores * hours, RAMByteHours: n.ramBytes * hours,
					GPUHours: n.gpus * hours, GPUCount: n.gpus,
					CPUCost: n.cores * hours * n.cpuPrice, RAMCost: n.ramBytes / (1 << 30) * hours * n.ramPrice,
					GPUCost: n.gpus * hours * n.gpuPrice, Discount: n.discount, Adjustment: n.adj * hours}
				asset.Insert(a.Key(), a)
			}
			if !c.WithoutExtraAsset {
				d := &cost.Asset{Type: cost.DiskAssetType, Window: w, Start: w.Start, End: w.End,
					Properties: cost.AssetProperties{Category: cost.StorageCategory, Provider: "AWS", Account: "acct-1",
						Service: "Kubernetes", Cluster: cl.id, Name: "vol-" + cl.id, ProviderID: "vol-" + cl.id},
					Cost: 0.005 * hours, ByteHours: 100 * (1 << 30) * hours, StorageClass: "gp3"}
				asset.Insert(d.Key(), d)
				m := &cost.Asset{Type: cost.ClusterManagementAssetType, Window: w, Start: w.Start, End: w.End,
					Properties: cost.AssetProperties{Category: cost.ManagementCategory, Provider: "AWS", Account: "acct-2",
						Service: "Kubernetes", Cluster: cl.id}, Cost: 0.1 * hours}
				asset.Insert(m.Key(), m)
			}
			for _, ct := range cl.containers {
				n := nodeIdx[cl.id+"/"+ct.props.Node]
				h := hours * ct.runFrac
				cpuH := max(ct.cpuReq, ct.cpuUse) * h
				ramH := max(ct.ramReq, ct.ramUse) * h
				a := &cost.Allocation{Name: ct.props.DefaultName(), Properties: ct.props, Window: w,
					Start: w.Start, End: w.Start.Add(time.Duration(float64(c.Resolution) * ct.runFrac)),
					CPUCoreHours: cpuH, CPUCoreRequestAverage: ct.cpuReq, CPUCoreUsageAverage: ct.cpuUse,
					CPUCost:      cpuH * n.cpuPrice * (1 - n.discount),
					RAMByteHours: ramH, RAMBytesRequestAverage: ct.ramReq, RAMBytesUsageAverage: ct.ramUse,
					RAMCost:  ramH / (1 << 30) * n.ramPrice * (1 - n.discount),
					GPUHours: ct.gpu * h, GPURequestAverage: ct.gpu, GPUUsageAverage: ct.gpu * 0.5,
					GPUCost:     ct.gpu * h * n.gpuPrice,
					NetworkCost: ct.net * h, NetworkTransferBytes: 1e6 * h, LoadBalancerCost: ct.lb * h,
				}
				if ct.pv != nil {
					a.PVs = cost.PVAllocations{*ct.pv: {ByteHours: 10 * (1 << 30) * h, Cost: 0.0005 * h}}
				}
				as.Allocations[a.Name] = a
			}
			if !c.WithoutUnmounted {
				p := &cost.AllocationProperties{Cluster: cl.id, Namespace: cost.UnmountedSuffix, Pod: cost.UnmountedSuffix, Container: cost.UnmountedSuffix}
				u := &cost.Allocation{Name: p.DefaultName(), Properties: p, Window: w, Start: w.Start, End: w.End,
					PVs: cost.PVAllocations{{Cluster: cl.id, Name: "pv-orphan"}: {ByteHours: 5 * (1 << 30) * hours, Cost: 0.0002 * hours}}}
				as.Allocations[u.Name] = u
			}
		}
		for _, idle := range cost.ComputeIdle(as, asset, true) {
			as.Allocations[idle.Name] = idle
		}
		f.Allocations = append(f.Allocations, as)
		f.Assets = append(f.Assets, asset)
	}
	return f
}

// NodeCost sums the total cost of the node assets of the fleet.
func (f *Fleet) NodeCost() float64 {
	var t float64
	for _, s := range f.Assets {
		for _, a := range s.Assets {
			if a.Type == cost.NodeAssetType {
				t += a.TotalCost()
			}
		}
	}
	return t
}

// AllocationCost sums the total cost of every allocation row (idle included).
func (f *Fleet) AllocationCost() float64 {
	var t float64
	for _, s := range f.Allocations {
		t += s.TotalCost()
	}
	return t
}
