package engine

import "github.com/fedcost/fedcost/shared/cost"

// idleID is the id idle is computed and shared by: the cluster, or cluster/node.
func (o *Options) idleID(a *cost.Allocation) string {
	if a.Properties == nil {
		return ""
	}
	if o.IdleByNode {
		return a.Properties.Cluster + "/" + a.Properties.Node
	}
	return a.Properties.Cluster
}

// idleName is the name of an idle row in the result.
func (o *Options) idleName(a *cost.Allocation) string {
	if !o.SplitIdle {
		return cost.IdleSuffix
	}
	return o.idleID(a) + "/" + cost.IdleSuffix
}

func resources(a *cost.Allocation) cost.ResourceTotals {
	return cost.ResourceTotals{CPU: a.CPUTotalCost(), GPU: a.GPUTotalCost(), RAM: a.RAMTotalCost()}
}

// ratio is num/den per resource; where den is 0, fallback.
func ratio(num, den cost.ResourceTotals, fallback float64) cost.ResourceTotals {
	r := func(n, d float64) float64 {
		if d == 0 {
			return fallback
		}
		return n / d
	}
	return cost.ResourceTotals{CPU: r(num.CPU, den.CPU), GPU: r(num.GPU, den.GPU), RAM: r(num.RAM, den.RAM)}
}

func scale(t, by cost.ResourceTotals) cost.ResourceTotals {
	return cost.ResourceTotals{CPU: t.CPU * by.CPU, GPU: t.GPU * by.GPU, RAM: t.RAM * by.RAM}
}

// idleShare is the idle cost shareIdle moves onto a: per resource, the idle of a's idle id
// times a's share of the allocated cost of that id.
func idleShare(a *cost.Allocation, idle, allocated cost.ResourceTotals) cost.ResourceTotals {
	return scale(idle, ratio(resources(a), allocated, 0))
}

// idleRow is a new idle allocation named name carrying only the given costs.
func idleRow(src *cost.Allocation, name string, c cost.ResourceTotals) *cost.Allocation {
	return &cost.Allocation{
		Name: name, Properties: src.Properties, Window: src.Window, Start: src.Start, End: src.End,
		CPUCost: c.CPU, GPUCost: c.GPU, RAMCost: c.RAM,
	}
}

// addCosts adds idle costs to an allocation the engine owns.
func addCosts(a *cost.Allocation, c cost.ResourceTotals) {
	a.CPUCost += c.CPU
	a.GPUCost += c.GPU
	a.RAMCost += c.RAM
}
