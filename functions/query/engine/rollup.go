package engine

import (
	"maps"
	"slices"
	"strings"

	"github.com/fedcost/fedcost/shared/cost"
)

// Rollup merges the rows of a set that agree on the kept fields, dropping every other
// property: the reference for what a Source may return instead of container rows when a
// query's Options.Needs is within keep. Idle rows are kept as they are; special rows
// (__unmounted__, __external__) keep their marker in the name. in is not modified.
func Rollup(in *cost.AllocationSet, keep Fields) *cost.AllocationSet {
	out := cost.NewAllocationSet(in.Window)
	for _, a := range in.Allocations {
		if a.IsIdle() {
			out.Allocations[a.Name] = a.Clone()
			continue
		}
		p := strip(a.Properties, keep)
		name := rollupName(p, keep)
		for _, s := range []string{cost.UnmountedSuffix, cost.ExternalSuffix} {
			if strings.Contains(a.Name, s) && !strings.Contains(name, s) {
				name += "/" + s
			}
		}
		if cur, ok := out.Allocations[name]; ok {
			addInto(cur, a)
			continue
		}
		c := a.Clone()
		c.Name, c.Properties = name, p
		out.Allocations[name] = c
	}
	return out
}

func strip(p *cost.AllocationProperties, keep Fields) *cost.AllocationProperties {
	if p == nil {
		return &cost.AllocationProperties{}
	}
	r := &cost.AllocationProperties{}
	pick := func(f Fields, dst *string, v string) {
		if keep.Has(f) {
			*dst = v
		}
	}
	pick(FieldCluster, &r.Cluster, p.Cluster)
	pick(FieldNode, &r.Node, p.Node)
	pick(FieldNamespace, &r.Namespace, p.Namespace)
	pick(FieldControllerKind, &r.ControllerKind, p.ControllerKind)
	pick(FieldController, &r.Controller, p.Controller)
	pick(FieldPod, &r.Pod, p.Pod)
	pick(FieldContainer, &r.Container, p.Container)
	pick(FieldProviderID, &r.ProviderID, p.ProviderID)
	if keep.Has(FieldServices) {
		r.Services = slices.Clone(p.Services)
	}
	if keep.Has(FieldLabels) {
		r.Labels = maps.Clone(p.Labels)
	}
	if keep.Has(FieldAnnotations) {
		r.Annotations = maps.Clone(p.Annotations)
	}
	return r
}

func rollupName(p *cost.AllocationProperties, keep Fields) string {
	parts := []string{p.Cluster, p.Node, p.Namespace, p.ControllerKind, p.Controller, p.Pod, p.Container, p.ProviderID}
	if keep.Has(FieldServices) {
		parts = append(parts, strings.Join(p.Services, ","))
	}
	for _, m := range []map[string]string{p.Labels, p.Annotations} {
		if m == nil {
			continue
		}
		keys := slices.Sorted(maps.Keys(m))
		for _, k := range keys {
			parts = append(parts, k+"="+m[k])
		}
		parts = append(parts, ";")
	}
	return strings.Join(parts, "/")
}
