// Package combined is the format of the derived data under federated/combined/: the Parquet
// rows of allocations, idle, assets and rollups, the per-window manifest, the per-cluster
// status and the quarantine record. The ingest core writes it; the query service and external
// engines (Athena, BigQuery, DuckDB) read it. README.md documents the schema.
package combined

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

// AllocationRow is one row of an allocations or rollups Parquet object. Timestamps are
// milliseconds since the epoch, UTC. The cluster is the cluster= partition, not a column.
type AllocationRow struct {
	// Dimension is "" in allocations objects; in rollups objects it names the rollup:
	// "namespace", "controller" or "node".
	Dimension            string            `parquet:"dimension,dict"`
	Name                 string            `parquet:"name"`
	WindowStart          int64             `parquet:"window_start,timestamp(millisecond)"`
	WindowEnd            int64             `parquet:"window_end,timestamp(millisecond)"`
	Start                int64             `parquet:"start,timestamp(millisecond)"`
	End                  int64             `parquet:"end,timestamp(millisecond)"`
	Minutes              float64           `parquet:"minutes"`
	Node                 string            `parquet:"node,dict"`
	Namespace            string            `parquet:"namespace,dict"`
	ControllerKind       string            `parquet:"controller_kind,dict"`
	Controller           string            `parquet:"controller,dict"`
	Pod                  string            `parquet:"pod"`
	Container            string            `parquet:"container,dict"`
	ProviderID           string            `parquet:"provider_id,dict"`
	Services             string            `parquet:"services,dict"`
	Labels               map[string]string `parquet:"labels"`
	Annotations          map[string]string `parquet:"annotations"`
	NamespaceLabels      map[string]string `parquet:"namespace_labels"`
	NamespaceAnnotations map[string]string `parquet:"namespace_annotations"`

	CPUCoreHours          float64 `parquet:"cpu_core_hours"`
	CPUCoreRequestAverage float64 `parquet:"cpu_core_request_average"`
	CPUCoreUsageAverage   float64 `parquet:"cpu_core_usage_average"`
	CPUCoreUsageMax       float64 `parquet:"cpu_core_usage_max"`
	CPUCost               float64 `parquet:"cpu_cost"`
	CPUCostAdjustment     float64 `parquet:"cpu_cost_adjustment"`

	GPUHours          float64 `parquet:"gpu_hours"`
	GPURequestAverage float64 `parquet:"gpu_request_average"`
	GPUUsageAverage   float64 `parquet:"gpu_usage_average"`
	GPUCost           float64 `parquet:"gpu_cost"`
	GPUCostAdjustment float64 `parquet:"gpu_cost_adjustment"`

	RAMByteHours           float64 `parquet:"ram_byte_hours"`
	RAMBytesRequestAverage float64 `parquet:"ram_bytes_request_average"`
	RAMBytesUsageAverage   float64 `parquet:"ram_bytes_usage_average"`
	RAMBytesUsageMax       float64 `parquet:"ram_bytes_usage_max"`
	RAMCost                float64 `parquet:"ram_cost"`
	RAMCostAdjustment      float64 `parquet:"ram_cost_adjustment"`

	PVByteHours      float64 `parquet:"pv_byte_hours"`
	PVCost           float64 `parquet:"pv_cost"`
	PVCostAdjustment float64 `parquet:"pv_cost_adjustment"`
	// PVs is the per-volume breakdown as JSON ({"cluster=<c>:name=<pv>": {byteHours, cost, providerID}}).
	PVs string `parquet:"pvs"`

	NetworkTransferBytes   float64 `parquet:"network_transfer_bytes"`
	NetworkReceiveBytes    float64 `parquet:"network_receive_bytes"`
	NetworkCost            float64 `parquet:"network_cost"`
	NetworkCrossZoneCost   float64 `parquet:"network_cross_zone_cost"`
	NetworkCrossRegionCost float64 `parquet:"network_cross_region_cost"`
	NetworkInternetCost    float64 `parquet:"network_internet_cost"`
	NetworkCostAdjustment  float64 `parquet:"network_cost_adjustment"`

	LoadBalancerCost           float64 `parquet:"load_balancer_cost"`
	LoadBalancerCostAdjustment float64 `parquet:"load_balancer_cost_adjustment"`
	// LoadBalancers is the per-load-balancer breakdown as JSON.
	LoadBalancers string `parquet:"lb_allocations"`

	SharedCost   float64 `parquet:"shared_cost"`
	ExternalCost float64 `parquet:"external_cost"`
	TotalCost    float64 `parquet:"total_cost"`
	Idle         bool    `parquet:"idle"`
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// RowFromAllocation flattens an allocation (cluster implied by the partition).
func RowFromAllocation(a *cost.Allocation) AllocationRow {
	p := a.Properties
	if p == nil {
		p = &cost.AllocationProperties{}
	}
	r := AllocationRow{
		Name: a.Name, WindowStart: ms(a.Window.Start), WindowEnd: ms(a.Window.End), Start: ms(a.Start), End: ms(a.End),
		Minutes: a.Minutes(), Node: p.Node, Namespace: p.Namespace, ControllerKind: p.ControllerKind, Controller: p.Controller,
		Pod: p.Pod, Container: p.Container, ProviderID: p.ProviderID, Services: strings.Join(p.Services, ","),
		Labels: p.Labels, Annotations: p.Annotations, NamespaceLabels: p.NamespaceLabels, NamespaceAnnotations: p.NamespaceAnnotations,
		CPUCoreHours: a.CPUCoreHours, CPUCoreRequestAverage: a.CPUCoreRequestAverage, CPUCoreUsageAverage: a.CPUCoreUsageAverage,
		CPUCost: a.CPUCost, CPUCostAdjustment: a.CPUCostAdjustment,
		GPUHours: a.GPUHours, GPURequestAverage: a.GPURequestAverage, GPUUsageAverage: a.GPUUsageAverage,
		GPUCost: a.GPUCost, GPUCostAdjustment: a.GPUCostAdjustment,
		RAMByteHours: a.RAMByteHours, RAMBytesRequestAverage: a.RAMBytesRequestAverage, RAMBytesUsageAverage: a.RAMBytesUsageAverage,
		RAMCost: a.RAMCost, RAMCostAdjustment: a.RAMCostAdjustment,
		PVByteHours: a.PVByteHours(), PVCost: a.PVCost(), PVCostAdjustment: a.PVCostAdjustment,
		NetworkTransferBytes: a.NetworkTransferBytes, NetworkReceiveBytes: a.NetworkReceiveBytes, NetworkCost: a.NetworkCost,
		NetworkCrossZoneCost: a.NetworkCrossZoneCost, NetworkCrossRegionCost: a.NetworkCrossRegionCost,
		NetworkInternetCost: a.NetworkInternetCost, NetworkCostAdjustment: a.NetworkCostAdjustment,
		LoadBalancerCost: a.LoadBalancerCost, LoadBalancerCostAdjustment: a.LoadBalancerCostAdjustment,
		SharedCost: a.SharedCost, ExternalCost: a.ExternalCost, TotalCost: a.TotalCost(), Idle: a.IsIdle(),
	}
	if raw := a.RawAllocationOnly; raw != nil {
		r.CPUCoreUsageMax, r.RAMBytesUsageMax = raw.CPUCoreUsageMax, raw.RAMBytesUsageMax
	}
	if len(a.PVs) > 0 {
		r.PVs = pvsJSON(a.PVs)
	}
	if len(a.LoadBalancers) > 0 {
		b, _ := json.Marshal(a.LoadBalancers)
		r.LoadBalancers = string(b)
	}
	return r
}

// pvsJSON writes the PV map as encoding/json would (keys sorted), without reflection: it is
// on the derivation hot path (one map per container).
func pvsJSON(pvs cost.PVAllocations) string {
	keys := make([]cost.PVKey, 0, len(pvs))
	for k := range pvs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	b := make([]byte, 0, 96*len(keys))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		pv := pvs[k]
		b = appendJSONString(b, k.String())
		b = append(b, `:{"byteHours":`...)
		b = strconv.AppendFloat(b, pv.ByteHours, 'g', -1, 64)
		b = append(b, `,"cost":`...)
		b = strconv.AppendFloat(b, pv.Cost, 'g', -1, 64)
		if pv.ProviderID != "" {
			b = append(b, `,"providerID":`...)
			b = appendJSONString(b, pv.ProviderID)
		}
		b = append(b, '}')
	}
	return string(append(b, '}'))
}

// appendJSONString appends s as a JSON string (s is valid UTF-8: uploads are validated).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Allocation rebuilds the allocation of a row of the given cluster. A row written from an
// allocation gives back an equal allocation (except RawAllocationOnly when both maxima are 0).
func (r *AllocationRow) Allocation(cluster string) *cost.Allocation {
	a := &cost.Allocation{
		Name: r.Name, Window: cost.NewWindow(fromMS(r.WindowStart), fromMS(r.WindowEnd)), Start: fromMS(r.Start), End: fromMS(r.End),
		Properties: &cost.AllocationProperties{Cluster: cluster, Node: r.Node, Namespace: r.Namespace, ControllerKind: r.ControllerKind,
			Controller: r.Controller, Pod: r.Pod, Container: r.Container, ProviderID: r.ProviderID,
			Labels: r.Labels, Annotations: r.Annotations, NamespaceLabels: r.NamespaceLabels, NamespaceAnnotations: r.NamespaceAnnotations},
		CPUCoreHours: r.CPUCoreHours, CPUCoreRequestAverage: r.CPUCoreRequestAverage, CPUCoreUsageAverage: r.CPUCoreUsageAverage,
		CPUCost: r.CPUCost, CPUCostAdjustment: r.CPUCostAdjustment,
		GPUHours: r.GPUHours, GPURequestAverage: r.GPURequestAverage, GPUUsageAverage: r.GPUUsageAverage,
		GPUCost: r.GPUCost, GPUCostAdjustment: r.GPUCostAdjustment,
		RAMByteHours: r.RAMByteHours, RAMBytesRequestAverage: r.RAMBytesRequestAverage, RAMBytesUsageAverage: r.RAMBytesUsageAverage,
		RAMCost: r.RAMCost, RAMCostAdjustment: r.RAMCostAdjustment, PVCostAdjustment: r.PVCostAdjustment,
		NetworkTransferBytes: r.NetworkTransferBytes, NetworkReceiveBytes: r.NetworkReceiveBytes, NetworkCost: r.NetworkCost,
		NetworkCrossZoneCost: r.NetworkCrossZoneCost, NetworkCrossRegionCost: r.NetworkCrossRegionCost,
		NetworkInternetCost: r.NetworkInternetCost, NetworkCostAdjustment: r.NetworkCostAdjustment,
		LoadBalancerCost: r.LoadBalancerCost, LoadBalancerCostAdjustment: r.LoadBalancerCostAdjustment,
		SharedCost: r.SharedCost, ExternalCost: r.ExternalCost,
	}
	if r.Services != "" {
		a.Properties.Services = strings.Split(r.Services, ",")
	}
	if r.CPUCoreUsageMax != 0 || r.RAMBytesUsageMax != 0 {
		a.RawAllocationOnly = &cost.RawAllocationOnlyData{CPUCoreUsageMax: r.CPUCoreUsageMax, RAMBytesUsageMax: r.RAMBytesUsageMax}
	}
	if r.PVs != "" {
		_ = json.Unmarshal([]byte(r.PVs), &a.PVs)
	} else if r.PVCost != 0 || r.PVByteHours != 0 {
		// A rollup row keeps only the totals: represent them as one anonymous volume.
		a.PVs = cost.PVAllocations{{Cluster: cluster}: {ByteHours: r.PVByteHours, Cost: r.PVCost}}
	}
	if r.LoadBalancers != "" {
		_ = json.Unmarshal([]byte(r.LoadBalancers), &a.LoadBalancers)
	}
	return a
}

// SortAllocationRows orders rows by dimension then name so equal inputs give equal files.
func SortAllocationRows(rows []AllocationRow) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Dimension != rows[j].Dimension {
			return rows[i].Dimension < rows[j].Dimension
		}
		return rows[i].Name < rows[j].Name
	})
}

// AssetRow is one row of an assets Parquet object.
type AssetRow struct {
	Key            string            `parquet:"key"`
	Name           string            `parquet:"name"`
	Type           string            `parquet:"type,dict"`
	WindowStart    int64             `parquet:"window_start,timestamp(millisecond)"`
	WindowEnd      int64             `parquet:"window_end,timestamp(millisecond)"`
	Start          int64             `parquet:"start,timestamp(millisecond)"`
	End            int64             `parquet:"end,timestamp(millisecond)"`
	Category       string            `parquet:"category,dict"`
	Provider       string            `parquet:"provider,dict"`
	Account        string            `parquet:"account,dict"`
	Project        string            `parquet:"project,dict"`
	Service        string            `parquet:"service,dict"`
	ProviderID     string            `parquet:"provider_id"`
	NodeType       string            `parquet:"node_type,dict"`
	Labels         map[string]string `parquet:"labels"`
	CPUCoreHours   float64           `parquet:"cpu_core_hours"`
	RAMByteHours   float64           `parquet:"ram_byte_hours"`
	GPUHours       float64           `parquet:"gpu_hours"`
	GPUCount       float64           `parquet:"gpu_count"`
	CPUCost        float64           `parquet:"cpu_cost"`
	RAMCost        float64           `parquet:"ram_cost"`
	GPUCost        float64           `parquet:"gpu_cost"`
	Discount       float64           `parquet:"discount"`
	Preemptible    float64           `parquet:"preemptible"`
	ByteHours      float64           `parquet:"byte_hours"`
	StorageClass   string            `parquet:"storage_class,dict"`
	VolumeName     string            `parquet:"volume_name"`
	ClaimName      string            `parquet:"claim_name"`
	ClaimNamespace string            `parquet:"claim_namespace"`
	Private        bool              `parquet:"private"`
	IP             string            `parquet:"ip"`
	Adjustment     float64           `parquet:"adjustment"`
	Cost           float64           `parquet:"cost"`
	Credit         float64           `parquet:"credit"`
	TotalCost      float64           `parquet:"total_cost"`
	// Detail holds the rest of the asset (breakdowns, overhead, disk usage) as JSON.
	Detail string `parquet:"detail"`
}

type assetDetail struct {
	CPUBreakdown  *cost.Breakdown    `json:"cpuBreakdown,omitempty"`
	RAMBreakdown  *cost.Breakdown    `json:"ramBreakdown,omitempty"`
	Overhead      *cost.NodeOverhead `json:"overhead,omitempty"`
	ByteHoursUsed *float64           `json:"byteHoursUsed,omitempty"`
	ByteUsageMax  *float64           `json:"byteUsageMax,omitempty"`
	Local         float64            `json:"local,omitempty"`
	Breakdown     *cost.Breakdown    `json:"breakdown,omitempty"`
}

// RowFromAsset flattens an asset stored under key.
func RowFromAsset(key string, a *cost.Asset) AssetRow {
	p := a.Properties
	r := AssetRow{Key: key, Name: p.Name, Type: a.Type.String(), WindowStart: ms(a.Window.Start), WindowEnd: ms(a.Window.End),
		Start: ms(a.Start), End: ms(a.End), Category: p.Category, Provider: p.Provider, Account: p.Account, Project: p.Project,
		Service: p.Service, ProviderID: p.ProviderID, NodeType: a.NodeType, Labels: a.Labels,
		CPUCoreHours: a.CPUCoreHours, RAMByteHours: a.RAMByteHours, GPUHours: a.GPUHours, GPUCount: a.GPUCount,
		CPUCost: a.CPUCost, RAMCost: a.RAMCost, GPUCost: a.GPUCost, Discount: a.Discount, Preemptible: a.Preemptible,
		ByteHours: a.ByteHours, StorageClass: a.StorageClass, VolumeName: a.VolumeName, ClaimName: a.ClaimName,
		ClaimNamespace: a.ClaimNamespace, Private: a.Private, IP: a.IP, Adjustment: a.Adjustment, Cost: a.Cost, Credit: a.Credit,
		TotalCost: a.TotalCost()}
	d := assetDetail{CPUBreakdown: a.CPUBreakdown, RAMBreakdown: a.RAMBreakdown, Overhead: a.Overhead,
		ByteHoursUsed: a.ByteHoursUsed, ByteUsageMax: a.ByteUsageMax, Local: a.Local, Breakdown: a.Breakdown}
	if b, _ := json.Marshal(d); string(b) != "{}" {
		r.Detail = string(b)
	}
	return r
}

// Asset rebuilds the asset of a row of the given cluster.
func (r *AssetRow) Asset(cluster string) *cost.Asset {
	t, _ := cost.ParseAssetType(r.Type)
	a := &cost.Asset{Type: t, Window: cost.NewWindow(fromMS(r.WindowStart), fromMS(r.WindowEnd)), Start: fromMS(r.Start), End: fromMS(r.End),
		Properties: cost.AssetProperties{Category: r.Category, Provider: r.Provider, Account: r.Account, Project: r.Project,
			Service: r.Service, Cluster: cluster, Name: r.Name, ProviderID: r.ProviderID},
		Labels: r.Labels, NodeType: r.NodeType, CPUCoreHours: r.CPUCoreHours, RAMByteHours: r.RAMByteHours, GPUHours: r.GPUHours,
		GPUCount: r.GPUCount, CPUCost: r.CPUCost, RAMCost: r.RAMCost, GPUCost: r.GPUCost, Discount: r.Discount,
		Preemptible: r.Preemptible, ByteHours: r.ByteHours, StorageClass: r.StorageClass, VolumeName: r.VolumeName,
		ClaimName: r.ClaimName, ClaimNamespace: r.ClaimNamespace, Private: r.Private, IP: r.IP,
		Adjustment: r.Adjustment, Cost: r.Cost, Credit: r.Credit}
	if r.Detail != "" {
		var d assetDetail
		if json.Unmarshal([]byte(r.Detail), &d) == nil {
			a.CPUBreakdown, a.RAMBreakdown, a.Overhead = d.CPUBreakdown, d.RAMBreakdown, d.Overhead
			a.ByteHoursUsed, a.ByteUsageMax, a.Local, a.Breakdown = d.ByteHoursUsed, d.ByteUsageMax, d.Local, d.Breakdown
		}
	}
	return a
}
