package cost

import "sort"

// ResourceTotals are CPU, GPU and RAM costs including adjustments.
type ResourceTotals struct {
	CPU, GPU, RAM float64
}

// Total is CPU + GPU + RAM.
func (r ResourceTotals) Total() float64 { return r.CPU + r.GPU + r.RAM }

// NodeResourceCosts splits a node asset's total cost into CPU, GPU and RAM as OpenCost's
// ComputeAssetTotals does: the discount applies to CPU and RAM, and the adjustment is spread
// over all three in proportion (rate = TotalCost / (TotalCost − Adjustment)). The three parts
// sum to the node's TotalCost.
func NodeResourceCosts(n *Asset) ResourceTotals {
	cpu := n.CPUCost * (1 - n.Discount)
	ram := n.RAMCost * (1 - n.Discount)
	gpu := n.GPUCost
	base := cpu + ram + gpu
	if base == 0 {
		return ResourceTotals{}
	}
	rate := (base + n.Adjustment) / base
	return ResourceTotals{CPU: cpu * rate, GPU: gpu * rate, RAM: ram * rate}
}

type nodeKey struct{ cluster, node string }

// ComputeIdle returns the idle allocations of one window: for every node asset, the node's
// CPU, GPU and RAM cost (NodeResourceCosts) minus the CPU, GPU and RAM cost (with adjustments)
// of the allocations that ran on it (by cluster and node name; idle and unmounted allocations
// excluded). Allocated + idle equals the node's total cost exactly. Idle may be negative when
// allocations exceed the node's price (over-commit), so the identity still holds.
//
// byNode names rows <cluster>/<node>/__idle__; otherwise one <cluster>/__idle__ row per
// cluster sums its nodes. Rows are returned sorted by name.
func ComputeIdle(allocs *AllocationSet, assets *AssetSet, byNode bool) []*Allocation {
	allocated := map[nodeKey]ResourceTotals{}
	if allocs != nil {
		// Sum in name order: float addition is not associative, and equal inputs must give
		// equal bits.
		for _, name := range allocs.Names() {
			a := allocs.Allocations[name]
			if a.IsIdle() || a.IsUnmounted() || a.Properties == nil {
				continue
			}
			k := nodeKey{a.Properties.Cluster, a.Properties.Node}
			t := allocated[k]
			t.CPU += a.CPUTotalCost()
			t.GPU += a.GPUTotalCost()
			t.RAM += a.RAMTotalCost()
			allocated[k] = t
		}
	}
	rows := map[string]*Allocation{}
	if assets == nil {
		return nil
	}
	keys := make([]string, 0, len(assets.Assets))
	for k := range assets.Assets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		n := assets.Assets[key]
		if n.Type != NodeAssetType {
			continue
		}
		k := nodeKey{n.Properties.Cluster, n.Properties.Name}
		node := NodeResourceCosts(n)
		used := allocated[k]
		idle := &Allocation{
			Window: n.Window, Start: n.Start, End: n.End,
			CPUCost: node.CPU - used.CPU, GPUCost: node.GPU - used.GPU, RAMCost: node.RAM - used.RAM,
			Properties: &AllocationProperties{Cluster: k.cluster},
		}
		if byNode {
			idle.Name = k.cluster + "/" + k.node + "/" + IdleSuffix
			idle.Properties.Node = k.node
			idle.Properties.ProviderID = n.Properties.ProviderID
		} else {
			idle.Name = k.cluster + "/" + IdleSuffix
		}
		if cur, ok := rows[idle.Name]; ok {
			cur.Add(idle)
			cur.Name = idle.Name
			continue
		}
		rows[idle.Name] = idle
	}
	out := make([]*Allocation, 0, len(rows))
	for _, r := range rows {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
