package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/internal/fleettest"
	"github.com/fedcost/fedcost/functions/query/source"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// goldenSource is a tiny fleet: 2 clusters × 2 namespaces × 1 container, daily sets for Nov 19
// and 20, hourly sets for Nov 20, and two cluster statuses.
func goldenSource() *source.Memory {
	cfg := fleettest.Config{Clusters: 2, NodesPerCluster: 1, Namespaces: 2, PodsPerNamespace: 1, ContainersPerPod: 1,
		Start: time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), Windows: 2, Resolution: 24 * time.Hour, Seed: 5}
	f := fleettest.Generate(cfg)
	m := source.NewMemory()
	m.AddAllocationSets(source.Daily, f.Allocations...)
	m.AddAssetSets(source.Daily, f.Assets...)
	cfg.Start, cfg.Windows, cfg.Resolution = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), 24, time.Hour
	h := fleettest.Generate(cfg)
	m.AddAllocationSets(source.Hourly, h.Allocations...)
	m.AddAssetSets(source.Hourly, h.Assets...)
	m.SetClusters([]source.ClusterStatus{
		{ClusterID: "cluster-001", LastUpload: now.Add(-10 * time.Minute), LastDerive: now.Add(-9 * time.Minute), Lag: time.Minute,
			AgentVersion: "v0.1.0", InstallIDs: []string{"i-1"}},
		{ClusterID: "cluster-000", LastUpload: now.Add(-5 * time.Hour), LastDerive: now.Add(-5 * time.Hour), Lag: 90 * time.Second,
			AgentVersion: "v0.0.9", InstallIDs: []string{"i-2", "i-3"}, Duplicate: true, LastError: "window mismatch",
			Quarantined: 1, QuarantineReasons: []source.QuarantineRecord{{Key: "federated/cluster-000/etl/allocations/1d/1-2.json.gz",
				Reason: "window in file does not match key", Time: now.Add(-time.Hour)}}},
	})
	return m
}

func newTestServer(t *testing.T, m *source.Memory, opts Options) *httptest.Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	srv := httptest.NewServer(New(m, opts))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

const twoDays = "window=2026-11-19T00:00:00Z,2026-11-21T00:00:00Z"

func TestGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, goldenSource(), Options{})
	cases := []struct{ name, path string }{
		{"allocation_namespace", "/model/allocation?" + twoDays + "&aggregate=namespace"},
		{"allocation_cluster_accumulate", "/model/allocation?" + twoDays + "&aggregate=cluster&accumulate=true"},
		{"allocation_default_names_limit", "/model/allocation?window=yesterday&accumulate=true&limit=3"},
		{"allocation_share_idle_filter", "/model/allocation?" + twoDays + "&aggregate=namespace&accumulate=true&shareIdle=true&filter=namespace!:%22kubecost%22"},
		{"allocation_shared_namespace_overhead", "/model/allocation?" + twoDays + "&aggregate=cluster,namespace&accumulate=true&idle=false&shareNamespaces=kube-system&shareCost=73"},
		{"allocation_hourly_step", "/model/allocation?window=2026-11-20T00:00:00Z,2026-11-20T06:00:00Z&aggregate=namespace&step=3h&idle=false"},
		{"allocation_csv", "/model/allocation?" + twoDays + "&aggregate=namespace&format=csv"},
		{"allocation_summary", "/model/allocation/summary?" + twoDays + "&aggregate=namespace&accumulate=true"},
		{"allocation_topline", "/model/allocation/summary/topline?" + twoDays + "&aggregate=namespace"},
		{"opencost_allocation", "/allocation?" + twoDays + "&aggregate=namespace"},
		{"opencost_allocation_include_idle", "/allocation/compute?" + twoDays + "&aggregate=cluster&includeIdle=true&accumulateBy=day"},
		{"assets_type", "/model/assets?" + twoDays + "&aggregate=type"},
		{"assets_all_filter", "/model/assets?" + twoDays + "&accumulate=true&filter=assetType:%22node%22"},
		{"assets_csv", "/model/assets?" + twoDays + "&aggregate=cluster&format=csv"},
		{"assets_topline", "/model/assets/topline?" + twoDays},
		{"opencost_assets", "/assets?" + twoDays + "&aggregate=cluster,type"},
		{"federation_status", "/model/federation/status"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, hdr, body := get(t, srv, c.path)
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			ext := ".json"
			if strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
				ext = ".csv"
			} else {
				var out bytes.Buffer
				if err := json.Indent(&out, body, "", "  "); err != nil {
					t.Fatalf("invalid JSON: %v\n%s", err, body)
				}
				body = append(out.Bytes(), '\n')
			}
			path := filepath.Join("testdata", c.name+ext+".golden")
			if *update {
				if err := os.WriteFile(path, body, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("response differs from %s (run go test -update to accept):\n%s", path, body)
			}
		})
	}
}

// TestRepeatedQueriesAreStable runs queries that fold remembered per-set results several
// times: the answers must not change (remembered results are never modified).
func TestRepeatedQueriesAreStable(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, goldenSource(), Options{})
	for _, path := range []string{
		"/model/allocation?" + twoDays + "&aggregate=namespace&accumulate=true&shareIdle=true",
		"/model/allocation/summary/topline?" + twoDays + "&aggregate=cluster",
		"/model/allocation?window=2026-11-20T00:00:00Z,2026-11-20T12:00:00Z&aggregate=namespace&step=4h",
	} {
		_, _, first := get(t, srv, path)
		for range 3 {
			if _, _, again := get(t, srv, path); !bytes.Equal(again, first) {
				t.Fatalf("%s: answer changed on repetition", path)
			}
		}
	}
}
