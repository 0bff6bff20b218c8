package cost

import "sort"

// AllocationSet is the allocations of one window, keyed by name.
type AllocationSet struct {
	Window      Window
	Allocations map[string]*Allocation
}

// NewAllocationSet returns an empty set for the window.
func NewAllocationSet(w Window) *AllocationSet {
	return &AllocationSet{Window: w, Allocations: map[string]*Allocation{}}
}

// Insert adds a to the set; an allocation of the same name is merged with Allocation.Add.
// The set keeps its own copy.
func (s *AllocationSet) Insert(a *Allocation) {
	if cur, ok := s.Allocations[a.Name]; ok {
		cur.Add(a)
		return
	}
	s.Allocations[a.Name] = a.Clone()
}

// Len is the number of allocations.
func (s *AllocationSet) Len() int { return len(s.Allocations) }

// Names returns the allocation names in ascending order.
func (s *AllocationSet) Names() []string {
	names := make([]string, 0, len(s.Allocations))
	for n := range s.Allocations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TotalCost sums the total cost of every allocation.
func (s *AllocationSet) TotalCost() float64 {
	var t float64
	for _, a := range s.Allocations {
		t += a.TotalCost()
	}
	return t
}

// Clone returns a deep copy.
func (s *AllocationSet) Clone() *AllocationSet {
	c := NewAllocationSet(s.Window)
	for n, a := range s.Allocations {
		c.Allocations[n] = a.Clone()
	}
	return c
}
