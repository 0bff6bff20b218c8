package api

import (
	"cmp"
	"encoding/json"
	"slices"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/shared/cost"
)

// allocDecimals is OpenCost's formatFloat64ForResponse rounding.
const allocDecimals = 5

type fw struct {
	b     []byte
	first bool
}

func (w *fw) key(k string) { w.b = appendKey(w.b, k, w.first); w.first = false }
func (w *fw) num(k string, v float64) {
	w.key(k)
	w.b = appendFloat(w.b, v, allocDecimals)
}
func (w *fw) str(k, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

func appendWindow(b []byte, win cost.Window) []byte {
	b = append(b, `{"start":`...)
	b = appendTime(b, win.Start)
	b = append(b, `,"end":`...)
	b = appendTime(b, win.End)
	return append(b, '}')
}

func appendProperties(b []byte, p *cost.AllocationProperties) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	j, err := json.Marshal(p) // maps sorted by key, omitempty fields as OpenCost
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, j...)
}

// appendAllocation writes one allocation with OpenCost's AllocationJSON keys and order;
// idle is the idle cost shared into it (cpuCostIdle, gpuCostIdle, ramCostIdle).
func appendAllocation(b []byte, a *cost.Allocation, idle cost.ResourceTotals) []byte {
	w := &fw{b: append(b, '{'), first: true}
	w.str("name", a.Name)
	w.key("properties")
	w.b = appendProperties(w.b, a.Properties)
	w.key("window")
	w.b = appendWindow(w.b, a.Window)
	w.key("start")
	w.b = appendTime(w.b, a.Start)
	w.key("end")
	w.b = appendTime(w.b, a.End)
	w.num("minutes", a.Minutes())
	w.num("cpuCores", a.CPUCores())
	w.num("cpuCoreRequestAverage", a.CPUCoreRequestAverage)
	w.num("cpuCoreUsageAverage", a.CPUCoreUsageAverage)
	w.num("cpuCoreHours", a.CPUCoreHours)
	w.num("cpuCost", a.CPUCost)
	w.num("cpuCostAdjustment", a.CPUCostAdjustment)
	w.num("cpuCostIdle", idle.CPU)
	w.num("cpuEfficiency", a.CPUEfficiency())
	w.num("gpuCount", a.GPUCount())
	w.num("gpuRequestAverage", a.GPURequestAverage)
	w.num("gpuUsageAverage", a.GPUUsageAverage)
	w.num("gpuHours", a.GPUHours)
	w.num("gpuCost", a.GPUCost)
	w.num("gpuCostAdjustment", a.GPUCostAdjustment)
	w.num("gpuCostIdle", idle.GPU)
	w.num("gpuEfficiency", a.GPUEfficiency())
	w.num("networkTransferBytes", a.NetworkTransferBytes)
	w.num("networkReceiveBytes", a.NetworkReceiveBytes)
	w.num("networkCost", a.NetworkCost)
	w.num("networkCrossZoneCost", a.NetworkCrossZoneCost)
	w.num("networkCrossRegionCost", a.NetworkCrossRegionCost)
	w.num("networkInternetCost", a.NetworkInternetCost)
	w.num("networkCostAdjustment", a.NetworkCostAdjustment)
	w.num("loadBalancerCost", a.LoadBalancerCost)
	w.num("loadBalancerCostAdjustment", a.LoadBalancerCostAdjustment)
	w.num("pvBytes", a.PVBytes())
	w.num("pvByteHours", a.PVByteHours())
	w.num("pvCost", a.PVCost())
	w.key("pvs")
	w.b = appendPVs(w.b, a.PVs)
	w.num("pvCostAdjustment", a.PVCostAdjustment)
	w.num("ramBytes", a.RAMBytes())
	w.num("ramByteRequestAverage", a.RAMBytesRequestAverage)
	w.num("ramByteUsageAverage", a.RAMBytesUsageAverage)
	w.num("ramByteHours", a.RAMByteHours)
	w.num("ramCost", a.RAMCost)
	w.num("ramCostAdjustment", a.RAMCostAdjustment)
	w.num("ramCostIdle", idle.RAM)
	w.num("ramEfficiency", a.RAMEfficiency())
	w.num("externalCost", a.ExternalCost)
	w.num("sharedCost", a.SharedCost)
	w.num("totalCost", a.TotalCost())
	w.num("totalEfficiency", a.TotalEfficiency())
	if r := a.RawAllocationOnly; r != nil {
		w.key("rawAllocationOnly")
		w.b = append(w.b, `{"cpuCoreUsageMax":`...)
		w.b = appendFloat(w.b, r.CPUCoreUsageMax, allocDecimals)
		w.b = append(w.b, `,"ramByteUsageMax":`...)
		w.b = appendFloat(w.b, r.RAMBytesUsageMax, allocDecimals)
		w.b = append(w.b, '}')
	}
	w.key("proportionalAssetResourceCosts")
	w.b = append(w.b, "null"...)
	w.key("lbAllocations")
	w.b = appendLBs(w.b, a.LoadBalancers)
	w.key("sharedCostBreakdown")
	w.b = append(w.b, "null"...)
	return append(w.b, '}')
}

func appendPVs(b []byte, pvs cost.PVAllocations) []byte {
	if pvs == nil {
		return append(b, "null"...)
	}
	keys := make([]cost.PVKey, 0, len(pvs))
	for k := range pvs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y cost.PVKey) int {
		if x.Cluster != y.Cluster {
			return cmp.Compare(x.Cluster, y.Cluster)
		}
		return cmp.Compare(x.Name, y.Name)
	})
	b = append(b, '{')
	for i, k := range keys {
		pv := pvs[k]
		w := &fw{b: appendKey(b, k.String(), i == 0), first: true}
		w.b = append(w.b, '{')
		w.num("byteHours", pv.ByteHours)
		w.num("cost", pv.Cost)
		if pv.ProviderID != "" {
			w.str("providerID", pv.ProviderID)
		}
		b = append(w.b, '}')
	}
	return append(b, '}')
}

func appendLBs(b []byte, lbs cost.LbAllocations) []byte {
	if lbs == nil {
		return append(b, "null"...)
	}
	keys := make([]string, 0, len(lbs))
	for k := range lbs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		lb := lbs[k]
		w := &fw{b: appendKey(b, k, i == 0), first: true}
		w.b = append(w.b, '{')
		w.str("service", lb.Service)
		w.num("cost", lb.Cost)
		w.key("private")
		w.b = appendBool(w.b, lb.Private)
		w.str("ip", lb.IP)
		w.num("hours", lb.Hours)
		b = append(w.b, '}')
	}
	return append(b, '}')
}

// appendAllocationSet writes {"<name>":{…},…} in the given order.
func appendAllocationSet(b []byte, s *engine.Set, items []*cost.Allocation, flush func([]byte) []byte) []byte {
	b = append(b, '{')
	for i, a := range items {
		b = appendKey(b, a.Name, i == 0)
		b = flush(appendAllocation(b, a, s.Idle[a.Name]))
	}
	return append(b, '}')
}

// appendSummary writes one allocation in the summary form (OpenCost SummaryAllocation plus
// totalEfficiency and totalCost; adjustments folded into the costs).
func appendSummary(b []byte, a *cost.Allocation, idle cost.ResourceTotals) []byte {
	w := &fw{b: append(b, '{'), first: true}
	w.str("name", a.Name)
	w.key("start")
	w.b = appendTime(w.b, a.Start)
	w.key("end")
	w.b = appendTime(w.b, a.End)
	w.num("cpuCoreRequestAverage", a.CPUCoreRequestAverage)
	w.num("cpuCoreUsageAverage", a.CPUCoreUsageAverage)
	w.num("cpuCost", a.CPUTotalCost())
	w.num("cpuCostIdle", idle.CPU)
	w.num("gpuRequestAverage", a.GPURequestAverage)
	w.num("gpuUsageAverage", a.GPUUsageAverage)
	w.num("gpuCost", a.GPUTotalCost())
	w.num("gpuCostIdle", idle.GPU)
	w.num("networkCost", a.NetworkTotalCost())
	w.num("loadBalancerCost", a.LBTotalCost())
	w.num("pvCost", a.PVTotalCost())
	w.num("ramByteRequestAverage", a.RAMBytesRequestAverage)
	w.num("ramByteUsageAverage", a.RAMBytesUsageAverage)
	w.num("ramCost", a.RAMTotalCost())
	w.num("ramCostIdle", idle.RAM)
	w.num("sharedCost", a.SharedCost)
	w.num("externalCost", a.ExternalCost)
	w.num("totalEfficiency", a.TotalEfficiency())
	w.num("totalCost", a.TotalCost())
	return append(w.b, '}')
}
