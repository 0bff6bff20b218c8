package etl

import (
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

var exampleHour = layout.WindowFor(layout.Hourly, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))

func exampleProducer() Producer {
	return Producer{Agent: "fedcost-agent", Version: "0.1.0", InstallID: "7d0c6c52-3f1e-4a55-9d7e-2f4f2b1f4a10",
		Source: "prometheus", BuiltAt: time.Date(2026, 11, 20, 11, 0, 5, 0, time.UTC)}
}

// exampleAllocations is the document in testdata/example-allocations.json.
func exampleAllocations() *Document {
	u := layout.Upload{Cluster: "prod-eu", Kind: layout.Allocations, Resolution: layout.Hourly, Window: exampleHour}
	d := NewDocument(u, exampleProducer())
	w := d.Window
	web := &cost.Allocation{
		Name: "prod-eu/node-a/shop/web-7d9f-abcde/nginx", Window: w, Start: w.Start, End: w.End,
		Properties: &cost.AllocationProperties{Cluster: "prod-eu", Node: "node-a", Namespace: "shop", Pod: "web-7d9f-abcde",
			Container: "nginx", ControllerKind: "deployment", Controller: "web", Services: []string{"web"},
			ProviderID: "i-0abc", Labels: map[string]string{"app": "web", "team": "storefront"},
			NamespaceLabels: map[string]string{"env": "prod"}},
		CPUCoreHours: 0.5, CPUCoreRequestAverage: 0.5, CPUCoreUsageAverage: 0.21, CPUCost: 0.0158,
		RAMByteHours: 536870912, RAMBytesRequestAverage: 536870912, RAMBytesUsageAverage: 301989888, RAMCost: 0.00212,
		NetworkTransferBytes: 1.2e8, NetworkReceiveBytes: 3.4e8, NetworkCost: 0.0012,
		LoadBalancerCost: 0.025, LoadBalancers: cost.LbAllocations{"shop/web": {Service: "shop/web", Cost: 0.025, IP: "203.0.113.7", Hours: 1}},
		PVs:               cost.PVAllocations{{Cluster: "prod-eu", Name: "pvc-1f2e"}: {ByteHours: 10737418240, Cost: 0.00137, ProviderID: "vol-0abc"}},
		RawAllocationOnly: &cost.RawAllocationOnlyData{CPUCoreUsageMax: 0.48, RAMBytesUsageMax: 402653184},
	}
	job := &cost.Allocation{
		Name: "prod-eu/node-b/batch/report-29371-xk2/report", Window: w, Start: w.Start.Add(20 * time.Minute), End: w.Start.Add(35 * time.Minute),
		Properties: &cost.AllocationProperties{Cluster: "prod-eu", Node: "node-b", Namespace: "batch", Pod: "report-29371-xk2",
			Container: "report", ControllerKind: "job", Controller: "report-29371", ProviderID: "i-0def"},
		CPUCoreHours: 0.5, CPUCoreRequestAverage: 2, CPUCoreUsageAverage: 1.6, CPUCost: 0.0158,
		RAMByteHours: 1073741824, RAMBytesRequestAverage: 4294967296, RAMBytesUsageAverage: 3221225472, RAMCost: 0.00424,
	}
	d.Allocations[web.Name] = web
	d.Allocations[job.Name] = job
	return d
}

// exampleAssets is the document in testdata/example-assets.json.
func exampleAssets() *Document {
	u := layout.Upload{Cluster: "prod-eu", Kind: layout.Assets, Resolution: layout.Hourly, Window: exampleHour}
	d := NewDocument(u, exampleProducer())
	w := d.Window
	node := &cost.Asset{Type: cost.NodeAssetType, Window: w, Start: w.Start, End: w.End,
		Properties: cost.AssetProperties{Category: cost.ComputeCategory, Provider: "AWS", Account: "123456789012", Service: "Kubernetes",
			Cluster: "prod-eu", Name: "node-a", ProviderID: "i-0abc"},
		Labels:   map[string]string{"label_node_kubernetes_io_instance_type": "m6i.xlarge", "label_topology_kubernetes_io_zone": "eu-west-1a"},
		NodeType: "m6i.xlarge", CPUCoreHours: 4, RAMByteHours: 17179869184, CPUCost: 0.1264, RAMCost: 0.0678, Discount: 0.3, Preemptible: 0,
		CPUBreakdown: &cost.Breakdown{Idle: 0.6, System: 0.1, User: 0.3}}
	disk := &cost.Asset{Type: cost.DiskAssetType, Window: w, Start: w.Start, End: w.End,
		Properties: cost.AssetProperties{Category: cost.StorageCategory, Provider: "AWS", Service: "Kubernetes", Cluster: "prod-eu",
			Name: "pvc-1f2e", ProviderID: "vol-0abc"},
		Cost: 0.00137, ByteHours: 10737418240, StorageClass: "gp3", VolumeName: "pvc-1f2e", ClaimName: "data", ClaimNamespace: "shop"}
	mgmt := &cost.Asset{Type: cost.ClusterManagementAssetType, Window: w, Start: w.Start, End: w.End,
		Properties: cost.AssetProperties{Category: cost.ManagementCategory, Provider: "AWS", Service: "Kubernetes", Cluster: "prod-eu", Name: "prod-eu"},
		Cost:       0.1}
	for _, a := range []*cost.Asset{node, disk, mgmt} {
		d.Assets[a.Key()] = a
	}
	return d
}
