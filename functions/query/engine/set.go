package engine

import (
	"cmp"
	"slices"

	"github.com/fedcost/fedcost/shared/cost"
)

// Set is the result of aggregating one window: allocations by name (the aggregation key), and
// the idle cost that shareIdle moved into each (OpenCost's cpuCostIdle, gpuCostIdle,
// ramCostIdle, which cost.Allocation does not carry). The engine owns every allocation in it.
type Set struct {
	Window      cost.Window
	Allocations map[string]*cost.Allocation
	Idle        map[string]cost.ResourceTotals
	// shared sets are remembered by a Memo: nothing may modify them.
	shared bool
}

func newSet(w cost.Window) *Set {
	return &Set{Window: w, Allocations: map[string]*cost.Allocation{}, Idle: map[string]cost.ResourceTotals{}}
}

// TotalCost sums the total cost of every allocation.
func (s *Set) TotalCost() float64 {
	var t float64
	for _, a := range s.Allocations {
		t += a.TotalCost()
	}
	return t
}

// Sorted returns the allocations by total cost descending, then by name.
func (s *Set) Sorted() []*cost.Allocation {
	out := make([]*cost.Allocation, 0, len(s.Allocations))
	for _, a := range s.Allocations {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *cost.Allocation) int {
		if c := cmp.Compare(b.TotalCost(), a.TotalCost()); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// Page returns items[offset:offset+limit] (limit <= 0: no limit), clamped to the slice.
func Page[T any](items []T, offset, limit int) []T {
	if offset >= len(items) {
		return nil
	}
	if offset > 0 {
		items = items[offset:]
	}
	if limit > 0 && limit < len(items) {
		items = items[:limit]
	}
	return items
}

// insert adds a under name: a private copy the first time, merged after.
func (s *Set) insert(name string, a *cost.Allocation) *cost.Allocation {
	if cur, ok := s.Allocations[name]; ok {
		addInto(cur, a)
		return cur
	}
	c := a.Clone()
	c.Name = name
	s.Allocations[name] = c
	return c
}

// own returns s, or a deep copy of s when it is shared.
func (s *Set) own() *Set {
	if !s.shared {
		return s
	}
	c := &Set{Window: s.Window, Allocations: make(map[string]*cost.Allocation, len(s.Allocations)),
		Idle: make(map[string]cost.ResourceTotals, len(s.Idle))}
	for name, a := range s.Allocations {
		c.Allocations[name] = a.Clone()
	}
	for name, t := range s.Idle {
		c.Idle[name] = t
	}
	return c
}

// insertDeferringPVs is insert that leaves a's volumes out: the caller merges them later.
func (s *Set) insertDeferringPVs(name string, a *cost.Allocation) *cost.Allocation {
	if cur, ok := s.Allocations[name]; ok {
		addFields(cur, a, false)
		return cur
	}
	shallow := *a
	shallow.PVs = nil
	c := shallow.Clone()
	c.Name = name
	s.Allocations[name] = c
	return c
}

// merge folds o into s (accumulation); s must be owned. Allocations of an owned o are taken
// over, those of a shared o copied.
func (s *Set) merge(o *Set) {
	s.Window = s.Window.Expand(o.Window)
	for name, a := range o.Allocations {
		if cur, ok := s.Allocations[name]; ok {
			addInto(cur, a)
		} else if o.shared {
			s.Allocations[name] = a.Clone()
		} else {
			s.Allocations[name] = a
		}
	}
	for name, t := range o.Idle {
		s.Idle[name] = addTotals(s.Idle[name], t)
	}
}

func addTotals(a, b cost.ResourceTotals) cost.ResourceTotals {
	return cost.ResourceTotals{CPU: a.CPU + b.CPU, GPU: a.GPU + b.GPU, RAM: a.RAM + b.RAM}
}

// Add merges src into dst like cost.Allocation.Add, but with OpenCost's averages (request and
// usage averages weighted by minutes and divided by the merged window's minutes) and with
// dst's properties intersected in place. dst must be owned by the caller.
func Add(dst, src *cost.Allocation) { addInto(dst, src) }

// addInto is cost.Allocation.Add without its per-call property copy (properties are
// intersected in place, dst owns them) and with OpenCost's averages: request and usage
// averages are weighted by minutes and divided by the merged window's minutes, so two
// concurrent containers requesting one core each average two cores. It is the engine's hot
// loop, so it sums the fields itself; TestAddIntoMatchesCostAdd keeps it equal to cost.Add.
func addInto(dst, src *cost.Allocation) { addFields(dst, src, true) }

// addFields is addInto, leaving out the volumes unless withPVs.
func addFields(dst, src *cost.Allocation, withPVs bool) {
	dm, sm := dst.End.Sub(dst.Start).Minutes(), src.End.Sub(src.Start).Minutes()
	cpuReq := dst.CPUCoreRequestAverage*dm + src.CPUCoreRequestAverage*sm
	cpuUse := dst.CPUCoreUsageAverage*dm + src.CPUCoreUsageAverage*sm
	ramReq := dst.RAMBytesRequestAverage*dm + src.RAMBytesRequestAverage*sm
	ramUse := dst.RAMBytesUsageAverage*dm + src.RAMBytesUsageAverage*sm
	gpuReq := dst.GPURequestAverage*dm + src.GPURequestAverage*sm
	gpuUse := dst.GPUUsageAverage*dm + src.GPUUsageAverage*sm

	dst.Window = dst.Window.Expand(src.Window)
	if src.Start.Before(dst.Start) || dst.Start.IsZero() {
		dst.Start = src.Start
	}
	if src.End.After(dst.End) {
		dst.End = src.End
	}
	if m := dst.End.Sub(dst.Start).Minutes(); m > 0 {
		dst.CPUCoreRequestAverage, dst.CPUCoreUsageAverage = cpuReq/m, cpuUse/m
		dst.RAMBytesRequestAverage, dst.RAMBytesUsageAverage = ramReq/m, ramUse/m
		dst.GPURequestAverage, dst.GPUUsageAverage = gpuReq/m, gpuUse/m
	} else {
		dst.CPUCoreRequestAverage, dst.CPUCoreUsageAverage = 0, 0
		dst.RAMBytesRequestAverage, dst.RAMBytesUsageAverage = 0, 0
		dst.GPURequestAverage, dst.GPUUsageAverage = 0, 0
	}

	dst.CPUCoreHours += src.CPUCoreHours
	dst.CPUCost += src.CPUCost
	dst.CPUCostAdjustment += src.CPUCostAdjustment
	dst.GPUHours += src.GPUHours
	dst.GPUCost += src.GPUCost
	dst.GPUCostAdjustment += src.GPUCostAdjustment
	dst.NetworkTransferBytes += src.NetworkTransferBytes
	dst.NetworkReceiveBytes += src.NetworkReceiveBytes
	dst.NetworkCost += src.NetworkCost
	dst.NetworkCrossZoneCost += src.NetworkCrossZoneCost
	dst.NetworkCrossRegionCost += src.NetworkCrossRegionCost
	dst.NetworkInternetCost += src.NetworkInternetCost
	dst.NetworkCostAdjustment += src.NetworkCostAdjustment
	dst.LoadBalancerCost += src.LoadBalancerCost
	dst.LoadBalancerCostAdjustment += src.LoadBalancerCostAdjustment
	dst.PVCostAdjustment += src.PVCostAdjustment
	dst.RAMByteHours += src.RAMByteHours
	dst.RAMCost += src.RAMCost
	dst.RAMCostAdjustment += src.RAMCostAdjustment
	dst.SharedCost += src.SharedCost
	dst.ExternalCost += src.ExternalCost
	dst.RawAllocationOnly = nil

	if withPVs && len(src.PVs) > 0 {
		mergePVs(dst, src.PVs, nil)
	}
	if len(src.LoadBalancers) > 0 {
		if dst.LoadBalancers == nil {
			dst.LoadBalancers = make(cost.LbAllocations, len(src.LoadBalancers))
		}
		for k, v := range src.LoadBalancers {
			if cur, ok := dst.LoadBalancers[k]; ok {
				cur.Cost += v.Cost
				cur.Hours += v.Hours
				if cur.IP != v.IP {
					cur.IP = ""
				}
				cur.Private = cur.Private && v.Private
			} else {
				lb := *v
				dst.LoadBalancers[k] = &lb
			}
		}
	}
	intersectInPlace(dst, src.Properties)
}

// mergePVs adds pvs into dst.PVs per volume. New entries are taken from slab while it lasts
// (one allocation for many volumes), else allocated one by one.
func mergePVs(dst *cost.Allocation, pvs cost.PVAllocations, slab *[]cost.PVAllocation) {
	if dst.PVs == nil {
		dst.PVs = make(cost.PVAllocations, len(pvs))
	}
	for k, v := range pvs {
		if cur, ok := dst.PVs[k]; ok {
			cur.ByteHours += v.ByteHours
			cur.Cost += v.Cost
			if cur.ProviderID != v.ProviderID {
				cur.ProviderID = ""
			}
			continue
		}
		var pv *cost.PVAllocation
		if slab != nil && len(*slab) < cap(*slab) {
			*slab = append(*slab, *v)
			pv = &(*slab)[len(*slab)-1]
		} else {
			c := *v
			pv = &c
		}
		dst.PVs[k] = pv
	}
}

// intersectInPlace keeps in dst.Properties only what o also has (cost.AllocationProperties.
// Intersection without allocating).
func intersectInPlace(dst *cost.Allocation, o *cost.AllocationProperties) {
	p := dst.Properties
	if p == nil {
		return
	}
	if o == nil {
		dst.Properties = &cost.AllocationProperties{}
		return
	}
	sameAll := p.Cluster == o.Cluster && p.Node == o.Node && p.Namespace == o.Namespace && p.Pod == o.Pod && p.Container == o.Container
	if p.ControllerKind != o.ControllerKind || p.Controller != o.Controller {
		if sameAll {
			switch {
			case p.Controller == "":
				p.ControllerKind, p.Controller = o.ControllerKind, o.Controller
			case o.Controller == "":
			case o.ControllerKind+":"+o.Controller < p.ControllerKind+":"+p.Controller:
				p.ControllerKind, p.Controller = o.ControllerKind, o.Controller
			}
		} else {
			p.ControllerKind, p.Controller = "", ""
		}
	}
	clear := func(s *string, v string) {
		if *s != v {
			*s = ""
		}
	}
	clear(&p.Cluster, o.Cluster)
	clear(&p.Node, o.Node)
	clear(&p.Namespace, o.Namespace)
	clear(&p.Pod, o.Pod)
	clear(&p.Container, o.Container)
	clear(&p.ProviderID, o.ProviderID)
	if len(p.Services) > 0 {
		p.Services = slices.DeleteFunc(p.Services, func(s string) bool { return !slices.Contains(o.Services, s) })
		if len(p.Services) == 0 {
			p.Services = nil
		}
	}
	p.Labels = intersectMap(p.Labels, o.Labels)
	p.Annotations = intersectMap(p.Annotations, o.Annotations)
	p.NamespaceLabels = intersectMap(p.NamespaceLabels, o.NamespaceLabels)
	p.NamespaceAnnotations = intersectMap(p.NamespaceAnnotations, o.NamespaceAnnotations)
}

func intersectMap(m, o map[string]string) map[string]string {
	for k, v := range m {
		if ov, ok := o[k]; !ok || ov != v {
			delete(m, k)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
