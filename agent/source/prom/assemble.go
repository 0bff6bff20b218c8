package prom

import (
	"math"
	"slices"
	"time"

	"github.com/fedcost/fedcost/agent/pricing"
	"github.com/fedcost/fedcost/shared/cost"
)

const gib = 1 << 30

// assembler turns the raw results of one window into allocations and assets.
type assembler struct {
	cluster    string
	win        cost.Window // the set's window (the whole hour or day)
	start, end time.Time   // what was queried: [win.Start, min(win.End, now))
	step       time.Duration
	table      *pricing.Table
	r          *raw

	nodePrices map[string]pricing.NodePrices
}

// stepHours converts a count of steps to hours.
func (a *assembler) stepHours(steps float64) float64 { return steps * a.step.Hours() }

// span returns the [first step, last step + step) interval of a presence, inside the window.
func (a *assembler) span(p presence) (time.Time, time.Time) {
	s := time.Unix(int64(math.Round(p.first)), 0).UTC()
	e := time.Unix(int64(math.Round(p.last)), 0).UTC().Add(a.step)
	if s.Before(a.start) {
		s = a.start
	}
	if e.After(a.end) {
		e = a.end
	}
	return s, e
}

// priceNodes picks every node's prices: OpenCost pricing metric > instance-type override >
// spot/on-demand default.
func (a *assembler) priceNodes() {
	a.nodePrices = map[string]pricing.NodePrices{}
	for name, n := range a.r.nodes {
		np := a.table.ForNode(n.labels)
		if n.cpuPrice != nil {
			np.CPU, np.CPUFrom = *n.cpuPrice, pricing.FromMetric
		}
		if n.ramPrice != nil {
			np.RAM, np.RAMFrom = *n.ramPrice, pricing.FromMetric
		}
		if n.gpuPrice != nil {
			np.GPU, np.GPUFrom = *n.gpuPrice, pricing.FromMetric
		}
		a.nodePrices[name] = np
	}
}

func (a *assembler) pricesOf(node string) pricing.NodePrices {
	if np, ok := a.nodePrices[node]; ok {
		return np
	}
	return a.table.ForNode(nil)
}

// podShare is what a pod carries besides its containers' own resources; it is split evenly
// over the pod's containers.
type podShare struct {
	pvs      cost.PVAllocations
	lbs      cost.LbAllocations
	lbCost   float64
	services []string
}

// podHours is the longest running time of the pod's containers.
func (a *assembler) podHours(p *podData) float64 {
	var steps float64
	for _, c := range p.containers {
		steps = max(steps, c.steps)
	}
	return a.stepHours(steps)
}

// build produces the two sets.
func (a *assembler) build() (*cost.AllocationSet, *cost.AssetSet) {
	a.priceNodes()
	allocs := cost.NewAllocationSet(a.win)
	assets := cost.NewAssetSet(a.win)
	shares := map[nsName]*podShare{}
	share := func(k nsName) *podShare {
		s := shares[k]
		if s == nil {
			s = &podShare{}
			shares[k] = s
		}
		return s
	}
	for k, p := range a.r.pods {
		if svcs := a.servicesOf(k.ns, p); len(svcs) > 0 {
			share(k).services = svcs
		}
	}
	unmounted := map[string]*cost.Allocation{} // by namespace; "" is the cluster-level one
	a.attributePVs(share, unmounted)
	a.attributeLBs(shares, unmounted)

	for k, p := range a.r.pods {
		a.addContainers(allocs, k, p, shares[k])
	}
	for _, u := range unmounted {
		insert(allocs, u)
	}
	a.addNodes(assets)
	a.addDisks(assets)
	a.addLBs(assets)
	a.addClusterManagement(assets)
	return allocs, assets
}

func (a *assembler) addContainers(set *cost.AllocationSet, k nsName, p *podData, sh *podShare) {
	var running []string
	for name, c := range p.containers {
		if c.steps > 0 {
			running = append(running, name)
		}
	}
	if len(running) == 0 {
		return
	}
	slices.Sort(running)
	n := float64(len(running))
	np := a.pricesOf(p.node)
	kind, ctrl := a.r.controllerOf(k.ns, p.owner)
	var providerID string
	if nd := a.r.nodes[p.node]; nd != nil {
		providerID = nd.providerID
	}
	for _, name := range running {
		c := p.containers[name]
		hours := a.stepHours(c.steps)
		s, e := a.span(c.presence)
		props := &cost.AllocationProperties{
			Cluster: a.cluster, Node: p.node, Container: name, Controller: ctrl, ControllerKind: kind,
			Namespace: k.ns, Pod: k.name, ProviderID: providerID,
			// Label maps are built for this window only; they are shared by the pod's (and the
			// namespace's) allocations instead of being copied 20,000 times.
			Labels: p.labels, Annotations: p.annotations,
			NamespaceLabels: a.r.nsLabels[k.ns], NamespaceAnnotations: a.r.nsAnnos[k.ns],
		}
		al := &cost.Allocation{
			Name: props.DefaultName(), Properties: props, Window: a.win, Start: s, End: e,
			CPUCoreRequestAverage: c.cpuReq, CPUCoreUsageAverage: c.cpuUse,
			CPUCoreHours:           max(c.cpuReq, c.cpuUse) * hours,
			RAMBytesRequestAverage: c.ramReq, RAMBytesUsageAverage: c.ramUse,
			RAMByteHours:      max(c.ramReq, c.ramUse) * hours,
			GPURequestAverage: c.gpuReq, GPUHours: c.gpuReq * hours,
			NetworkReceiveBytes: p.rx / n, NetworkTransferBytes: p.tx / n,
			RawAllocationOnly: &cost.RawAllocationOnlyData{CPUCoreUsageMax: c.cpuMax, RAMBytesUsageMax: c.ramMax},
		}
		al.CPUCost = al.CPUCoreHours * np.CPU
		al.RAMCost = al.RAMByteHours / gib * np.RAM
		al.GPUCost = al.GPUHours * np.GPU
		if sh != nil {
			props.Services = slices.Clone(sh.services)
			for pk, pv := range sh.pvs {
				if al.PVs == nil {
					al.PVs = cost.PVAllocations{}
				}
				al.PVs[pk] = &cost.PVAllocation{ByteHours: pv.ByteHours / n, Cost: pv.Cost / n, ProviderID: pv.ProviderID}
			}
			for lk, lb := range sh.lbs {
				if al.LoadBalancers == nil {
					al.LoadBalancers = cost.LbAllocations{}
				}
				al.LoadBalancers[lk] = &cost.LbAllocation{Service: lb.Service, Cost: lb.Cost / n, IP: lb.IP, Hours: lb.Hours / n}
			}
			al.LoadBalancerCost = sh.lbCost / n
		}
		insert(set, al)
	}
}

// servicesOf returns the services whose endpoints hold the pod's IP (sorted). Host-network
// pods share their node's IP, so they are not matched.
func (a *assembler) servicesOf(ns string, p *podData) []string {
	if p.ip == "" || p.hostNetwork {
		return nil
	}
	eps := a.r.endpoints[nsName{ns, p.ip}]
	if len(eps) == 0 {
		return nil
	}
	out := slices.Clone(eps)
	slices.Sort(out)
	return slices.Compact(out)
}

// insert adds an allocation the assembler built and no longer touches, without the copy
// AllocationSet.Insert makes (names are unique per container; a clash still merges).
func insert(set *cost.AllocationSet, a *cost.Allocation) {
	if _, dup := set.Allocations[a.Name]; dup {
		set.Insert(a)
		return
	}
	set.Allocations[a.Name] = a
}
