package opencost

import (
	"fmt"
	"strings"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

// ocAllocation is OpenCost's allocation JSON (AllocationJSON). Computed keys (cpuCores,
// totalCost, efficiencies, minutes, …) are not read; the window is not read either (its
// bounds may be the string "null").
type ocAllocation struct {
	Name       string                     `json:"name"`
	Properties *cost.AllocationProperties `json:"properties"`
	Start      stamp                      `json:"start"`
	End        stamp                      `json:"end"`

	CPUCoreHours          num `json:"cpuCoreHours"`
	CPUCoreRequestAverage num `json:"cpuCoreRequestAverage"`
	CPUCoreUsageAverage   num `json:"cpuCoreUsageAverage"`
	CPUCost               num `json:"cpuCost"`
	CPUCostAdjustment     num `json:"cpuCostAdjustment"`

	GPUHours          num `json:"gpuHours"`
	GPURequestAverage num `json:"gpuRequestAverage"`
	GPUUsageAverage   num `json:"gpuUsageAverage"`
	GPUCost           num `json:"gpuCost"`
	GPUCostAdjustment num `json:"gpuCostAdjustment"`

	NetworkTransferBytes   num `json:"networkTransferBytes"`
	NetworkReceiveBytes    num `json:"networkReceiveBytes"`
	NetworkCost            num `json:"networkCost"`
	NetworkCrossZoneCost   num `json:"networkCrossZoneCost"`
	NetworkCrossRegionCost num `json:"networkCrossRegionCost"`
	NetworkInternetCost    num `json:"networkInternetCost"`
	NetworkCostAdjustment  num `json:"networkCostAdjustment"`

	LoadBalancerCost           num                        `json:"loadBalancerCost"`
	LoadBalancerCostAdjustment num                        `json:"loadBalancerCostAdjustment"`
	LBAllocations              map[string]*ocLBAllocation `json:"lbAllocations"`

	PVs              map[string]*ocPVAllocation `json:"pvs"`
	PVCostAdjustment num                        `json:"pvCostAdjustment"`

	RAMByteHours           num `json:"ramByteHours"`
	RAMBytesRequestAverage num `json:"ramByteRequestAverage"`
	RAMBytesUsageAverage   num `json:"ramByteUsageAverage"`
	RAMCost                num `json:"ramCost"`
	RAMCostAdjustment      num `json:"ramCostAdjustment"`

	SharedCost   num `json:"sharedCost"`
	ExternalCost num `json:"externalCost"`

	RawAllocationOnly *struct {
		CPUCoreUsageMax  num `json:"cpuCoreUsageMax"`
		RAMBytesUsageMax num `json:"ramByteUsageMax"`
	} `json:"rawAllocationOnly"`
}

type ocPVAllocation struct {
	ByteHours  num    `json:"byteHours"`
	Cost       num    `json:"cost"`
	ProviderID string `json:"providerID"`
}

type ocLBAllocation struct {
	Service string `json:"service"`
	Cost    num    `json:"cost"`
	Private bool   `json:"private"`
	IP      string `json:"ip"`
	Hours   num    `json:"hours"`
}

// fixer converts OpenCost records to the agent's cluster and window and notes what it had to
// change.
type fixer struct {
	cluster string
	window  cost.Window
	notes   []string
}

func (f *fixer) note(format string, args ...any) {
	f.notes = append(f.notes, fmt.Sprintf(format, args...))
}

// nonNeg returns v, or 0 (noted) when v is negative.
func (f *fixer) nonNeg(name, field string, v num) float64 {
	if v < 0 {
		f.note("%s: %s %v set to 0", name, field, float64(v))
		return 0
	}
	return float64(v)
}

// span clips [start, end) to the window; unset bounds become the window's.
func (f *fixer) span(start, end time.Time) (time.Time, time.Time) {
	w := f.window
	if start.IsZero() || start.Before(w.Start) {
		start = w.Start
	}
	if end.IsZero() || end.After(w.End) {
		end = w.End
	}
	if start.After(w.End) {
		start = w.End
	}
	if end.Before(start) {
		end = start
	}
	return start, end
}

// rename moves a name or key from OpenCost's cluster id to ours.
func (f *fixer) rename(name, from string) string {
	if from != "" && from != f.cluster {
		if rest, ok := strings.CutPrefix(name, from+"/"); ok {
			return f.cluster + "/" + rest
		}
	}
	return name
}

func (f *fixer) allocation(key string, o *ocAllocation) *cost.Allocation {
	if o == nil || strings.Contains(key, cost.IdleSuffix) || strings.Contains(o.Name, cost.IdleSuffix) {
		return nil
	}
	name := o.Name
	if name == "" {
		name = key
	}
	props := o.Properties.Clone()
	if props == nil {
		props = &cost.AllocationProperties{}
	}
	from := props.Cluster
	props.Cluster = f.cluster
	name = f.rename(name, from)
	start, end := f.span(o.Start.Time, o.End.Time)
	a := &cost.Allocation{
		Name: name, Properties: props, Window: f.window, Start: start, End: end,
		CPUCoreHours:          f.nonNeg(name, "cpuCoreHours", o.CPUCoreHours),
		CPUCoreRequestAverage: f.nonNeg(name, "cpuCoreRequestAverage", o.CPUCoreRequestAverage),
		CPUCoreUsageAverage:   f.nonNeg(name, "cpuCoreUsageAverage", o.CPUCoreUsageAverage),
		CPUCost:               f.nonNeg(name, "cpuCost", o.CPUCost),
		CPUCostAdjustment:     float64(o.CPUCostAdjustment),
		GPUHours:              f.nonNeg(name, "gpuHours", o.GPUHours),
		GPURequestAverage:     f.nonNeg(name, "gpuRequestAverage", o.GPURequestAverage),
		GPUUsageAverage:       f.nonNeg(name, "gpuUsageAverage", o.GPUUsageAverage),
		GPUCost:               f.nonNeg(name, "gpuCost", o.GPUCost),
		GPUCostAdjustment:     float64(o.GPUCostAdjustment),

		NetworkTransferBytes:   f.nonNeg(name, "networkTransferBytes", o.NetworkTransferBytes),
		NetworkReceiveBytes:    f.nonNeg(name, "networkReceiveBytes", o.NetworkReceiveBytes),
		NetworkCost:            f.nonNeg(name, "networkCost", o.NetworkCost),
		NetworkCrossZoneCost:   f.nonNeg(name, "networkCrossZoneCost", o.NetworkCrossZoneCost),
		NetworkCrossRegionCost: f.nonNeg(name, "networkCrossRegionCost", o.NetworkCrossRegionCost),
		NetworkInternetCost:    f.nonNeg(name, "networkInternetCost", o.NetworkInternetCost),
		NetworkCostAdjustment:  float64(o.NetworkCostAdjustment),

		LoadBalancerCost:           f.nonNeg(name, "loadBalancerCost", o.LoadBalancerCost),
		LoadBalancerCostAdjustment: float64(o.LoadBalancerCostAdjustment),
		PVCostAdjustment:           float64(o.PVCostAdjustment),

		RAMByteHours:           f.nonNeg(name, "ramByteHours", o.RAMByteHours),
		RAMBytesRequestAverage: f.nonNeg(name, "ramByteRequestAverage", o.RAMBytesRequestAverage),
		RAMBytesUsageAverage:   f.nonNeg(name, "ramByteUsageAverage", o.RAMBytesUsageAverage),
		RAMCost:                f.nonNeg(name, "ramCost", o.RAMCost),
		RAMCostAdjustment:      float64(o.RAMCostAdjustment),
		SharedCost:             f.nonNeg(name, "sharedCost", o.SharedCost),
		ExternalCost:           f.nonNeg(name, "externalCost", o.ExternalCost),
	}
	if r := o.RawAllocationOnly; r != nil {
		a.RawAllocationOnly = &cost.RawAllocationOnlyData{
			CPUCoreUsageMax:  f.nonNeg(name, "cpuCoreUsageMax", r.CPUCoreUsageMax),
			RAMBytesUsageMax: f.nonNeg(name, "ramByteUsageMax", r.RAMBytesUsageMax),
		}
	}
	for k, pv := range o.PVs {
		if pv == nil {
			continue
		}
		var pk cost.PVKey
		if err := pk.UnmarshalText([]byte(k)); err != nil {
			f.note("%s: %v", name, err)
			continue
		}
		pk.Cluster = f.cluster
		if a.PVs == nil {
			a.PVs = cost.PVAllocations{}
		}
		a.PVs[pk] = &cost.PVAllocation{ByteHours: f.nonNeg(name, "pvs.byteHours", pv.ByteHours),
			Cost: f.nonNeg(name, "pvs.cost", pv.Cost), ProviderID: pv.ProviderID}
	}
	for k, lb := range o.LBAllocations {
		if lb == nil {
			continue
		}
		if a.LoadBalancers == nil {
			a.LoadBalancers = cost.LbAllocations{}
		}
		a.LoadBalancers[f.rename(k, from)] = &cost.LbAllocation{Service: lb.Service, Cost: f.nonNeg(name, "lbAllocations.cost", lb.Cost),
			Private: lb.Private, IP: lb.IP, Hours: f.nonNeg(name, "lbAllocations.hours", lb.Hours)}
	}
	return a
}
