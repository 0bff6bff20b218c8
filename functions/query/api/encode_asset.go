package api

import (
	"encoding/json"

	"github.com/fedcost/fedcost/shared/cost"
)

// assetDecimals is OpenCost's asset float precision (%f).
const assetDecimals = 6

func (w *fw) anum(k string, v float64) {
	w.key(k)
	w.b = appendFloat(w.b, v, assetDecimals)
}

func (w *fw) optNum(k string, v *float64) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = appendFloat(w.b, *v, assetDecimals)
}

func (w *fw) breakdown(k string, b *cost.Breakdown) {
	w.key(k)
	if b == nil {
		w.b = append(w.b, "null"...)
		return
	}
	in := &fw{b: append(w.b, '{'), first: true}
	in.anum("idle", b.Idle)
	in.anum("other", b.Other)
	in.anum("system", b.System)
	in.anum("user", b.User)
	w.b = append(in.b, '}')
}

func perHour(v, minutes float64) float64 {
	if minutes <= 0 {
		return 0
	}
	return v / (minutes / 60)
}

// appendAsset writes one asset with OpenCost's per-type JSON keys (asset_json.go).
func appendAsset(b []byte, a *cost.Asset) []byte {
	w := &fw{b: append(b, '{'), first: true}
	if a.Type != cost.AnyAssetType {
		w.str("type", a.Type.String())
	}
	w.key("properties")
	if p, err := json.Marshal(a.Properties); err == nil {
		w.b = append(w.b, p...)
	} else {
		w.b = append(w.b, "null"...)
	}
	w.key("labels")
	if l, err := json.Marshal(a.Labels); err == nil {
		w.b = append(w.b, l...)
	} else {
		w.b = append(w.b, "null"...)
	}
	w.key("window")
	w.b = appendWindow(w.b, a.Window)
	start, end := a.Start, a.End
	if a.Type == cost.ClusterManagementAssetType || a.Type == cost.SharedAssetType {
		start, end = a.Window.Start, a.Window.End
	}
	w.key("start")
	w.b = appendTime(w.b, start)
	w.key("end")
	w.b = appendTime(w.b, end)
	minutes := end.Sub(start).Minutes()
	w.anum("minutes", minutes)
	switch a.Type {
	case cost.CloudAssetType:
		w.anum("adjustment", a.Adjustment)
		w.anum("credit", a.Credit)
	case cost.ClusterManagementAssetType, cost.SharedAssetType:
	case cost.DiskAssetType:
		w.anum("byteHours", a.ByteHours)
		w.anum("bytes", perHour(a.ByteHours, minutes))
		w.optNum("byteHoursUsed", a.ByteHoursUsed)
		w.optNum("byteUsageMax", a.ByteUsageMax)
		w.breakdown("breakdown", a.Breakdown)
		w.anum("adjustment", a.Adjustment)
	case cost.NodeAssetType:
		w.str("nodeType", a.NodeType)
		w.anum("cpuCores", perHour(a.CPUCoreHours, minutes))
		w.anum("ramBytes", perHour(a.RAMByteHours, minutes))
		w.anum("cpuCoreHours", a.CPUCoreHours)
		w.anum("ramByteHours", a.RAMByteHours)
		w.anum("GPUHours", a.GPUHours)
		w.breakdown("cpuBreakdown", a.CPUBreakdown)
		w.breakdown("ramBreakdown", a.RAMBreakdown)
		w.anum("preemptible", a.Preemptible)
		w.anum("discount", a.Discount)
		w.anum("cpuCost", a.CPUCost)
		w.anum("gpuCost", a.GPUCost)
		w.anum("gpuCount", a.GPUCount)
		w.anum("ramCost", a.RAMCost)
		w.anum("adjustment", a.Adjustment)
		if o := a.Overhead; o != nil {
			w.key("overhead")
			in := &fw{b: append(w.b, '{'), first: true}
			in.anum("cpuOverheadFraction", o.CPUOverheadFraction)
			in.anum("ramOverheadFraction", o.RAMOverheadFraction)
			in.anum("overheadCostFraction", o.OverheadCostFraction)
			w.b = append(in.b, '}')
		}
	default: // Any, Network, LoadBalancer
		w.anum("adjustment", a.Adjustment)
	}
	w.anum("totalCost", a.TotalCost())
	switch a.Type {
	case cost.DiskAssetType:
		w.str("storageClass", a.StorageClass)
		w.str("volumeName", a.VolumeName)
		w.str("claimName", a.ClaimName)
		w.str("claimNamespace", a.ClaimNamespace)
	case cost.LoadBalancerAssetType:
		w.key("private")
		w.b = appendBool(w.b, a.Private)
		w.str("ip", a.IP)
	}
	return append(w.b, '}')
}

// appendAssetSet writes {"<key>":{…},…} for the keys in order.
func appendAssetSet(b []byte, s *cost.AssetSet, keys []string, flush func([]byte) []byte) []byte {
	b = append(b, '{')
	for i, k := range keys {
		b = appendKey(b, k, i == 0)
		b = flush(appendAsset(b, s.Assets[k]))
	}
	return append(b, '}')
}
