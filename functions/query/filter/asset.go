package filter

import (
	"strings"

	"github.com/fedcost/fedcost/shared/cost"
)

// AssetMatcher reports whether an asset passes a filter.
type AssetMatcher = Matcher[*cost.Asset]

func assetScalar(get func(*cost.Asset) string) field[*cost.Asset] {
	return field[*cost.Asset]{kind: scalarField, scalar: get}
}

// assetLabel looks a key up in the asset's labels, also in the Prometheus "label_<key>" form
// node labels are stored in.
func assetLabel(a *cost.Asset, k string) (string, bool) {
	if v, ok := a.Labels[k]; ok {
		return v, true
	}
	v, ok := a.Labels["label_"+k]
	return v, ok
}

func assetAlias(name string) field[*cost.Asset] {
	return field[*cost.Asset]{kind: aliasField, alias: name, lookup: assetLabel}
}

// assetFields are the fields of asset filters (OpenCost asset filter fields).
var assetFields = map[string]field[*cost.Asset]{
	"name":        assetScalar(func(a *cost.Asset) string { return a.Properties.Name }),
	"assetType":   assetScalar(func(a *cost.Asset) string { return strings.ToLower(a.Type.String()) }),
	"category":    assetScalar(func(a *cost.Asset) string { return a.Properties.Category }),
	"cluster":     assetScalar(func(a *cost.Asset) string { return a.Properties.Cluster }),
	"project":     assetScalar(func(a *cost.Asset) string { return a.Properties.Project }),
	"provider":    assetScalar(func(a *cost.Asset) string { return a.Properties.Provider }),
	"providerID":  assetScalar(func(a *cost.Asset) string { return a.Properties.ProviderID }),
	"account":     assetScalar(func(a *cost.Asset) string { return a.Properties.Account }),
	"service":     assetScalar(func(a *cost.Asset) string { return a.Properties.Service }),
	"label":       {kind: mapField, lookup: assetLabel, keys: func(a *cost.Asset) []string { return mapKeys(a.Labels) }},
	"department":  assetAlias(cost.AggDepartment),
	"environment": assetAlias(cost.AggEnvironment),
	"owner":       assetAlias(cost.AggOwner),
	"product":     assetAlias(cost.AggProduct),
	"team":        assetAlias(cost.AggTeam),
}

// CompileAsset turns an AST into an asset matcher; unknown fields are errors that name the
// field and list the valid ones. assetType compares case-insensitively. A nil node matches
// everything.
func CompileAsset(n Node, lc cost.LabelConfig) (AssetMatcher, error) {
	lowerAssetTypes(n)
	return compile(n, assetFields, lc, "asset")
}

func lowerAssetTypes(n Node) {
	Walk(n, func(c *Comparison) {
		if c.Field == "assetType" {
			for i, v := range c.Values {
				c.Values[i] = strings.ToLower(v)
			}
		}
	})
}

// ParseAsset parses and compiles an asset filter.
func ParseAsset(s string, lc cost.LabelConfig) (Node, AssetMatcher, error) {
	n, err := Parse(s)
	if err != nil {
		return nil, nil, err
	}
	m, err := CompileAsset(n, lc)
	if err != nil {
		return nil, nil, err
	}
	return n, m, nil
}
