package cost

import (
	"fmt"
	"strings"
)

// Aggregation properties accepted by GenerateKey (OpenCost ParseAggregationProperties).
const (
	AggCluster        = "cluster"
	AggNode           = "node"
	AggNamespace      = "namespace"
	AggControllerKind = "controllerKind"
	AggController     = "controller"
	AggDeployment     = "deployment"
	AggStatefulSet    = "statefulset"
	AggDaemonSet      = "daemonset"
	AggJob            = "job"
	AggService        = "service"
	AggPod            = "pod"
	AggContainer      = "container"
	AggProviderID     = "providerID"
	AggDepartment     = "department"
	AggEnvironment    = "environment"
	AggOwner          = "owner"
	AggProduct        = "product"
	AggTeam           = "team"
	AggLabelPrefix    = "label:"
	AggAnnotPrefix    = "annotation:"
)

// LabelConfig names the labels (comma lists allowed) behind the department, environment,
// owner, product and team aggregations. Defaults as OpenCost's NewLabelConfig.
type LabelConfig struct {
	Department  string
	Environment string
	Owner       string
	Product     string
	Team        string
}

// DefaultLabelConfig returns department=department, environment=env, owner=owner,
// product=app, team=team.
func DefaultLabelConfig() LabelConfig {
	return LabelConfig{Department: "department", Environment: "env", Owner: "owner", Product: "app", Team: "team"}
}

// LabelsFor returns the sanitized label names configured for an alias aggregation
// (department, environment, owner, product, team), or nil for anything else.
func (c LabelConfig) LabelsFor(alias string) []string {
	var v string
	switch alias {
	case AggDepartment:
		v = c.Department
	case AggEnvironment:
		v = c.Environment
	case AggOwner:
		v = c.Owner
	case AggProduct:
		v = c.Product
	case AggTeam:
		v = c.Team
	default:
		return nil
	}
	var out []string
	for _, l := range strings.Split(v, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, SanitizeLabelName(l))
		}
	}
	return out
}

// ValidateAggregateBy checks every property name; the error names the bad one and lists the
// allowed ones.
func ValidateAggregateBy(props []string) error {
	for _, p := range props {
		switch p {
		case AggCluster, AggNode, AggNamespace, AggControllerKind, AggController, AggDeployment,
			AggStatefulSet, AggDaemonSet, AggJob, AggService, AggPod, AggContainer, AggProviderID,
			AggDepartment, AggEnvironment, AggOwner, AggProduct, AggTeam:
			continue
		}
		if k, ok := strings.CutPrefix(p, AggLabelPrefix); ok && k != "" {
			continue
		}
		if k, ok := strings.CutPrefix(p, AggAnnotPrefix); ok && k != "" {
			continue
		}
		return fmt.Errorf("unknown aggregation %q: allowed are cluster, node, namespace, controllerKind, controller, deployment, statefulset, daemonset, job, service, pod, container, providerID, department, environment, owner, product, team, label:<name>, annotation:<name>", p)
	}
	return nil
}

// GenerateKey builds the aggregation key of these properties for the given aggregation
// properties, joined by "/" in order (OpenCost AllocationProperties.GenerateKey). Missing values
// become __unallocated__. Properties must have been validated with ValidateAggregateBy.
func (p *AllocationProperties) GenerateKey(aggregateBy []string, lc LabelConfig) string {
	if p == nil {
		p = &AllocationProperties{}
	}
	parts := make([]string, 0, len(aggregateBy))
	for _, agg := range aggregateBy {
		parts = append(parts, p.keyPart(agg, lc))
	}
	return strings.Join(parts, "/")
}

func orUnallocated(s string) string {
	if s == "" {
		return UnallocatedSuffix
	}
	return s
}

func (p *AllocationProperties) keyPart(agg string, lc LabelConfig) string {
	switch agg {
	case AggCluster:
		return p.Cluster
	case AggNode:
		return p.Node
	case AggNamespace:
		return p.Namespace
	case AggPod:
		return p.Pod
	case AggContainer:
		return p.Container
	case AggProviderID:
		return p.ProviderID
	case AggControllerKind:
		return orUnallocated(p.ControllerKind)
	case AggController:
		if p.Controller == "" {
			return UnallocatedSuffix
		}
		if p.ControllerKind != "" {
			return p.ControllerKind + ":" + p.Controller
		}
		return p.Controller
	case AggDeployment, AggStatefulSet, AggDaemonSet, AggJob:
		if strings.EqualFold(p.ControllerKind, agg) && p.Controller != "" {
			return p.Controller
		}
		return UnallocatedSuffix
	case AggService:
		if len(p.Services) > 0 {
			return p.Services[0]
		}
		if strings.Contains(p.Namespace, UnmountedSuffix) || strings.Contains(p.Container, UnmountedSuffix) {
			return UnmountedSuffix
		}
		return UnallocatedSuffix
	case AggDepartment, AggEnvironment, AggOwner, AggProduct, AggTeam:
		for _, l := range lc.LabelsFor(agg) {
			if v := p.Labels[l]; v != "" {
				return v
			}
			if v := p.Annotations[l]; v != "" {
				return v
			}
		}
		return UnallocatedSuffix
	}
	if k, ok := strings.CutPrefix(agg, AggLabelPrefix); ok {
		return orUnallocated(p.Labels[SanitizeLabelName(k)])
	}
	if k, ok := strings.CutPrefix(agg, AggAnnotPrefix); ok {
		return orUnallocated(p.Annotations[SanitizeLabelName(k)])
	}
	return UnallocatedSuffix
}

// SanitizeLabelName turns a Kubernetes label key into the Prometheus form OpenCost stores:
// every character outside [A-Za-z0-9_] becomes '_', and a leading digit gets a '_' prefix.
func SanitizeLabelName(s string) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if ok {
			b.WriteRune(r)
		} else if i == 0 && r >= '0' && r <= '9' {
			b.WriteByte('_')
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
