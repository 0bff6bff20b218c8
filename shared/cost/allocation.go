package cost

import (
	"fmt"
	"strings"
	"time"
)

// Allocation is the cost of one container (or, after aggregation, of a group) over a window.
// Field names and JSON keys are OpenCost's (allocation.go); computed values (totals,
// efficiencies, averages per minute) are methods, not fields.
type Allocation struct {
	Name       string                `json:"name"`
	Properties *AllocationProperties `json:"properties,omitempty"`
	Window     Window                `json:"window"`
	Start      time.Time             `json:"start"`
	End        time.Time             `json:"end"`

	CPUCoreHours          float64 `json:"cpuCoreHours"`
	CPUCoreRequestAverage float64 `json:"cpuCoreRequestAverage"`
	CPUCoreUsageAverage   float64 `json:"cpuCoreUsageAverage"`
	CPUCost               float64 `json:"cpuCost"`
	CPUCostAdjustment     float64 `json:"cpuCostAdjustment"`

	GPUHours          float64 `json:"gpuHours"`
	GPURequestAverage float64 `json:"gpuRequestAverage"`
	GPUUsageAverage   float64 `json:"gpuUsageAverage"`
	GPUCost           float64 `json:"gpuCost"`
	GPUCostAdjustment float64 `json:"gpuCostAdjustment"`

	NetworkTransferBytes   float64 `json:"networkTransferBytes"`
	NetworkReceiveBytes    float64 `json:"networkReceiveBytes"`
	NetworkCost            float64 `json:"networkCost"`
	NetworkCrossZoneCost   float64 `json:"networkCrossZoneCost"`
	NetworkCrossRegionCost float64 `json:"networkCrossRegionCost"`
	NetworkInternetCost    float64 `json:"networkInternetCost"`
	NetworkCostAdjustment  float64 `json:"networkCostAdjustment"`

	LoadBalancerCost           float64       `json:"loadBalancerCost"`
	LoadBalancerCostAdjustment float64       `json:"loadBalancerCostAdjustment"`
	LoadBalancers              LbAllocations `json:"lbAllocations,omitempty"`

	PVs              PVAllocations `json:"pvs,omitempty"`
	PVCostAdjustment float64       `json:"pvCostAdjustment"`

	RAMByteHours           float64 `json:"ramByteHours"`
	RAMBytesRequestAverage float64 `json:"ramByteRequestAverage"`
	RAMBytesUsageAverage   float64 `json:"ramByteUsageAverage"`
	RAMCost                float64 `json:"ramCost"`
	RAMCostAdjustment      float64 `json:"ramCostAdjustment"`

	SharedCost   float64 `json:"sharedCost"`
	ExternalCost float64 `json:"externalCost"`

	RawAllocationOnly *RawAllocationOnlyData `json:"rawAllocationOnly,omitempty"`
}

// RawAllocationOnlyData holds values that are meaningless after aggregation.
type RawAllocationOnlyData struct {
	CPUCoreUsageMax  float64 `json:"cpuCoreUsageMax"`
	RAMBytesUsageMax float64 `json:"ramByteUsageMax"`
}

// PVKey identifies a persistent volume. In JSON maps it is the string
// "cluster=<cluster>:name=<name>" (OpenCost PVKey.String).
type PVKey struct {
	Cluster string `json:"cluster"`
	Name    string `json:"name"`
}

// String is the OpenCost map-key form.
func (k PVKey) String() string { return "cluster=" + k.Cluster + ":name=" + k.Name }

// MarshalText implements encoding.TextMarshaler (JSON map keys).
func (k PVKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses "cluster=<cluster>:name=<name>".
func (k *PVKey) UnmarshalText(b []byte) error {
	s := string(b)
	rest, ok := strings.CutPrefix(s, "cluster=")
	if !ok {
		return fmt.Errorf("pv key %q: want cluster=<cluster>:name=<name>", s)
	}
	c, n, ok := strings.Cut(rest, ":name=")
	if !ok {
		return fmt.Errorf("pv key %q: want cluster=<cluster>:name=<name>", s)
	}
	k.Cluster, k.Name = c, n
	return nil
}

// PVAllocation is the share of one persistent volume used by an allocation.
type PVAllocation struct {
	ByteHours  float64 `json:"byteHours"`
	Cost       float64 `json:"cost"`
	ProviderID string  `json:"providerID,omitempty"`
}

// PVAllocations maps volume to usage.
type PVAllocations map[PVKey]*PVAllocation

// LbAllocation is the share of one load balancer used by an allocation.
type LbAllocation struct {
	Service string  `json:"service"`
	Cost    float64 `json:"cost"`
	Private bool    `json:"private"`
	IP      string  `json:"ip"`
	Hours   float64 `json:"hours"`
}

// LbAllocations maps a load balancer key (usually namespace/service) to usage.
type LbAllocations map[string]*LbAllocation

// CPUTotalCost is CPUCost + CPUCostAdjustment.
func (a *Allocation) CPUTotalCost() float64 { return a.CPUCost + a.CPUCostAdjustment }

// GPUTotalCost is GPUCost + GPUCostAdjustment.
func (a *Allocation) GPUTotalCost() float64 { return a.GPUCost + a.GPUCostAdjustment }

// RAMTotalCost is RAMCost + RAMCostAdjustment.
func (a *Allocation) RAMTotalCost() float64 { return a.RAMCost + a.RAMCostAdjustment }

// PVCost is the sum of the PV costs.
func (a *Allocation) PVCost() float64 {
	var c float64
	for _, pv := range a.PVs {
		c += pv.Cost
	}
	return c
}

// PVByteHours is the sum of the PV byte-hours.
func (a *Allocation) PVByteHours() float64 {
	var bh float64
	for _, pv := range a.PVs {
		bh += pv.ByteHours
	}
	return bh
}

// PVTotalCost is PVCost + PVCostAdjustment.
func (a *Allocation) PVTotalCost() float64 { return a.PVCost() + a.PVCostAdjustment }

// NetworkTotalCost is NetworkCost + NetworkCostAdjustment (the cross-zone, cross-region and
// internet costs are a breakdown of NetworkCost and not added again).
func (a *Allocation) NetworkTotalCost() float64 { return a.NetworkCost + a.NetworkCostAdjustment }

// LBTotalCost is LoadBalancerCost + LoadBalancerCostAdjustment.
func (a *Allocation) LBTotalCost() float64 { return a.LoadBalancerCost + a.LoadBalancerCostAdjustment }

// TotalCost sums every resource with its adjustment, plus shared and external costs.
func (a *Allocation) TotalCost() float64 {
	return a.CPUTotalCost() + a.GPUTotalCost() + a.RAMTotalCost() + a.PVTotalCost() +
		a.NetworkTotalCost() + a.LBTotalCost() + a.SharedCost + a.ExternalCost
}

// Minutes is End − Start in minutes.
func (a *Allocation) Minutes() float64 { return a.End.Sub(a.Start).Minutes() }

func (a *Allocation) perHour(v float64) float64 {
	m := a.Minutes()
	if m <= 0 {
		return 0
	}
	return v / (m / 60)
}

// CPUCores is the average number of cores allocated over the allocation's minutes.
func (a *Allocation) CPUCores() float64 { return a.perHour(a.CPUCoreHours) }

// RAMBytes is the average RAM allocated over the allocation's minutes.
func (a *Allocation) RAMBytes() float64 { return a.perHour(a.RAMByteHours) }

// GPUCount is the average number of GPUs allocated.
func (a *Allocation) GPUCount() float64 { return a.perHour(a.GPUHours) }

// PVBytes is the average PV capacity allocated.
func (a *Allocation) PVBytes() float64 { return a.perHour(a.PVByteHours()) }

// CPUEfficiency is usage/request; without a request 0 when nothing was used or cost, else 1.
func (a *Allocation) CPUEfficiency() float64 {
	return efficiency(a.CPUCoreUsageAverage, a.CPUCoreRequestAverage, a.CPUTotalCost())
}

// RAMEfficiency is usage/request; without a request 0 when nothing was used or cost, else 1.
func (a *Allocation) RAMEfficiency() float64 {
	return efficiency(a.RAMBytesUsageAverage, a.RAMBytesRequestAverage, a.RAMTotalCost())
}

// GPUEfficiency is usage/request when both are positive; else 0 when nothing was used or
// cost, else 1.
func (a *Allocation) GPUEfficiency() float64 {
	if a.GPURequestAverage > 0 && a.GPUUsageAverage > 0 {
		return a.GPUUsageAverage / a.GPURequestAverage
	}
	if a.GPUUsageAverage == 0 || a.GPUTotalCost() == 0 {
		return 0
	}
	return 1
}

func efficiency(usage, request, cost float64) float64 {
	if request > 0 {
		return usage / request
	}
	if usage == 0 || cost == 0 {
		return 0
	}
	return 1
}

// TotalEfficiency is the cost-weighted mean of CPU and RAM efficiency.
func (a *Allocation) TotalEfficiency() float64 {
	den := a.CPUTotalCost() + a.RAMTotalCost()
	if den <= 0 {
		return 0
	}
	return (a.RAMEfficiency()*a.RAMTotalCost() + a.CPUEfficiency()*a.CPUTotalCost()) / den
}

// IsIdle reports whether this is an idle allocation (name contains __idle__).
func (a *Allocation) IsIdle() bool { return strings.Contains(a.Name, IdleSuffix) }

// IsUnmounted reports whether this is an unmounted-volume pseudo-allocation.
func (a *Allocation) IsUnmounted() bool { return strings.Contains(a.Name, UnmountedSuffix) }

// IsExternal reports whether this is an external (out-of-cluster) allocation.
func (a *Allocation) IsExternal() bool { return strings.Contains(a.Name, ExternalSuffix) }

// IsShared reports whether this is a shared-overhead allocation.
func (a *Allocation) IsShared() bool { return strings.Contains(a.Name, SharedSuffix) }

// Clone returns a deep copy.
func (a *Allocation) Clone() *Allocation {
	if a == nil {
		return nil
	}
	c := *a
	c.Properties = a.Properties.Clone()
	if a.PVs != nil {
		c.PVs = make(PVAllocations, len(a.PVs))
		for k, v := range a.PVs {
			pv := *v
			c.PVs[k] = &pv
		}
	}
	if a.LoadBalancers != nil {
		c.LoadBalancers = make(LbAllocations, len(a.LoadBalancers))
		for k, v := range a.LoadBalancers {
			lb := *v
			c.LoadBalancers[k] = &lb
		}
	}
	if a.RawAllocationOnly != nil {
		r := *a.RawAllocationOnly
		c.RawAllocationOnly = &r
	}
	return &c
}

// Add merges b into a (OpenCost Allocation.add): properties intersect, the window widens,
// Start/End become min/max, averages are re-weighted over the merged minutes, everything else
// is summed;
// PVs and load balancers are summed per key; RawAllocationOnly is dropped. a keeps its name.
func (a *Allocation) Add(b *Allocation) {
	if b == nil {
		return
	}
	// Averages are re-weighted over the merged span (OpenCost: cumulative core-minutes divided
	// by the merged allocation's minutes), so two containers running side by side with one
	// core each average two cores.
	am, bm := a.Minutes(), b.Minutes()
	cpuReq := a.CPUCoreRequestAverage*am + b.CPUCoreRequestAverage*bm
	cpuUse := a.CPUCoreUsageAverage*am + b.CPUCoreUsageAverage*bm
	ramReq := a.RAMBytesRequestAverage*am + b.RAMBytesRequestAverage*bm
	ramUse := a.RAMBytesUsageAverage*am + b.RAMBytesUsageAverage*bm
	gpuReq := a.GPURequestAverage*am + b.GPURequestAverage*bm
	gpuUse := a.GPUUsageAverage*am + b.GPUUsageAverage*bm

	a.Properties = a.Properties.Intersection(b.Properties)
	a.Window = a.Window.Expand(b.Window)
	if b.Start.Before(a.Start) || a.Start.IsZero() {
		a.Start = b.Start
	}
	if b.End.After(a.End) {
		a.End = b.End
	}
	avg := func(sum float64) float64 {
		if m := a.Minutes(); m > 0 {
			return sum / m
		}
		return 0
	}
	a.CPUCoreRequestAverage, a.CPUCoreUsageAverage = avg(cpuReq), avg(cpuUse)
	a.RAMBytesRequestAverage, a.RAMBytesUsageAverage = avg(ramReq), avg(ramUse)
	a.GPURequestAverage, a.GPUUsageAverage = avg(gpuReq), avg(gpuUse)

	a.CPUCoreHours += b.CPUCoreHours
	a.CPUCost += b.CPUCost
	a.CPUCostAdjustment += b.CPUCostAdjustment
	a.GPUHours += b.GPUHours
	a.GPUCost += b.GPUCost
	a.GPUCostAdjustment += b.GPUCostAdjustment
	a.NetworkTransferBytes += b.NetworkTransferBytes
	a.NetworkReceiveBytes += b.NetworkReceiveBytes
	a.NetworkCost += b.NetworkCost
	a.NetworkCrossZoneCost += b.NetworkCrossZoneCost
	a.NetworkCrossRegionCost += b.NetworkCrossRegionCost
	a.NetworkInternetCost += b.NetworkInternetCost
	a.NetworkCostAdjustment += b.NetworkCostAdjustment
	a.LoadBalancerCost += b.LoadBalancerCost
	a.LoadBalancerCostAdjustment += b.LoadBalancerCostAdjustment
	a.PVCostAdjustment += b.PVCostAdjustment
	a.RAMByteHours += b.RAMByteHours
	a.RAMCost += b.RAMCost
	a.RAMCostAdjustment += b.RAMCostAdjustment
	a.SharedCost += b.SharedCost
	a.ExternalCost += b.ExternalCost
	a.RawAllocationOnly = nil

	if len(b.PVs) > 0 {
		if a.PVs == nil {
			a.PVs = PVAllocations{}
		}
		for k, v := range b.PVs {
			if cur, ok := a.PVs[k]; ok {
				cur.ByteHours += v.ByteHours
				cur.Cost += v.Cost
				if cur.ProviderID != v.ProviderID {
					cur.ProviderID = ""
				}
			} else {
				pv := *v
				a.PVs[k] = &pv
			}
		}
	}
	if len(b.LoadBalancers) > 0 {
		if a.LoadBalancers == nil {
			a.LoadBalancers = LbAllocations{}
		}
		for k, v := range b.LoadBalancers {
			if cur, ok := a.LoadBalancers[k]; ok {
				cur.Cost += v.Cost
				cur.Hours += v.Hours
				if cur.IP != v.IP {
					cur.IP = ""
				}
				cur.Private = cur.Private && v.Private
			} else {
				lb := *v
				a.LoadBalancers[k] = &lb
			}
		}
	}
}

// DefaultName is the un-aggregated name cluster/node/namespace/pod/container.
func (p *AllocationProperties) DefaultName() string {
	if p == nil {
		return ""
	}
	return strings.Join([]string{p.Cluster, p.Node, p.Namespace, p.Pod, p.Container}, "/")
}
