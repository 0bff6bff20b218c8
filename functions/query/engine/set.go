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

// merge folds o into s (accumulation); allocations of o are taken over, not copied.
func (s *Set) merge(o *Set) {
	s.Window = s.Window.Expand(o.Window)
	for name, a := range o.Allocations {
		if cur, ok := s.Allocations[name]; ok {
			addInto(cur, a)
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
// concurrent containers requesting one core each average two cores.
func addInto(dst, src *cost.Allocation) {
	type avgs struct{ cpuReq, cpuUse, ramReq, ramUse, gpuReq, gpuUse float64 }
	dm, sm := dst.Minutes(), src.Minutes()
	sum := avgs{
		dst.CPUCoreRequestAverage*dm + src.CPUCoreRequestAverage*sm,
		dst.CPUCoreUsageAverage*dm + src.CPUCoreUsageAverage*sm,
		dst.RAMBytesRequestAverage*dm + src.RAMBytesRequestAverage*sm,
		dst.RAMBytesUsageAverage*dm + src.RAMBytesUsageAverage*sm,
		dst.GPURequestAverage*dm + src.GPURequestAverage*sm,
		dst.GPUUsageAverage*dm + src.GPUUsageAverage*sm,
	}
	p := dst.Properties
	dst.Properties = nil
	dst.Add(src)
	dst.Properties = p
	intersectInPlace(dst, src.Properties)
	if m := dst.Minutes(); m > 0 {
		dst.CPUCoreRequestAverage, dst.CPUCoreUsageAverage = sum.cpuReq/m, sum.cpuUse/m
		dst.RAMBytesRequestAverage, dst.RAMBytesUsageAverage = sum.ramReq/m, sum.ramUse/m
		dst.GPURequestAverage, dst.GPUUsageAverage = sum.gpuReq/m, sum.gpuUse/m
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
