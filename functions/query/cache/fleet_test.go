package cache

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/functions/query/api"
	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// fleetQueries exercise the resident rollups (namespace, cluster, idle) and, through them,
// everything a cold start loads.
var fleetQueries = []string{
	"/model/allocation?window=3d&aggregate=namespace&accumulate=true",
	"/model/allocation?window=3d&aggregate=cluster&step=1d",
	"/model/allocation?window=3d&aggregate=cluster,namespace&idleByNode=true&accumulate=true",
	"/model/allocation?window=3h&aggregate=namespace&shareIdle=true",
	"/model/allocation/summary?window=2d&aggregate=cluster&filter=" + "namespace%3A%22kube-system%22",
	"/model/allocation?window=3d&aggregate=controller&accumulate=true", // lazily read rollups
	"/model/allocation?window=2d&aggregate=node&step=1d",
}

// bodies answers fleetQueries from c.
func bodies(t *testing.T, c *Cache) []string {
	t.Helper()
	h := api.New(c, api.Options{Now: func() time.Time { return testEnd }})
	var out []string
	for _, q := range fleetQueries {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", q, nil))
		b, _ := io.ReadAll(rec.Body)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", q, rec.Code, b)
		}
		out = append(out, string(b))
	}
	return out
}

// sameBodies compares answers; numbers within 1e-9 (relative): float sums follow map order.
func sameBodies(t *testing.T, what string, got, want []string) {
	t.Helper()
	for i := range want {
		var g, w any
		if err := json.Unmarshal([]byte(got[i]), &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(want[i]), &w); err != nil {
			t.Fatal(err)
		}
		if path, ok := sameJSON(g, w, ""); !ok {
			t.Errorf("%s: %s differs from the per-cluster load at %s", what, fleetQueries[i], path)
		}
	}
}

func sameJSON(g, w any, path string) (string, bool) {
	switch w := w.(type) {
	case map[string]any:
		gm, ok := g.(map[string]any)
		if !ok || len(gm) != len(w) {
			return path, false
		}
		for k, v := range w {
			if p, ok := sameJSON(gm[k], v, path+"/"+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		ga, ok := g.([]any)
		if !ok || len(ga) != len(w) {
			return path, false
		}
		for k := range w {
			if p, ok := sameJSON(ga[k], w[k], fmt.Sprintf("%s[%d]", path, k)); !ok {
				return p, false
			}
		}
		return "", true
	case float64:
		gf, ok := g.(float64)
		return path, ok && math.Abs(gf-w) <= 1e-9*math.Max(1, math.Abs(w))
	default:
		return path, g == w
	}
}

// TestFleetLoadEqualsPerClusterLoad: a cold load that takes rollups from the fleet objects
// answers exactly as one that reads every per-cluster object, and reads far fewer objects;
// rows of a cluster whose rollups changed after the compaction, and a corrupt fleet object,
// fall back to the per-cluster objects.
func TestFleetLoadEqualsPerClusterLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := fleet(t, sim.Options{Clusters: 6, Days: 3, HourlyHours: 4, ContainersPerDay: 20, Seed: 4})
	var rollups, fleets int
	err := st.List(ctx, layout.CombinedPrefix, "", func(oi store.ObjectInfo) error {
		if _, err := layout.ParseDerived(oi.Key); err == nil && strings.Contains(oi.Key, "/rollups/") {
			rollups++
		}
		if _, _, err := layout.ParseFleet(oi.Key); err == nil {
			fleets++
		}
		return nil
	})
	if err != nil || fleets == 0 || rollups < 6*fleets {
		t.Fatalf("the reconcile should have compacted every window: %d fleet, %d rollups objects (%v)", fleets, rollups, err)
	}

	plain, _ := loaded(t, st, Options{FleetMin: -1})
	st.take()
	want := bodies(t, plain)
	st.take()

	fast, _ := loaded(t, st, Options{FleetMin: 1})
	rep := fast.lastReport
	if rep.Fleet != rollups {
		t.Fatalf("took %d rollups from fleet objects, want all %d (report %+v)", rep.Fleet, rollups, rep)
	}
	sameBodies(t, "fleet load", bodies(t, fast), want)
	for k := range st.take() { // the load, and the controller and node rollups read lazily
		if strings.Contains(k, "/rollups/") {
			t.Errorf("read the per-cluster object %s although the fleet object holds its version", k)
		}
	}

	// One cluster's newest day changes after the compaction: its rows come from its own object.
	if _, err := sim.Generate(ctx, st, sim.Options{Clusters: 1, Days: 1, HourlyHours: 1, ContainersPerDay: 7, Seed: 99, End: testEnd}); err != nil {
		t.Fatal(err)
	}
	core := newCore(t, st)
	if _, err := core.Reconcile(ctx, reconcileOne("sim-0001")); err != nil {
		t.Fatal(err)
	}
	plain2, _ := loaded(t, st, Options{FleetMin: -1})
	want2 := bodies(t, plain2)
	if strings.Join(want2, "") == strings.Join(want, "") {
		t.Fatal("the changed upload did not change the answers: the test proves nothing")
	}
	st.take()
	fast2, _ := loaded(t, st, Options{FleetMin: 1})
	sameBodies(t, "fleet load after a change", bodies(t, fast2), want2)
	own := 0
	for k := range st.take() {
		if strings.Contains(k, "/rollups/") {
			if !strings.Contains(k, "cluster=sim-0001/") {
				t.Errorf("read %s although its fleet version is current", k)
			}
			own++
		}
	}
	if own == 0 || fast2.lastReport.Fleet >= rollups {
		t.Fatalf("changed cluster: %d own reads, %d from fleet objects (of %d)", own, fast2.lastReport.Fleet, rollups)
	}

	// A corrupt fleet object is skipped with a warning; its window is read per cluster.
	var victim string
	_ = st.List(ctx, layout.FleetPrefix(layout.Daily), "", func(oi store.ObjectInfo) error { victim = oi.Key; return nil })
	if _, err := st.Put(ctx, victim, []byte("PAR1 not really")); err != nil {
		t.Fatal(err)
	}
	fast3, _ := loaded(t, st, Options{FleetMin: 1})
	if fast3.lastReport.Fleet >= fast2.lastReport.Fleet {
		t.Fatalf("a corrupt fleet object still supplied rows: %d", fast3.lastReport.Fleet)
	}
	sameBodies(t, "corrupt fleet object", bodies(t, fast3), want2)
}

func newCore(t *testing.T, st store.Store) *ingest.Core {
	t.Helper()
	core, err := ingest.New(ingest.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return core
}

// reconcileOne re-derives one cluster (no fleet compaction: that runs over all clusters only).
func reconcileOne(cluster string) ingest.ReconcileOptions {
	return ingest.ReconcileOptions{Cluster: cluster}
}

// TestMemoAnswersWithoutSets: through AllocationSetRefs, a repeated query is answered from the
// engine's Memo without building its sets again (the set LRU can be small); a refresh that
// changes a window gives it a new ref ID, so its sets are built anew and the answer moves.
func TestMemoAnswersWithoutSets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := fleet(t, sim.Options{Clusters: 3, Days: 3, HourlyHours: 2, ContainersPerDay: 10, Seed: 5})
	c, _ := loaded(t, st, Options{})
	q := []string{"/model/allocation?window=3d&aggregate=cluster&accumulate=true"}
	h := api.New(c, api.Options{Now: func() time.Time { return testEnd }})
	get := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", q[0], nil))
		if rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	first := get()
	if n, _ := c.sets.stats(); n == 0 {
		t.Fatal("the first query built no sets")
	}
	c.sets.removeIf(func(setKey) bool { return true })
	if again := get(); again != first {
		t.Fatal("the remembered answer differs")
	}
	if n, _ := c.sets.stats(); n != 0 {
		t.Fatalf("a remembered query built %d sets", n)
	}

	// A changed day: only its window's set is built again.
	if _, err := sim.Generate(ctx, st, sim.Options{Clusters: 1, Days: 1, HourlyHours: 0, ContainersPerDay: 4, Seed: 77, End: testEnd}); err != nil {
		t.Fatal(err)
	}
	derive(t, st, "sim-0001")
	if _, err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	changed := get()
	if changed == first {
		t.Fatal("the answer did not follow the refresh")
	}
	if n, _ := c.sets.stats(); n != 1 {
		t.Fatalf("after one window changed, %d sets were built, want 1", n)
	}
}

// TestClusterRestriction: a filter that pins the cluster lets the cache read only that
// cluster's rows (container rows of other clusters are not even read), with the same answer
// as from every cluster's rows; with sharing the restriction is not used. Likewise, label
// queries answer the same from rows that keep only the labels they read.
func TestClusterRestriction(t *testing.T) {
	t.Parallel()
	st, _ := fleet(t, sim.Options{Clusters: 4, Days: 2, HourlyHours: 2, ContainersPerDay: 15, Seed: 8})
	c, _ := loaded(t, st, Options{})
	h := api.New(c, api.Options{Now: func() time.Time { return testEnd }})
	plain, _ := loaded(t, st, Options{})
	ask := func(h http.Handler, q string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", q, nil))
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", q, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	// The unrestricted answer: the same query through a Source that is not a RefSource and
	// ignores AllocationQuery.Clusters.
	hp := api.New(allSets{plain}, api.Options{Now: func() time.Time { return testEnd }})
	for _, q := range []string{
		"window=2d&aggregate=pod&accumulate=true&filter=cluster%3A%22sim-0002%22",
		"window=2d&aggregate=namespace&shareIdle=true&filter=cluster%3A%22sim-0002%22",
		"window=2h&aggregate=node&idleByNode=true&filter=cluster%3A%22sim-0002%22%2Bnamespace%21%3A%22kube-system%22",
		"window=2d&aggregate=cluster&filter=cluster%3A%22sim-0002%22,%22sim-0003%22",
		"window=2d&aggregate=label%3Aapp&accumulate=true&filter=cluster%3A%22sim-0002%22",
		"window=2d&aggregate=namespace&shareNamespaces=kube-system&filter=cluster%3A%22sim-0002%22",
		// Label projection: only the labels the query reads are kept.
		"window=2d&aggregate=label%3Aapp&accumulate=true",
		"window=2d&aggregate=label%3Aapp,namespace&step=1d",
		"window=2d&aggregate=team&accumulate=true",
		"window=2d&aggregate=namespace&filter=label%5Bapp%5D%3A%22web%22&accumulate=true",
		"window=2d&aggregate=label%3Aapp&filter=label%3A%22team%22&accumulate=true",
		"window=2d&aggregate=label%3Aapp&filter=label%21%3A%22team%22&accumulate=true",
		"window=2d&aggregate=label%3Aapp&shareLabels=app%3Aweb&accumulate=true",
		"window=2d&aggregate=label%3Aapp&filter=label~%3A%22te%22&accumulate=true",
	} {
		st.take()
		got := ask(h, "/model/allocation?"+q)
		for k := range st.take() {
			if strings.Contains(k, "/allocations/") && !strings.Contains(k, "cluster=sim-0002/") && !strings.Contains(k, "cluster=sim-0003/") &&
				strings.Contains(q, "cluster%3A") && !strings.Contains(q, "shareNamespaces") {
				t.Errorf("%s: read %s, outside the filter's clusters", q, k)
			}
		}
		want := ask(hp, "/model/allocation?"+q)
		var g, w any
		if err := json.Unmarshal([]byte(got), &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			t.Fatal(err)
		}
		if path, ok := sameJSON(g, w, ""); !ok {
			t.Errorf("%s: restricted answer differs at %s", q, path)
		}
	}
}

// allSets hides a Cache's RefSource side and the cluster restriction: every query reads the
// sets of every cluster.
type allSets struct{ c *Cache }

func (s allSets) AllocationSets(ctx context.Context, q source.AllocationQuery) ([]*cost.AllocationSet, error) {
	q.Clusters, q.LabelKeys = nil, nil
	return s.c.AllocationSets(ctx, q)
}

func (s allSets) AssetSets(ctx context.Context, q source.AssetQuery) ([]*cost.AssetSet, error) {
	return s.c.AssetSets(ctx, q)
}

func (s allSets) Coverage() (hourly, daily cost.Window) { return s.c.Coverage() }

func (s allSets) Clusters(ctx context.Context) ([]source.ClusterStatus, error) {
	return s.c.Clusters(ctx)
}

func (s allSets) Ready() bool { return s.c.Ready() }

// TestLabelProjectionShrinksSets: with the label keys of a label:app query, the container
// view groups rows by app, fewer than by whole label sets.
func TestLabelProjectionShrinksSets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := fleet(t, sim.Options{Clusters: 2, Days: 2, HourlyHours: 1, ContainersPerDay: 30, Seed: 6})
	c, _ := loaded(t, st, Options{})
	o := engine.Options{AggregateBy: []string{"label:app"}, IncludeIdle: true}
	keys, ok := o.LabelKeys()
	if !ok || !slices.Equal(keys, []string{"app"}) {
		t.Fatalf("LabelKeys = %v, %v", keys, ok)
	}
	rows := func(keys []string) int {
		sets, err := c.AllocationSets(ctx, source.AllocationQuery{Window: cost.NewWindow(testEnd.Truncate(24*time.Hour).AddDate(0, 0, -2), testEnd.Truncate(24*time.Hour)),
			Resolution: source.Daily, Needs: o.Needs(), LabelKeys: keys})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range sets {
			n += len(s.Allocations)
		}
		return n
	}
	whole, projected := rows(nil), rows(keys)
	// The simulator's containers of one app mostly share their whole label set too, so the
	// gain is modest here; it is what pod-template-hash and version labels cost in real fleets.
	if projected >= whole {
		t.Fatalf("projected sets hold %d rows, whole label sets %d: the projection does not group", projected, whole)
	}
}
