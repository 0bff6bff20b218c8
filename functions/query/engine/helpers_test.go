package engine

import (
	"math"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/filter"
	"github.com/fedcost/fedcost/functions/query/internal/fleettest"
	"github.com/fedcost/fedcost/shared/cost"
)

var day0 = time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC) // a Sunday

func smallFleet() *fleettest.Fleet { return fleettest.Generate(fleettest.Small(day0)) }

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

func mustFilter(t *testing.T, s string) (filter.Node, filter.AllocationMatcher) {
	t.Helper()
	n, m, err := filter.ParseAllocation(s, cost.DefaultLabelConfig())
	if err != nil {
		t.Fatal(err)
	}
	return n, m
}

func aggregateAll(t *testing.T, sets []*cost.AllocationSet, o *Options) []*Set {
	t.Helper()
	if o.LabelConfig == (cost.LabelConfig{}) {
		o.LabelConfig = cost.DefaultLabelConfig()
	}
	out := make([]*Set, len(sets))
	for i, s := range sets {
		out[i] = AggregateSet(s, o)
	}
	return out
}

func total(sets []*Set) float64 {
	var t float64
	for _, s := range sets {
		t += s.TotalCost()
	}
	return t
}

func resourceTotal(sets []*Set) float64 {
	var t float64
	for _, s := range sets {
		for _, a := range s.Allocations {
			t += a.CPUTotalCost() + a.GPUTotalCost() + a.RAMTotalCost()
		}
	}
	return t
}

func inputTotal(sets []*cost.AllocationSet) float64 {
	var t float64
	for _, s := range sets {
		t += s.TotalCost()
	}
	return t
}

func alloc(name, cluster, node, ns string, cpu, ram, gpu float64) *cost.Allocation {
	w := cost.NewWindow(day0, day0.Add(24*time.Hour))
	return &cost.Allocation{Name: name, Window: w, Start: w.Start, End: w.End,
		Properties: &cost.AllocationProperties{Cluster: cluster, Node: node, Namespace: ns, Pod: name, Container: "c"},
		CPUCost:    cpu, RAMCost: ram, GPUCost: gpu}
}

func setOf(as ...*cost.Allocation) *cost.AllocationSet {
	s := cost.NewAllocationSet(cost.NewWindow(day0, day0.Add(24*time.Hour)))
	for _, a := range as {
		s.Allocations[a.Name] = a
	}
	return s
}
