package pricing

import (
	"strings"

	"github.com/fedcost/fedcost/shared/cost"
)

// Prices are the hourly prices of a node's resources.
type Prices struct {
	CPU float64 // per core-hour
	RAM float64 // per GiB-hour
	GPU float64 // per GPU-hour
}

// Override is an instance type's prices; a nil field falls back to the spot/on-demand default.
type Override struct {
	CPU, RAM, GPU *float64
}

// Origin says where a price came from.
type Origin string

// Origins, in precedence order (Metric is set by the Prometheus source, not by Table).
const (
	FromMetric       Origin = "metric"
	FromInstanceType Origin = "instance-type"
	FromSpot         Origin = "spot"
	FromOnDemand     Origin = "on-demand"
)

// NodePrices are the prices chosen for one node and where each came from.
type NodePrices struct {
	Prices
	CPUFrom, RAMFrom, GPUFrom Origin
	Spot                      bool
	InstanceType              string
}

// Table is a parsed pricing file over the defaults. The zero Table prices nothing; use
// Default or Parse.
type Table struct {
	Provider string
	OnDemand Prices
	Spot     Prices
	// StorageGiBHour is the storage price per GiB-hour (file: per GiB-month / 730).
	StorageGiBHour          float64
	ClusterManagementHourly float64
	LoadBalancerHourly      float64
	// SpotLabel and SpotLabelValue are a Kubernetes node label (unsanitized, e.g.
	// "lifecycle") and the value that marks spot nodes. Empty: the well-known labels of
	// EKS, Karpenter, GKE and AKS are used (see WellKnownSpotLabels).
	SpotLabel, SpotLabelValue string
	// InstanceTypeLabel is the node label holding the instance type
	// (default node.kubernetes.io/instance-type, then beta.kubernetes.io/instance-type).
	InstanceTypeLabel string
	InstanceTypes     map[string]Override
}

// Documented defaults (OpenCost's default.json values; see README.md).
const (
	DefaultCPU               = 0.031611 // per core-hour
	DefaultRAM               = 0.004237 // per GiB-hour
	DefaultGPU               = 0.95     // per GPU-hour
	DefaultSpotCPU           = 0.006655 // per core-hour
	DefaultSpotRAM           = 0.000892 // per GiB-hour
	DefaultStorageGiBMonth   = 0.04     // per GiB-month
	DefaultClusterManagement = 0.10     // per hour (EKS control plane price)
	DefaultLoadBalancer      = 0.025    // per hour (a forwarding rule / basic LB)
	DefaultInstanceTypeLabel = "node.kubernetes.io/instance-type"
	legacyInstanceTypeLabel  = "beta.kubernetes.io/instance-type"
	DefaultProvider          = "custom"
)

// Default returns the table of documented defaults. Spot GPUs default to the on-demand GPU
// price (no documented spot GPU default).
func Default() *Table {
	return &Table{
		Provider:                DefaultProvider,
		OnDemand:                Prices{CPU: DefaultCPU, RAM: DefaultRAM, GPU: DefaultGPU},
		Spot:                    Prices{CPU: DefaultSpotCPU, RAM: DefaultSpotRAM, GPU: DefaultGPU},
		StorageGiBHour:          DefaultStorageGiBMonth / cost.HoursPerMonth,
		ClusterManagementHourly: DefaultClusterManagement,
		LoadBalancerHourly:      DefaultLoadBalancer,
		InstanceTypeLabel:       DefaultInstanceTypeLabel,
	}
}

// SpotLabelMatch is a node label value that marks a spot/preemptible node.
type SpotLabelMatch struct{ Label, Value string }

// WellKnownSpotLabels are used when no spotLabel is configured. Values compare
// case-insensitively.
var WellKnownSpotLabels = []SpotLabelMatch{
	{"eks.amazonaws.com/capacityType", "SPOT"},
	{"karpenter.sh/capacity-type", "spot"},
	{"cloud.google.com/gke-spot", "true"},
	{"cloud.google.com/gke-preemptible", "true"},
	{"kubernetes.azure.com/scalesetpriority", "spot"},
	{"node.kubernetes.io/lifecycle", "spot"},
}

// IsSpot reports whether a node with these labels is spot/preemptible. Label keys are in
// Prometheus form as kube-state-metrics exports them without the "label_" prefix
// (e.g. karpenter_sh_capacity_type); raw Kubernetes keys work too.
func (t *Table) IsSpot(labels map[string]string) bool {
	if t.SpotLabel != "" {
		v, ok := lookup(labels, t.SpotLabel)
		return ok && (t.SpotLabelValue == "" || strings.EqualFold(v, t.SpotLabelValue))
	}
	for _, m := range WellKnownSpotLabels {
		if v, ok := lookup(labels, m.Label); ok && strings.EqualFold(v, m.Value) {
			return true
		}
	}
	return false
}

// InstanceType returns the node's instance type from its labels ("" if none).
func (t *Table) InstanceType(labels map[string]string) string {
	l := t.InstanceTypeLabel
	if l == "" {
		l = DefaultInstanceTypeLabel
	}
	if v, ok := lookup(labels, l); ok {
		return v
	}
	if l == DefaultInstanceTypeLabel {
		v, _ := lookup(labels, legacyInstanceTypeLabel)
		return v
	}
	return ""
}

// ForNode returns the node's prices from the file: an instance-type override where it sets a
// price, else the spot or on-demand default. (OpenCost pricing metrics, which take precedence,
// are applied by the caller.)
func (t *Table) ForNode(labels map[string]string) NodePrices {
	np := NodePrices{Spot: t.IsSpot(labels), InstanceType: t.InstanceType(labels)}
	base, from := t.OnDemand, FromOnDemand
	if np.Spot {
		base, from = t.Spot, FromSpot
	}
	np.Prices = base
	np.CPUFrom, np.RAMFrom, np.GPUFrom = from, from, from
	if o, ok := t.InstanceTypes[np.InstanceType]; ok && np.InstanceType != "" {
		if o.CPU != nil {
			np.CPU, np.CPUFrom = *o.CPU, FromInstanceType
		}
		if o.RAM != nil {
			np.RAM, np.RAMFrom = *o.RAM, FromInstanceType
		}
		if o.GPU != nil {
			np.GPU, np.GPUFrom = *o.GPU, FromInstanceType
		}
	}
	return np
}

func lookup(labels map[string]string, key string) (string, bool) {
	if v, ok := labels[key]; ok {
		return v, true
	}
	v, ok := labels[SanitizeLabelName(key)]
	return v, ok
}

// SanitizeLabelName turns a Kubernetes label key into the Prometheus label name
// kube-state-metrics uses (every character outside [a-zA-Z0-9_] becomes '_').
func SanitizeLabelName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}
