package prom

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// TestBuildGolden pins the whole output (every field of every allocation and asset) of a small
// synthetic cluster served by the fake API: go test -run Golden -update rewrites it.
func TestBuildGolden(t *testing.T) {
	t.Parallel()
	w := fakeWindow()
	f := &fakeCluster{namespaces: 2, podsPerNS: 11, nodes: 2, start: w.Start, end: w.End, step: time.Minute,
		clusterLabel: "cluster_id", clusterValue: "c1"}
	s := newFakeSource(t, f, Config{ClusterLabel: "cluster_id", ClusterFilter: "c1", MaxSeriesPerQuery: 20})
	allocs, assets, err := s.Build(context.Background(), "c1", layout.Hourly, w)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(struct {
		Allocations map[string]*cost.Allocation `json:"allocations"`
		Assets      map[string]*cost.Asset      `json:"assets"`
	}{allocs.Allocations, assets.Assets}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "fake-window.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (run go test -run Golden -update and review the diff)", path)
	}
}
