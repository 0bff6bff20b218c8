package filter

import "github.com/fedcost/fedcost/shared/cost"

// AllocationMatcher reports whether an allocation passes a filter.
type AllocationMatcher = Matcher[*cost.Allocation]

func props(a *cost.Allocation) *cost.AllocationProperties {
	if a.Properties == nil {
		return &cost.AllocationProperties{}
	}
	return a.Properties
}

func allocScalar(get func(*cost.AllocationProperties) string) field[*cost.Allocation] {
	return field[*cost.Allocation]{kind: scalarField, scalar: func(a *cost.Allocation) string { return get(props(a)) }}
}

func allocMap(get func(*cost.AllocationProperties) map[string]string) field[*cost.Allocation] {
	return field[*cost.Allocation]{
		kind:   mapField,
		lookup: func(a *cost.Allocation, k string) (string, bool) { v, ok := get(props(a))[k]; return v, ok },
		keys:   func(a *cost.Allocation) []string { return mapKeys(get(props(a))) },
	}
}

func allocAlias(name string) field[*cost.Allocation] {
	return field[*cost.Allocation]{kind: aliasField, alias: name, lookup: func(a *cost.Allocation, k string) (string, bool) {
		p := props(a)
		if v := p.Labels[k]; v != "" {
			return v, true
		}
		v, ok := p.Annotations[k]
		return v, ok
	}}
}

// allocationFields are the fields of allocation filters (OpenCost allocation filter fields).
var allocationFields = map[string]field[*cost.Allocation]{
	"cluster":        allocScalar(func(p *cost.AllocationProperties) string { return p.Cluster }),
	"node":           allocScalar(func(p *cost.AllocationProperties) string { return p.Node }),
	"namespace":      allocScalar(func(p *cost.AllocationProperties) string { return p.Namespace }),
	"controllerName": allocScalar(func(p *cost.AllocationProperties) string { return p.Controller }),
	"controllerKind": allocScalar(func(p *cost.AllocationProperties) string { return p.ControllerKind }),
	"container":      allocScalar(func(p *cost.AllocationProperties) string { return p.Container }),
	"pod":            allocScalar(func(p *cost.AllocationProperties) string { return p.Pod }),
	"provider":       allocScalar(func(p *cost.AllocationProperties) string { return p.ProviderID }),
	"providerID":     allocScalar(func(p *cost.AllocationProperties) string { return p.ProviderID }),
	"services":       {kind: sliceField, slice: func(a *cost.Allocation) []string { return props(a).Services }},
	"label":          allocMap(func(p *cost.AllocationProperties) map[string]string { return p.Labels }),
	"annotation":     allocMap(func(p *cost.AllocationProperties) map[string]string { return p.Annotations }),
	"department":     allocAlias(cost.AggDepartment),
	"environment":    allocAlias(cost.AggEnvironment),
	"owner":          allocAlias(cost.AggOwner),
	"product":        allocAlias(cost.AggProduct),
	"team":           allocAlias(cost.AggTeam),
}

// AllocationFieldProperty maps each allocation filter field to the aggregation property it
// reads (cost.Agg*; "label" and "annotation" for the maps). Aliases read labels and annotations.
var AllocationFieldProperty = map[string]string{
	"cluster": cost.AggCluster, "node": cost.AggNode, "namespace": cost.AggNamespace,
	"controllerName": cost.AggController, "controllerKind": cost.AggControllerKind,
	"container": cost.AggContainer, "pod": cost.AggPod, "provider": cost.AggProviderID,
	"providerID": cost.AggProviderID, "services": cost.AggService, "label": "label",
	"annotation": "annotation", "department": cost.AggDepartment, "environment": cost.AggEnvironment,
	"owner": cost.AggOwner, "product": cost.AggProduct, "team": cost.AggTeam,
}

// CompileAllocation turns an AST into an allocation matcher; unknown fields are errors that
// name the field and list the valid ones. A nil node matches everything.
func CompileAllocation(n Node, lc cost.LabelConfig) (AllocationMatcher, error) {
	return compile(n, allocationFields, lc, "allocation")
}

// ParseAllocation parses and compiles an allocation filter.
func ParseAllocation(s string, lc cost.LabelConfig) (Node, AllocationMatcher, error) {
	n, err := Parse(s)
	if err != nil {
		return nil, nil, err
	}
	m, err := CompileAllocation(n, lc)
	if err != nil {
		return nil, nil, err
	}
	return n, m, nil
}
