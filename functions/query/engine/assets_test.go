package engine

import (
	"strings"
	"testing"

	"github.com/fedcost/fedcost/functions/query/filter"
	"github.com/fedcost/fedcost/shared/cost"
)

func TestAssetKey(t *testing.T) {
	t.Parallel()
	a := &cost.Asset{Type: cost.NodeAssetType, Properties: cost.AssetProperties{Provider: "AWS", Cluster: "c1", Name: "n1",
		ProviderID: "i-1", Category: "Compute", Service: "Kubernetes"},
		Labels: map[string]string{"label_team": "infra", "env": "prod"}}
	lc := cost.DefaultLabelConfig()
	cases := []struct {
		by   []string
		want string
	}{
		{[]string{"type"}, "Node"},
		{[]string{"cluster", "type"}, "c1/Node"},
		{[]string{"provider", "account", "project"}, "AWS/__undefined__/__undefined__"},
		{[]string{"providerID", "category", "service", "name"}, "i-1/Compute/Kubernetes/n1"},
		{[]string{"label:team"}, "team=infra"},
		{[]string{"label:env"}, "env=prod"},
		{[]string{"label:missing"}, "__undefined__"},
		{[]string{"team", "environment", "owner"}, "infra/prod/__undefined__"},
	}
	for _, c := range cases {
		if got := AssetKey(a, c.by, lc); got != c.want {
			t.Errorf("AssetKey(%v) = %q, want %q", c.by, got, c.want)
		}
	}
	if err := ValidateAssetAggregateBy([]string{"type", "namespace"}); err == nil || !strings.Contains(err.Error(), `"namespace"`) {
		t.Errorf("ValidateAssetAggregateBy error = %v", err)
	}
	if err := ValidateAssetAggregateBy([]string{"providerid", "label:x", "team"}); err != nil {
		t.Error(err)
	}
}

func TestAggregateAssets(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	var want float64
	for _, s := range f.Assets {
		want += s.TotalCost()
	}
	for _, by := range [][]string{nil, {"type"}, {"cluster"}, {"provider", "category"}, {"label:team"}} {
		var got float64
		var sets []*cost.AssetSet
		for _, s := range f.Assets {
			sets = append(sets, AggregateAssetSet(s, &AssetOptions{AggregateBy: by}))
		}
		for _, s := range AccumulateAssetSets(sets, AccumulateWeek) {
			got += s.TotalCost()
		}
		near(t, "total by "+strings.Join(by, ","), got, want)
	}
	byType := AggregateAssetSet(f.Assets[0], &AssetOptions{AggregateBy: []string{"type"}})
	if len(byType.Assets) != 3 || byType.Assets["Node"] == nil || byType.Assets["Node"].Type != cost.NodeAssetType {
		t.Errorf("by type: %v", SortedAssets(byType))
	}
	_, m, err := filter.ParseAsset(`assetType:"node"+cluster:"cluster-001"`, cost.DefaultLabelConfig())
	if err != nil {
		t.Fatal(err)
	}
	nodes := AggregateAssetSet(f.Assets[0], &AssetOptions{Filter: m})
	if len(nodes.Assets) != 2 {
		t.Errorf("filter kept %d assets, want 2 nodes", len(nodes.Assets))
	}
	noAdj := AggregateAssetSet(f.Assets[0], &AssetOptions{DisableAdjustments: true, AggregateBy: []string{"type"}})
	if noAdj.Assets["Node"].Adjustment != 0 {
		t.Error("adjustment kept with DisableAdjustments")
	}
	if byType.Assets["Node"].Adjustment == 0 {
		t.Error("fleet has no node adjustment: the DisableAdjustments check cannot fail")
	}
	for _, a := range f.Assets[0].Assets {
		if a.Type == cost.NodeAssetType && a.Properties.Name == "node-1" && a.Adjustment == 0 {
			t.Error("input asset modified")
		}
	}
}
