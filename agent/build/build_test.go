package build_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/build"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
)

func TestFiles(t *testing.T) {
	t.Parallel()
	w := layout.WindowFor(layout.Daily, time.Date(2026, 11, 20, 5, 0, 0, 0, time.UTC))
	cw := cost.NewWindow(w.Start, w.End)
	node := func(cpu float64) *cost.Asset {
		return &cost.Asset{Type: cost.NodeAssetType, Window: cw, Start: w.Start, End: w.End, CPUCost: cpu,
			Properties: cost.AssetProperties{Cluster: "c1", Name: "n1", Provider: "AWS"}}
	}
	assets := cost.NewAssetSet(cw)
	assets.Assets["a"] = node(1)
	assets.Assets["b"] = node(2) // same Asset.Key under another set key: merged, not dropped
	built := time.Date(2026, 11, 21, 0, 0, 5, 0, time.UTC)
	tests := []struct {
		name        string
		allocs      *cost.AllocationSet
		assets      *cost.AssetSet
		wantRecords [2]int
		wantCost    float64
	}{
		{"nil sets give empty documents", nil, nil, [2]int{0, 0}, 0},
		{"assets sharing a key are merged", nil, assets, [2]int{0, 1}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			files, err := build.Files("c1", layout.Daily, w, tc.allocs, tc.assets, etl.Producer{Agent: "a", Version: "v", InstallID: "i", BuiltAt: built})
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 2 || files[0].Upload.Kind != layout.Allocations || files[1].Upload.Kind != layout.Assets {
				t.Fatalf("files %+v", files)
			}
			for i, f := range files {
				if f.Records != tc.wantRecords[i] || f.Empty() != (tc.wantRecords[i] == 0) || !f.BuiltAt.Equal(built) {
					t.Errorf("%s: records %d empty %v built %s", f.Key(), f.Records, f.Empty(), f.BuiltAt)
				}
				doc, err := etl.Decode(f.Data, f.Upload, etl.Limits{})
				if err != nil {
					t.Fatal(err)
				}
				if i == 1 && doc.AssetSet().TotalCost() != tc.wantCost {
					t.Errorf("asset cost %v, want %v", doc.AssetSet().TotalCost(), tc.wantCost)
				}
			}
		})
	}
}

// build.Files must write exactly what etl.Encode writes.
func TestEncodeMatchesEtl(t *testing.T) {
	t.Parallel()
	w := layout.WindowFor(layout.Hourly, time.Date(2026, 11, 20, 5, 0, 0, 0, time.UTC))
	cw := cost.NewWindow(w.Start, w.End)
	allocs := cost.NewAllocationSet(cw)
	for i := range 50 {
		p := &cost.AllocationProperties{Cluster: "c1", Node: "n1", Namespace: "ns", Pod: "p", Container: string(rune('a' + i))}
		allocs.Allocations[p.DefaultName()] = &cost.Allocation{Name: p.DefaultName(), Properties: p, Window: cw, Start: w.Start, End: w.End, CPUCost: float64(i)}
	}
	p := etl.Producer{Agent: "a", Version: "v", InstallID: "i"}
	var enc build.Encoder
	for range 3 { // reused writers too
		files, err := enc.Files("c1", layout.Hourly, w, allocs, nil, p)
		if err != nil {
			t.Fatal(err)
		}
		ad, sd := build.Documents("c1", layout.Hourly, w, allocs, nil, p)
		for i, d := range []*etl.Document{ad, sd} {
			want, err := etl.Encode(d)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(files[i].Data, want) {
				t.Fatalf("%s: build.Files bytes differ from etl.Encode", files[i].Key())
			}
		}
	}
}
