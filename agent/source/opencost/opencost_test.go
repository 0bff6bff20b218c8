package opencost_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/build"
	"github.com/fedcost/fedcost/agent/source"
	"github.com/fedcost/fedcost/agent/source/opencost"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
)

var hour = layout.WindowFor(layout.Hourly, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))

// fakeOpenCost serves the fixtures the way OpenCost does, checking the query.
func fakeOpenCost(t *testing.T, allocPath string, alloc, assets []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if want := "1795168800,1795172400"; q.Get("window") != want {
			t.Errorf("%s: window=%q, want %q", r.URL.Path, q.Get("window"), want)
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case allocPath:
			if _, ok := q["aggregate"]; !ok || q.Get("aggregate") != "" || q.Get("accumulate") != "true" {
				t.Errorf("allocation query %q: want an empty aggregate and accumulate=true", r.URL.RawQuery)
			}
			w.Write(alloc)
		case "/assets":
			w.Write(assets)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuildFromOpenCostFixtures(t *testing.T) {
	t.Parallel()
	for _, path := range []string{opencost.AllocationPath, opencost.AllocationComputePath} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			srv := fakeOpenCost(t, path, fixture(t, "allocation.json"), fixture(t, "assets.json"))
			src, err := opencost.New(opencost.Config{URL: srv.URL, AllocationPath: path}, nil)
			if err != nil {
				t.Fatal(err)
			}
			allocs, assets, err := src.Build(context.Background(), "prod-eu", layout.Hourly, hour)
			if err != nil {
				t.Fatal(err)
			}
			files, err := build.Files("prod-eu", layout.Hourly, hour, allocs, assets, etl.Producer{Agent: "fedcost-agent", Version: "t", InstallID: "i", Source: src.Name()})
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			docs := map[layout.Kind]*etl.Document{}
			for _, f := range files {
				p, err := layout.Parse(f.Key())
				if err != nil {
					t.Fatal(err)
				}
				doc, err := etl.Decode(f.Data, p.Upload, etl.Limits{})
				if err != nil {
					t.Fatalf("%s does not decode: %v", f.Key(), err)
				}
				docs[f.Upload.Kind] = doc
			}
			checkAllocations(t, docs[layout.Allocations])
			checkAssets(t, docs[layout.Assets])
		})
	}
}

func checkAllocations(t *testing.T, d *etl.Document) {
	t.Helper()
	if len(d.Allocations) != 4 {
		t.Fatalf("%d allocations, want 4 (idle dropped): %v", len(d.Allocations), keys(d.Allocations))
	}
	web := d.Allocations["prod-eu/node-a/shop/web-7d9f8b6c5d-x2x7k/nginx"]
	if web == nil {
		t.Fatalf("web allocation not renamed to the agent's cluster: %v", keys(d.Allocations))
	}
	if web.Properties.Cluster != "prod-eu" || web.Properties.Labels["team"] != "storefront" || web.CPUCost != 0.0158 ||
		web.RAMByteHours != 536870912 || web.RawAllocationOnly == nil || web.LoadBalancers["prod-eu/shop/web"] == nil ||
		web.PVs[cost.PVKey{Cluster: "prod-eu", Name: "pvc-1f2e"}] == nil {
		t.Errorf("web allocation %+v", web)
	}
	if got, want := web.TotalCost(), 0.0158+0.00212+0.0012+0.025+0.00137; math.Abs(got-want) > 1e-12 {
		t.Errorf("web total %v, want %v", got, want)
	}
	job := d.Allocations["prod-eu/node-b/batch/report-29371-xk2mf/report"]
	if job == nil || !job.Start.Equal(hour.Start.Add(20*time.Minute)) || !job.End.Equal(hour.Start.Add(35*time.Minute)) || job.GPUUsageAverage != 0 {
		t.Errorf("job allocation (\"null\" window bound, null usage) %+v", job)
	}
	dns := d.Allocations["prod-eu/node-a/kube-system/coredns-5d78c9869d-9lq4w/coredns"]
	if dns == nil || !dns.Start.Equal(hour.Start) || dns.RAMCost != 0 || dns.CPUCostAdjustment != -0.0001 {
		t.Errorf("coredns allocation (start before the window, negative cost) %+v", dns)
	}
	if u := d.Allocations["prod-eu//__unmounted__/__unmounted__/__unmounted__"]; u == nil || u.PVCost() != 0.00685 {
		t.Errorf("unmounted allocation %+v", u)
	}
}

func checkAssets(t *testing.T, d *etl.Document) {
	t.Helper()
	byType := map[cost.AssetType][]*cost.Asset{}
	for k, a := range d.Assets {
		if a.Properties.Cluster != "prod-eu" || !strings.Contains(k, "/prod-eu/") {
			t.Errorf("asset %s not moved to the agent's cluster", k)
		}
		byType[a.Type] = append(byType[a.Type], a)
	}
	if len(d.Assets) != 6 || len(byType[cost.NodeAssetType]) != 2 {
		t.Fatalf("assets by type %v", byType)
	}
	var total float64
	for _, a := range d.Assets {
		total += a.TotalCost()
	}
	want := 0.135940 + 0.033490 + 0.001370 + 0.025 + 0.1 + 0.0013
	if math.Abs(total-want) > 1e-9 {
		t.Errorf("asset total %v, want OpenCost's totalCost sum %v", total, want)
	}
	mgmt := byType[cost.ClusterManagementAssetType]
	if len(mgmt) != 1 || !mgmt[0].Start.Equal(hour.Start) || !mgmt[0].End.Equal(hour.End) || mgmt[0].Cost != 0.1 {
		t.Errorf("cluster management (\"null\" window) %+v", mgmt)
	}
	for _, n := range byType[cost.NodeAssetType] {
		if n.Properties.Name == "node-b" && (n.Preemptible != 1 || n.Adjustment != -0.0005) {
			t.Errorf("spot node %+v", n)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestBuildErrors(t *testing.T) {
	t.Parallel()
	empty := []byte(`{"code":200,"data":[{}]}`)
	emptyAssets := []byte(`{"code":200,"data":{}}`)
	tests := []struct {
		name          string
		alloc, assets []byte
		status        int
		want          string
		noData        bool
	}{
		{name: "both empty is no data", alloc: empty, assets: emptyAssets, noData: true},
		{name: "null data is no data", alloc: []byte(`{"code":200,"data":null}`), assets: emptyAssets, noData: true},
		{name: "HTTP error", status: 500, want: "HTTP 500"},
		{name: "error envelope", alloc: []byte(`{"code":400,"message":"bad window"}`), assets: emptyAssets, want: "bad window"},
		{name: "not JSON", alloc: []byte(`<html>`), assets: emptyAssets, want: "not an OpenCost response"},
		{name: "wrong data shape", alloc: []byte(`{"code":200,"data":{"a":1}}`), assets: emptyAssets, want: "data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.status != 0 {
					http.Error(w, "boom", tc.status)
					return
				}
				if r.URL.Path == "/assets" {
					w.Write(tc.assets)
					return
				}
				w.Write(tc.alloc)
			}))
			defer srv.Close()
			src, err := opencost.New(opencost.Config{URL: srv.URL}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = src.Build(context.Background(), "c1", layout.Hourly, hour)
			if tc.noData {
				if !errors.Is(err, source.ErrNoData) {
					t.Fatalf("err %v, want ErrNoData", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, source.ErrNoData) {
				t.Fatalf("err %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestNewValidatesTheURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "opencost:9003", "ftp://x", "http://"} {
		if _, err := opencost.New(opencost.Config{URL: u}, nil); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
}
