package opencost

import (
	"encoding/json"
	"fmt"

	"github.com/fedcost/fedcost/shared/cost"
)

// assetsData is the data of /assets: one map of assets, or (with several steps) a list of
// them.
type assetsData []map[string]*ocAsset

func (d *assetsData) UnmarshalJSON(b []byte) error {
	var one map[string]*ocAsset
	if err := json.Unmarshal(b, &one); err == nil {
		*d = assetsData{one}
		return nil
	}
	var many []map[string]*ocAsset
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("assets: want an object of assets or a list of them: %w", err)
	}
	*d = many
	return nil
}

// ocAsset is OpenCost's asset JSON (all types in one struct). Non-node types carry only
// totalCost and adjustment (and credit for Cloud); the cost is derived from them.
type ocAsset struct {
	Type       string               `json:"type"`
	Properties cost.AssetProperties `json:"properties"`
	Labels     map[string]string    `json:"labels"`
	Start      stamp                `json:"start"`
	End        stamp                `json:"end"`
	Adjustment num                  `json:"adjustment"`
	TotalCost  num                  `json:"totalCost"`
	Credit     num                  `json:"credit"`

	NodeType     string       `json:"nodeType"`
	CPUCoreHours num          `json:"cpuCoreHours"`
	RAMByteHours num          `json:"ramByteHours"`
	GPUHours     num          `json:"GPUHours"`
	GPUHoursLC   num          `json:"gpuHours"`
	GPUCount     num          `json:"gpuCount"`
	CPUBreakdown *ocBreakdown `json:"cpuBreakdown"`
	RAMBreakdown *ocBreakdown `json:"ramBreakdown"`
	CPUCost      num          `json:"cpuCost"`
	GPUCost      num          `json:"gpuCost"`
	RAMCost      num          `json:"ramCost"`
	Discount     num          `json:"discount"`
	Preemptible  num          `json:"preemptible"`
	Overhead     *struct {
		CPUOverheadFraction  num `json:"cpuOverheadFraction"`
		RAMOverheadFraction  num `json:"ramOverheadFraction"`
		OverheadCostFraction num `json:"overheadCostFraction"`
	} `json:"overhead"`

	ByteHours      num          `json:"byteHours"`
	ByteHoursUsed  *num         `json:"byteHoursUsed"`
	ByteUsageMax   *num         `json:"byteUsageMax"`
	Local          num          `json:"local"`
	Breakdown      *ocBreakdown `json:"breakdown"`
	StorageClass   string       `json:"storageClass"`
	VolumeName     string       `json:"volumeName"`
	ClaimName      string       `json:"claimName"`
	ClaimNamespace string       `json:"claimNamespace"`

	Private bool   `json:"private"`
	IP      string `json:"ip"`
}

type ocBreakdown struct {
	Idle   num `json:"idle"`
	Other  num `json:"other"`
	System num `json:"system"`
	User   num `json:"user"`
}

func (b *ocBreakdown) convert() *cost.Breakdown {
	if b == nil {
		return nil
	}
	return &cost.Breakdown{Idle: float64(b.Idle), Other: float64(b.Other), System: float64(b.System), User: float64(b.User)}
}

func fraction(v num) float64 { return min(max(float64(v), 0), 1) }

func (f *fixer) asset(key string, o *ocAsset) *cost.Asset {
	if o == nil {
		return nil
	}
	t := cost.AnyAssetType
	if o.Type != "" {
		var err error
		if t, err = cost.ParseAssetType(o.Type); err != nil {
			f.note("%s: %v (skipped)", key, err)
			return nil
		}
	}
	start, end := f.span(o.Start.Time, o.End.Time)
	props := o.Properties
	props.Cluster = f.cluster
	a := &cost.Asset{Type: t, Properties: props, Labels: o.Labels, Window: f.window, Start: start, End: end,
		Adjustment: float64(o.Adjustment)}
	switch t {
	case cost.NodeAssetType:
		a.NodeType = o.NodeType
		a.CPUCoreHours = f.nonNeg(key, "cpuCoreHours", o.CPUCoreHours)
		a.RAMByteHours = f.nonNeg(key, "ramByteHours", o.RAMByteHours)
		a.GPUHours = f.nonNeg(key, "GPUHours", max(o.GPUHours, o.GPUHoursLC))
		a.GPUCount = f.nonNeg(key, "gpuCount", o.GPUCount)
		a.CPUCost = f.nonNeg(key, "cpuCost", o.CPUCost)
		a.RAMCost = f.nonNeg(key, "ramCost", o.RAMCost)
		a.GPUCost = f.nonNeg(key, "gpuCost", o.GPUCost)
		a.Discount = fraction(o.Discount)
		a.Preemptible = fraction(o.Preemptible)
		a.CPUBreakdown = o.CPUBreakdown.convert()
		a.RAMBreakdown = o.RAMBreakdown.convert()
		if ov := o.Overhead; ov != nil {
			a.Overhead = &cost.NodeOverhead{CPUOverheadFraction: float64(ov.CPUOverheadFraction),
				RAMOverheadFraction: float64(ov.RAMOverheadFraction), OverheadCostFraction: float64(ov.OverheadCostFraction)}
		}
		return a
	case cost.CloudAssetType:
		a.Credit = float64(o.Credit)
		a.Cost = f.nonNeg(key, "cost", o.TotalCost-o.Adjustment-o.Credit)
	case cost.SharedAssetType:
		a.Cost = f.nonNeg(key, "cost", o.TotalCost)
		a.Adjustment = 0
	default:
		a.Cost = f.nonNeg(key, "cost", o.TotalCost-o.Adjustment)
	}
	if t == cost.DiskAssetType {
		a.ByteHours = f.nonNeg(key, "byteHours", o.ByteHours)
		a.Local = fraction(o.Local)
		a.Breakdown = o.Breakdown.convert()
		a.StorageClass, a.VolumeName, a.ClaimName, a.ClaimNamespace = o.StorageClass, o.VolumeName, o.ClaimName, o.ClaimNamespace
		if o.ByteHoursUsed != nil {
			v := f.nonNeg(key, "byteHoursUsed", *o.ByteHoursUsed)
			a.ByteHoursUsed = &v
		}
		if o.ByteUsageMax != nil {
			v := f.nonNeg(key, "byteUsageMax", *o.ByteUsageMax)
			a.ByteUsageMax = &v
		}
	}
	if t == cost.LoadBalancerAssetType {
		a.Private, a.IP = o.Private, o.IP
	}
	return a
}
