package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fedcost/fedcost/functions/query/filter"
	"github.com/fedcost/fedcost/shared/cost"
)

// AggregateAll, as the only aggregation property, puts every allocation under one key ("").
const AggregateAll = "all"

// ShareSplit says how shared costs are split among aggregated allocations.
type ShareSplit int

// Share splits.
const (
	ShareWeighted ShareSplit = iota // in proportion to each key's cost
	ShareEven                       // equally among keys
)

// ParseShareSplit accepts "weighted" (also "") and "even".
func ParseShareSplit(s string) (ShareSplit, error) {
	switch s {
	case "", "weighted":
		return ShareWeighted, nil
	case "even":
		return ShareEven, nil
	}
	return 0, fmt.Errorf("unknown share split %q: allowed are weighted, even", s)
}

// LabelValue is one label=value pair whose allocations are shared (shareLabels).
type LabelValue struct{ Key, Value string }

// Options control AggregateBy.
type Options struct {
	// AggregateBy lists the aggregation properties (validated with ValidateAggregateBy). Empty
	// keeps the rows' names; []string{AggregateAll} puts everything under one key.
	AggregateBy []string
	LabelConfig cost.LabelConfig
	// Filter keeps only matching allocations (nil: all). FilterNode is its AST, for Needs.
	Filter     filter.AllocationMatcher
	FilterNode filter.Node

	IncludeIdle     bool // emit idle rows (__idle__, or per idle id with SplitIdle)
	ShareIdle       bool // distribute idle onto allocations by per-resource cost
	SplitIdle       bool // keep one idle row per idle id
	IdleByNode      bool // idle id is cluster/node instead of cluster
	IncludeExternal bool // keep __external__ allocations

	ShareNamespaces []string     // allocations in these namespaces are shared
	ShareLabels     []LabelValue // allocations with any of these labels are shared
	ShareSplit      ShareSplit
	// SharedHourlyCost is an overhead (shareCost monthly / 730) shared per hour of each set,
	// counted up to Now (zero Now: the whole set window).
	SharedHourlyCost float64
	Now              time.Time

	// Memo, if set, remembers per-set results across queries (see Memo).
	Memo *Memo
}

// ValidateAggregateBy checks aggregation properties: AggregateAll alone, or properties
// cost.ValidateAggregateBy accepts.
func ValidateAggregateBy(props []string) error {
	if slices.Contains(props, AggregateAll) {
		if len(props) != 1 {
			return fmt.Errorf("aggregate %q: %q cannot be combined with other properties", strings.Join(props, ","), AggregateAll)
		}
		return nil
	}
	return cost.ValidateAggregateBy(props)
}

// Needs returns the properties this query reads, including idle ids and sharing. The
// cluster is needed only where idle is computed per cluster (shareIdle, splitIdle, idleByNode,
// and a filter's scaling of idle) or the aggregation or filter reads it: otherwise idle rows
// all merge into __idle__ and rows of different clusters may be pre-merged by a Source.
func (o *Options) Needs() Fields {
	need := Needs(o.AggregateBy, o.FilterNode)
	if o.ShareIdle || o.SplitIdle || o.IdleByNode || o.Filter != nil || o.FilterNode != nil {
		need |= FieldCluster
	}
	if o.IdleByNode {
		need |= FieldNode
	}
	if len(o.ShareNamespaces) > 0 {
		need |= FieldNamespace
	}
	if len(o.ShareLabels) > 0 {
		need |= FieldLabels
	}
	return need
}

// Clusters returns the clusters outside which no row can change the answer, when the filter
// restricts the cluster (filter.Restriction) and nothing is shared: rows of other clusters
// fail the filter, their idle ids have nothing passing it (so their idle is dropped), and
// only sharing would weigh them. ok is false when every cluster counts.
func (o *Options) Clusters() (clusters []string, ok bool) {
	if o.FilterNode == nil || o.sharing() {
		return nil, false
	}
	return filter.Restriction(o.FilterNode, "cluster")
}

// LabelKeys returns the label keys this query reads, when it reads labels only by known keys
// (label:<k> aggregation, department & co. through LabelConfig, label[k] filters, label:"k"
// presence filters, shareLabels): a Source may then drop every other label. ok is false when
// any label may be read (no aggregation, a filter matching label keys by a pattern, a filter
// without its AST). Annotations are not covered.
func (o *Options) LabelKeys() (keys []string, ok bool) {
	if len(o.AggregateBy) == 0 || (o.Filter != nil && o.FilterNode == nil) {
		return nil, false
	}
	set := map[string]bool{}
	for _, p := range o.AggregateBy {
		if k, ok := strings.CutPrefix(p, cost.AggLabelPrefix); ok {
			set[cost.SanitizeLabelName(k)] = true
		}
		for _, l := range o.LabelConfig.LabelsFor(p) {
			set[l] = true
		}
	}
	pattern := false
	filter.Walk(o.FilterNode, func(c *filter.Comparison) {
		switch {
		case c.Field == "label" && c.Keyed:
			set[cost.SanitizeLabelName(c.Key)] = true
		case c.Field == "label" && c.Op.Positive() == filter.Equals:
			for _, v := range c.Values {
				set[cost.SanitizeLabelName(v)] = true
			}
		case c.Field == "label":
			pattern = true
		default:
			for _, l := range o.LabelConfig.LabelsFor(c.Field) {
				set[l] = true
			}
		}
	})
	if pattern {
		return nil, false
	}
	for _, lv := range o.ShareLabels {
		set[lv.Key] = true
	}
	keys = make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, true
}

func (o *Options) sharing() bool {
	return len(o.ShareNamespaces) > 0 || len(o.ShareLabels) > 0 || o.SharedHourlyCost != 0
}

// isShared reports whether a is shared by namespace or label.
func (o *Options) isShared(a *cost.Allocation) bool {
	if a.Properties == nil {
		return false
	}
	if slices.Contains(o.ShareNamespaces, a.Properties.Namespace) {
		return true
	}
	for _, lv := range o.ShareLabels {
		if v, ok := a.Properties.Labels[lv.Key]; ok && v == lv.Value {
			return true
		}
	}
	return false
}

// key is the aggregation key of a; an all-empty key becomes __unallocated__.
func (o *Options) key(a *cost.Allocation) string {
	switch {
	case len(o.AggregateBy) == 0:
		return a.Name
	case isAll(o.AggregateBy):
		return ""
	}
	if len(o.AggregateBy) == 1 {
		return orUnallocated(a.Properties.GenerateKey(o.AggregateBy, o.LabelConfig))
	}
	parts := make([]string, len(o.AggregateBy))
	for i := range o.AggregateBy {
		parts[i] = orUnallocated(a.Properties.GenerateKey(o.AggregateBy[i:i+1], o.LabelConfig))
	}
	return strings.Join(parts, "/")
}

func orUnallocated(s string) string {
	if s == "" {
		return cost.UnallocatedSuffix
	}
	return s
}
