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
	// IdleCost is node cost not paid by allocations: Σ cost.NodeResourceCosts of the nodes
	// minus the CPU, GPU and RAM costs of the allocations on them (the total of
	// cost.ComputeIdle, summed in a fixed order).
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
	type nodeKey struct{ cluster, node string }
	nodes := map[nodeKey]bool{}
	if assets != nil {
		t.Assets = len(assets.Assets)
		for _, k := range sortedKeys(assets.Assets) {
			a := assets.Assets[k]
			t.AssetCost += a.TotalCost()
			if a.Type == cost.NodeAssetType {
				nodes[nodeKey{a.Properties.Cluster, a.Properties.Name}] = true
				t.IdleCost += cost.NodeResourceCosts(a).Total()
			}
		}
	}
	if allocs != nil {
		t.Allocations = allocs.Len()
		for _, n := range allocs.Names() {
			a := allocs.Allocations[n]
			t.AllocationCost += a.TotalCost()
			if a.Properties != nil && !a.IsIdle() && !a.IsUnmounted() && nodes[nodeKey{a.Properties.Cluster, a.Properties.Node}] {
				t.IdleCost -= a.CPUTotalCost() + a.GPUTotalCost() + a.RAMTotalCost()
			}
		}
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
