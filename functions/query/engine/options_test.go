package engine

import (
	"slices"
	"testing"

	"github.com/fedcost/fedcost/functions/query/filter"
	"github.com/fedcost/fedcost/shared/cost"
)

func TestLabelKeysAndClusters(t *testing.T) {
	lc := cost.DefaultLabelConfig()
	for _, tc := range []struct {
		agg      []string
		filter   string
		shareLbl []LabelValue
		keys     []string // nil: any label may be read
		clusters []string // nil: every cluster counts
	}{
		{agg: []string{"label:app"}, keys: []string{"app"}},
		{agg: []string{"label:app.kubernetes.io/name", "namespace"}, keys: []string{"app_kubernetes_io_name"}},
		{agg: []string{"namespace"}, keys: []string{}},
		{agg: []string{"team"}, keys: lc.LabelsFor(cost.AggTeam)},
		{agg: []string{"label:app"}, filter: `label[tier]:"web"`, keys: []string{"app", "tier"}},
		{agg: []string{"label:app"}, filter: `label:"tier"`, keys: []string{"app", "tier"}},
		{agg: []string{"label:app"}, filter: `label!:"tier"`, keys: []string{"app", "tier"}},
		{agg: []string{"label:app"}, filter: `label~:"ti"`},
		{agg: []string{"label:app"}, shareLbl: []LabelValue{{"env", "x"}}, keys: []string{"app", "env"}},
		{agg: nil},
		{agg: []string{"pod"}, filter: `cluster:"a"`, keys: []string{}, clusters: []string{"a"}},
		{agg: []string{"pod"}, filter: `cluster:"a"`, shareLbl: []LabelValue{{"env", "x"}}, keys: []string{"env"}},
	} {
		o := Options{AggregateBy: tc.agg, LabelConfig: lc, ShareLabels: tc.shareLbl}
		if tc.filter != "" {
			n, m, err := filter.ParseAllocation(tc.filter, lc)
			if err != nil {
				t.Fatal(err)
			}
			o.FilterNode, o.Filter = n, m
		}
		keys, ok := o.LabelKeys()
		if ok != (tc.keys != nil) || (ok && !slices.Equal(keys, tc.keys)) {
			t.Errorf("%v %q: LabelKeys = %q, %v; want %q", tc.agg, tc.filter, keys, ok, tc.keys)
		}
		cl, ok := o.Clusters()
		if ok != (tc.clusters != nil) || (ok && !slices.Equal(cl, tc.clusters)) {
			t.Errorf("%v %q: Clusters = %q, %v; want %q", tc.agg, tc.filter, cl, ok, tc.clusters)
		}
	}
}
