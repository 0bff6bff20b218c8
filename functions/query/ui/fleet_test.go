package ui_test

import (
	"context"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/functions/query/api"
	"github.com/fedcost/fedcost/functions/query/cache"
	"github.com/fedcost/fedcost/functions/query/ui"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store/filesystem"
)

// fleet is a served pipeline: simulated uploads → ingest → derived objects → query API + UI.
type fleet struct {
	url        string
	now        time.Time
	stale      string // the cluster that stopped uploading
	quarantine string // the cluster with a refused upload
	duplicate  string // the cluster id two agent installations write
	badKey     string // that upload
}

// apiPaths are routed to the API; everything else goes to the UI, as in the query command.
var apiPaths = []string{"/model/", "/allocation", "/assets", "/healthz", "/readyz", "/metrics"}

func isAPI(p string) bool {
	for _, a := range apiPaths {
		if p == a || strings.HasPrefix(p, a+"/") || (strings.HasSuffix(a, "/") && strings.HasPrefix(p, a)) {
			return true
		}
	}
	return false
}

// newFleet simulates 4 clusters for 8 days, makes one of them stale (its uploads are three days
// old), lets a second agent installation write another's id, writes a corrupt upload for a
// third, derives everything with the ingest core and serves the API (over the storage-backed
// cache) and the UI from one httptest server on 127.0.0.1.
func newFleet(t *testing.T) *fleet {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := filesystem.New(ctx, filesystem.Config{Directory: dir})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Minute)
	f := &fleet{now: now, stale: "sim-0004", quarantine: "sim-0002", duplicate: "sim-0001"}
	if _, err := sim.Generate(ctx, st, sim.Options{Clusters: 4, Days: 8, HourlyHours: 48, Seed: 1, ContainersPerDay: 40, End: now, IncludeOpen: true}); err != nil {
		t.Fatalf("simulate: %v", err)
	}
	// A second agent installation writing the first cluster's id (a copy-pasted Helm value):
	// another seed gives another install id. It re-uploads two old days; by the uploads'
	// modification times the two installs were both writing for the last 80 minutes.
	dupEnd := now.AddDate(0, 0, -3)
	if _, err := sim.Generate(ctx, st, sim.Options{Clusters: 1, Days: 2, HourlyHours: -1, Seed: 2, ContainersPerDay: 40, End: dupEnd}); err != nil {
		t.Fatalf("simulate the duplicate: %v", err)
	}
	dupTimes := map[string]time.Time{}
	for i, at := range []time.Time{now.Add(-90 * time.Minute), now.Add(-10 * time.Minute)} {
		w := layout.WindowFor(layout.Daily, dupEnd.AddDate(0, 0, i-2))
		for _, k := range []layout.Kind{layout.Allocations, layout.Assets} {
			dupTimes[layout.Upload{Cluster: f.duplicate, Kind: k, Resolution: layout.Daily, Window: w}.Key()] = at
		}
	}
	touch(t, dir, f.duplicate, func(key string) (time.Time, bool) {
		if at, ok := dupTimes[key]; ok {
			return at, true
		}
		return now.Add(-2 * time.Hour), strings.Contains(key, "/1d/") // the first install's days
	})
	// The stale cluster's agent stopped three days ago: its uploads were last modified then.
	touch(t, dir, f.stale, func(string) (time.Time, bool) { return now.Add(-72 * time.Hour), true })
	// A corrupt upload for a day before the simulated data.
	day := layout.WindowFor(layout.Daily, now.Add(-20*24*time.Hour))
	f.badKey = layout.Upload{Cluster: f.quarantine, Kind: layout.Allocations, Resolution: layout.Daily, Window: day}.Key()
	if _, err := st.Put(ctx, f.badKey, []byte("this is not gzip")); err != nil {
		t.Fatal(err)
	}
	core, err := ingest.New(ingest.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := core.Reconcile(ctx, ingest.ReconcileOptions{})
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	if rep.Failed > 0 {
		t.Fatalf("reconcile: %d failed: %v", rep.Failed, rep.Errors)
	}
	src, err := cache.New(st, cache.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Refresh(ctx); err != nil {
		t.Fatalf("load the cache: %v", err)
	}
	apiH := api.New(src, api.Options{Now: func() time.Time { return now }})
	uiH := ui.Handler(ui.Options{Currency: "€"})
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAPI(r.URL.Path) {
			apiH.ServeHTTP(w, r)
			return
		}
		uiH.ServeHTTP(w, r)
	})
	srv := httptest.NewUnstartedServer(mux)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// touch sets the modification time of a cluster's uploads (the filesystem store reports it as
// the upload time): at(key) gives the time and whether to change it.
func touch(t *testing.T, dir, cluster string, at func(key string) (time.Time, bool)) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(dir, filepath.FromSlash(layout.ClusterPrefix(cluster))), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if when, ok := at(filepath.ToSlash(rel)); ok {
			return os.Chtimes(p, when, when)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("set upload times of %s: %v", cluster, err)
	}
}
