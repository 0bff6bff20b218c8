// Package cost is fedcost's cost data model: Allocations, Assets, Windows and sets of them, with
// the field names, JSON keys, cost formulas and add/merge rules of OpenCost/Kubecost
// (see ../../README.md and the data-model reference). It is pure code: no I/O, no clocks.
//
// Formulas (OpenCost allocation.go / asset.go):
//
//	Allocation.TotalCost = (CPUCost+CPUCostAdjustment) + (GPUCost+GPUCostAdjustment) + (RAMCost+RAMCostAdjustment)
//	                     + (ΣPVs.Cost+PVCostAdjustment) + (NetworkCost+NetworkCostAdjustment)
//	                     + (LoadBalancerCost+LoadBalancerCostAdjustment) + SharedCost + ExternalCost
//	Node.TotalCost       = (CPUCost+RAMCost)·(1−Discount) + GPUCost + Adjustment
//	Cloud.TotalCost      = Cost + Adjustment + Credit; other assets Cost + Adjustment
//
// Adding two allocations (Allocation.Add) intersects their properties, widens the window, sums
// hours, bytes and costs, and re-weights request/usage averages by minutes.
package cost

// Special allocation names (OpenCost constants). Predicates test with strings.Contains.
const (
	IdleSuffix        = "__idle__"
	UnallocatedSuffix = "__unallocated__"
	UnmountedSuffix   = "__unmounted__"
	ExternalSuffix    = "__external__"
	SharedSuffix      = "__shared__"
	FilteredSuffix    = "__filtered__"
	// UndefinedAssetProperty stands for an empty property in asset keys.
	UndefinedAssetProperty = "__undefined__"
)

// HoursPerMonth converts monthly prices to hourly ones (OpenCost timeutil.HoursPerMonth).
const HoursPerMonth = 730.0
