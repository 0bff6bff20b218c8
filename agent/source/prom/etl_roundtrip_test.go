package prom_test

import (
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
)

// checkUploadable encodes the built sets as the agent uploads them and decodes them with the
// ingest side's strict decoder: the source must never produce a window the bucket refuses.
func checkUploadable(t *testing.T, cluster string, r layout.Resolution, w layout.Window, allocs *cost.AllocationSet, assets *cost.AssetSet) {
	t.Helper()
	p := etl.Producer{Agent: "fedcost-agent", Version: "test", InstallID: "i", Source: "prometheus", BuiltAt: time.Now().UTC()}
	for _, kind := range layout.Kinds {
		u := layout.Upload{Cluster: cluster, Kind: kind, Resolution: r, Window: w}
		d := etl.NewDocument(u, p)
		if kind == layout.Allocations {
			for n, a := range allocs.Allocations {
				d.Allocations[n] = a
			}
		} else {
			for k, a := range assets.Assets {
				d.Assets[k] = a
			}
		}
		data, err := etl.Encode(d)
		if err != nil {
			t.Fatalf("encode %s: %v", kind, err)
		}
		back, err := etl.Decode(data, u, etl.Limits{})
		if err != nil {
			t.Fatalf("the ingest side refuses the %s upload: %v", kind, err)
		}
		if back.Records() != d.Records() {
			t.Errorf("%s: %d records decoded, %d encoded", kind, back.Records(), d.Records())
		}
	}
}
