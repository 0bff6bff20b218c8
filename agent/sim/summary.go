package sim

import (
	"sort"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// Totals add up what a set of windows holds.
type Totals struct {
	Windows        int
	Allocations    int     // allocation records
	Assets         int     // asset records
	AllocationCost float64 // Σ Allocation.TotalCost
	AssetCost      float64 // Σ Asset.TotalCost
	// IdleCost is Σ of cost.ComputeIdle over the windows: node cost not paid by allocations.
	IdleCost float64
}

// Add accumulates o into t.
func (t *Totals) Add(o Totals) {
	t.Windows += o.Windows
	t.Allocations += o.Allocations
	t.Assets += o.Assets
	t.AllocationCost += o.AllocationCost
	t.AssetCost += o.AssetCost
	t.IdleCost += o.IdleCost
}

// TotalsOf computes the totals of one window's sets, summing in name order so that equal
// sets give bit-identical totals. Tests use it on decoded uploads to reconcile with a Summary.
func TotalsOf(allocs *cost.AllocationSet, assets *cost.AssetSet) Totals {
	t := Totals{Windows: 1}
	if allocs != nil {
		t.Allocations = allocs.Len()
		for _, n := range allocs.Names() {
			t.AllocationCost += allocs.Allocations[n].TotalCost()
		}
	}
	if assets != nil {
		t.Assets = len(assets.Assets)
		for _, k := range sortedKeys(assets.Assets) {
			t.AssetCost += assets.Assets[k].TotalCost()
		}
	}
	for _, row := range cost.ComputeIdle(allocs, assets, false) {
		t.IdleCost += row.TotalCost()
	}
	return t
}

// ClusterSummary holds one cluster's totals per resolution.
type ClusterSummary struct {
	Cluster string
	Daily   Totals
	Hourly  Totals
}

// Of returns the totals of resolution r.
func (c ClusterSummary) Of(r layout.Resolution) Totals {
	if r == layout.Daily {
		return c.Daily
	}
	return c.Hourly
}

// Summary says what Generate wrote. It is deterministic for equal Options.
type Summary struct {
	Clusters   []ClusterSummary // in ClusterIDs order
	Files      int              // uploads written (heartbeats excluded)
	Heartbeats int
	Bytes      int64 // bytes of uploads and heartbeats
}

// Total sums every cluster's totals of resolution r.
func (s Summary) Total(r layout.Resolution) Totals {
	var t Totals
	for _, c := range s.Clusters {
		t.Add(c.Of(r))
	}
	return t
}

// Cluster returns the summary of one cluster id.
func (s Summary) Cluster(id string) (ClusterSummary, bool) {
	for _, c := range s.Clusters {
		if c.Cluster == id {
			return c, true
		}
	}
	return ClusterSummary{}, false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
