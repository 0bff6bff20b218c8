package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fedcost/fedcost/functions/query/filter"
	"github.com/fedcost/fedcost/shared/cost"
)

// Asset aggregation properties (OpenCost asset aggregation).
const (
	AssetAggType       = "type"
	AssetAggCluster    = "cluster"
	AssetAggProvider   = "provider"
	AssetAggAccount    = "account"
	AssetAggProject    = "project"
	AssetAggProviderID = "providerID"
	AssetAggCategory   = "category"
	AssetAggService    = "service"
	AssetAggName       = "name"
)

// AssetOptions control AggregateAssetSet.
type AssetOptions struct {
	// AggregateBy lists asset aggregation properties; empty keeps the stored keys.
	AggregateBy []string
	LabelConfig cost.LabelConfig
	Filter      filter.AssetMatcher // nil: all
	// DisableAdjustments zeroes reconciliation adjustments.
	DisableAdjustments bool
}

// ValidateAssetAggregateBy checks asset aggregation properties; the error names the bad one
// and lists the allowed ones.
func ValidateAssetAggregateBy(props []string) error {
	for _, p := range props {
		if normalizeAssetProp(p) != "" {
			continue
		}
		return fmt.Errorf("unknown asset aggregation %q: allowed are type, cluster, provider, account, project, providerID, category, service, name, department, environment, owner, product, team, label:<name>", p)
	}
	return nil
}

func normalizeAssetProp(p string) string {
	switch strings.ToLower(p) {
	case "type", "assettype":
		return AssetAggType
	case "cluster":
		return AssetAggCluster
	case "provider":
		return AssetAggProvider
	case "account":
		return AssetAggAccount
	case "project":
		return AssetAggProject
	case "providerid":
		return AssetAggProviderID
	case "category":
		return AssetAggCategory
	case "service":
		return AssetAggService
	case "name":
		return AssetAggName
	case cost.AggDepartment, cost.AggEnvironment, cost.AggOwner, cost.AggProduct, cost.AggTeam:
		return strings.ToLower(p)
	}
	if k, ok := strings.CutPrefix(p, cost.AggLabelPrefix); ok && k != "" {
		return p
	}
	return ""
}

// AssetKey is the aggregation key of a: the parts joined by "/", __undefined__ for empty
// ones; label:<k> gives "<k>=<value>".
func AssetKey(a *cost.Asset, by []string, lc cost.LabelConfig) string {
	parts := make([]string, len(by))
	for i, p := range by {
		var v string
		switch np := normalizeAssetProp(p); np {
		case AssetAggType:
			v = a.Type.String()
		case AssetAggCluster:
			v = a.Properties.Cluster
		case AssetAggProvider:
			v = a.Properties.Provider
		case AssetAggAccount:
			v = a.Properties.Account
		case AssetAggProject:
			v = a.Properties.Project
		case AssetAggProviderID:
			v = a.Properties.ProviderID
		case AssetAggCategory:
			v = a.Properties.Category
		case AssetAggService:
			v = a.Properties.Service
		case AssetAggName:
			v = a.Properties.Name
		case cost.AggDepartment, cost.AggEnvironment, cost.AggOwner, cost.AggProduct, cost.AggTeam:
			for _, l := range lc.LabelsFor(np) {
				if v = assetLabel(a, l); v != "" {
					break
				}
			}
		default:
			k := cost.SanitizeLabelName(strings.TrimPrefix(p, cost.AggLabelPrefix))
			if lv := assetLabel(a, k); lv != "" {
				v = k + "=" + lv
			}
		}
		if v == "" {
			v = cost.UndefinedAssetProperty
		}
		parts[i] = v
	}
	return strings.Join(parts, "/")
}

func assetLabel(a *cost.Asset, k string) string {
	if v := a.Labels[k]; v != "" {
		return v
	}
	return a.Labels["label_"+k]
}

// AggregateAssetSet filters and aggregates one asset set into a new one; in is not modified.
func AggregateAssetSet(in *cost.AssetSet, o *AssetOptions) *cost.AssetSet {
	out := cost.NewAssetSet(in.Window)
	for key, a := range in.Assets {
		if o.Filter != nil && !o.Filter(a) {
			continue
		}
		if len(o.AggregateBy) > 0 {
			key = AssetKey(a, o.AggregateBy, o.LabelConfig)
		}
		if o.DisableAdjustments && a.Adjustment != 0 {
			c := a.Clone()
			c.Adjustment = 0
			a = c
		}
		out.Insert(key, a)
	}
	return out
}

// AccumulateAssetSets folds time-ordered asset sets by period (see AccumulateSets); the inputs
// are consumed.
func AccumulateAssetSets(sets []*cost.AssetSet, acc Accumulate) []*cost.AssetSet {
	if acc == AccumulateNone || len(sets) <= 1 {
		return sets
	}
	var out []*cost.AssetSet
	var curKey time.Time
	for _, s := range sets {
		k := acc.bucket(s.Window.Start)
		if len(out) > 0 && k.Equal(curKey) {
			cur := out[len(out)-1]
			cur.Window = cur.Window.Expand(s.Window)
			for key, a := range s.Assets {
				if c, ok := cur.Assets[key]; ok {
					c.Add(a)
				} else {
					cur.Assets[key] = a
				}
			}
			continue
		}
		curKey = k
		out = append(out, s)
	}
	return out
}

// SortedAssets returns the keys of s by total cost descending, then by key.
func SortedAssets(s *cost.AssetSet) []string {
	keys := make([]string, 0, len(s.Assets))
	for k := range s.Assets {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(s.Assets[b].TotalCost(), s.Assets[a].TotalCost()); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return keys
}
