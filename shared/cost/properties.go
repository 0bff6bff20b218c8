package cost

import (
	"maps"
	"slices"
)

// AllocationProperties describe where an allocation ran. JSON keys as OpenCost's
// allocationprops.go (all omitempty). Label and annotation keys are Prometheus-sanitized
// (dots and dashes become underscores, e.g. app_kubernetes_io_name).
type AllocationProperties struct {
	Cluster              string            `json:"cluster,omitempty"`
	Node                 string            `json:"node,omitempty"`
	Container            string            `json:"container,omitempty"`
	Controller           string            `json:"controller,omitempty"`
	ControllerKind       string            `json:"controllerKind,omitempty"`
	Namespace            string            `json:"namespace,omitempty"`
	Pod                  string            `json:"pod,omitempty"`
	Services             []string          `json:"services,omitempty"`
	ProviderID           string            `json:"providerID,omitempty"`
	Labels               map[string]string `json:"labels,omitempty"`
	Annotations          map[string]string `json:"annotations,omitempty"`
	NamespaceLabels      map[string]string `json:"namespaceLabels,omitempty"`
	NamespaceAnnotations map[string]string `json:"namespaceAnnotations,omitempty"`
}

// Clone returns a deep copy (nil stays nil).
func (p *AllocationProperties) Clone() *AllocationProperties {
	if p == nil {
		return nil
	}
	c := *p
	c.Services = slices.Clone(p.Services)
	c.Labels = maps.Clone(p.Labels)
	c.Annotations = maps.Clone(p.Annotations)
	c.NamespaceLabels = maps.Clone(p.NamespaceLabels)
	c.NamespaceAnnotations = maps.Clone(p.NamespaceAnnotations)
	return &c
}

// Intersection keeps only what both have in common: equal scalar fields, equal label and
// annotation pairs, common services. As in OpenCost, when cluster, node, namespace, pod and
// container all agree but the controllers differ, the non-empty (or lexicographically
// smaller) controller is kept rather than dropped.
func (p *AllocationProperties) Intersection(o *AllocationProperties) *AllocationProperties {
	if p == nil || o == nil {
		return nil
	}
	r := &AllocationProperties{}
	r.Cluster = same(p.Cluster, o.Cluster)
	r.Node = same(p.Node, o.Node)
	r.Container = same(p.Container, o.Container)
	r.Namespace = same(p.Namespace, o.Namespace)
	r.Pod = same(p.Pod, o.Pod)
	r.ProviderID = same(p.ProviderID, o.ProviderID)
	if p.ControllerKind == o.ControllerKind && p.Controller == o.Controller {
		r.ControllerKind, r.Controller = p.ControllerKind, p.Controller
	} else if p.Cluster == o.Cluster && p.Node == o.Node && p.Namespace == o.Namespace &&
		p.Pod == o.Pod && p.Container == o.Container {
		r.ControllerKind, r.Controller = pickController(p, o)
	}
	for _, s := range p.Services {
		if slices.Contains(o.Services, s) && !slices.Contains(r.Services, s) {
			r.Services = append(r.Services, s)
		}
	}
	r.Labels = intersectMaps(p.Labels, o.Labels)
	r.Annotations = intersectMaps(p.Annotations, o.Annotations)
	r.NamespaceLabels = intersectMaps(p.NamespaceLabels, o.NamespaceLabels)
	r.NamespaceAnnotations = intersectMaps(p.NamespaceAnnotations, o.NamespaceAnnotations)
	return r
}

func pickController(p, o *AllocationProperties) (kind, name string) {
	switch {
	case p.Controller == "":
		return o.ControllerKind, o.Controller
	case o.Controller == "":
		return p.ControllerKind, p.Controller
	case o.ControllerKind+":"+o.Controller < p.ControllerKind+":"+p.Controller:
		return o.ControllerKind, o.Controller
	default:
		return p.ControllerKind, p.Controller
	}
}

func same(a, b string) string {
	if a == b {
		return a
	}
	return ""
}

func intersectMaps(a, b map[string]string) map[string]string {
	var r map[string]string
	for k, v := range a {
		if bv, ok := b[k]; ok && bv == v {
			if r == nil {
				r = map[string]string{}
			}
			r[k] = v
		}
	}
	return r
}
