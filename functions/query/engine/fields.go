package engine

import (
	"strings"

	"github.com/fedcost/fedcost/functions/query/filter"
	"github.com/fedcost/fedcost/shared/cost"
)

// Fields is a set of allocation properties a query reads.
type Fields uint16

// The allocation properties.
const (
	FieldCluster Fields = 1 << iota
	FieldNode
	FieldNamespace
	FieldControllerKind
	FieldController
	FieldPod
	FieldContainer
	FieldServices
	FieldProviderID
	FieldLabels
	FieldAnnotations

	// AllFields means the query needs container rows (e.g. no aggregation: names are the
	// cluster/node/namespace/pod/container of each row).
	AllFields = FieldCluster | FieldNode | FieldNamespace | FieldControllerKind | FieldController |
		FieldPod | FieldContainer | FieldServices | FieldProviderID | FieldLabels | FieldAnnotations
)

var fieldNames = []string{"cluster", "node", "namespace", "controllerKind", "controller", "pod", "container", "services", "providerID", "labels", "annotations"}

// Has reports whether f contains every field of g.
func (f Fields) Has(g Fields) bool { return f&g == g }

// String lists the fields, comma-separated.
func (f Fields) String() string {
	var out []string
	for i, n := range fieldNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}

// propertyFields maps an aggregation property (cost.Agg*, or "label"/"annotation") to fields.
func propertyFields(p string) Fields {
	switch p {
	case cost.AggCluster:
		return FieldCluster
	case cost.AggNode:
		return FieldNode
	case cost.AggNamespace:
		return FieldNamespace
	case cost.AggControllerKind:
		return FieldControllerKind
	case cost.AggController, cost.AggDeployment, cost.AggStatefulSet, cost.AggDaemonSet, cost.AggJob:
		return FieldController | FieldControllerKind
	case cost.AggService:
		// Unmounted rows are recognized by namespace and container.
		return FieldServices | FieldNamespace | FieldContainer
	case cost.AggPod:
		return FieldPod
	case cost.AggContainer:
		return FieldContainer
	case cost.AggProviderID:
		return FieldProviderID
	case cost.AggDepartment, cost.AggEnvironment, cost.AggOwner, cost.AggProduct, cost.AggTeam:
		return FieldLabels | FieldAnnotations
	case "label":
		return FieldLabels
	case "annotation":
		return FieldAnnotations
	}
	if strings.HasPrefix(p, cost.AggLabelPrefix) {
		return FieldLabels
	}
	if strings.HasPrefix(p, cost.AggAnnotPrefix) {
		return FieldAnnotations
	}
	return AllFields
}

// Needs returns the allocation properties that an aggregation and a filter read. No
// aggregation (nil) needs AllFields; AggregateAll needs none. Options.Needs adds what idle
// and sharing read.
func Needs(aggregateBy []string, f filter.Node) Fields {
	var need Fields
	switch {
	case len(aggregateBy) == 0:
		need = AllFields
	case isAll(aggregateBy):
	default:
		for _, p := range aggregateBy {
			need |= propertyFields(p)
		}
	}
	filter.Walk(f, func(c *filter.Comparison) {
		p, ok := filter.AllocationFieldProperty[c.Field]
		if !ok {
			need |= AllFields
			return
		}
		need |= propertyFields(p)
	})
	return need
}

func isAll(aggregateBy []string) bool { return len(aggregateBy) == 1 && aggregateBy[0] == AggregateAll }
