package api

import (
	"encoding/json"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/internal/fleettest"
	"github.com/fedcost/fedcost/functions/query/source"
)

// fleetServer serves 7 daily and 7×24 hourly sets of a 4-cluster fleet ending yesterday;
// now is mid-day so that window=7d covers six complete days and today (empty).
func fleetServer(t *testing.T) (*fleettest.Fleet, func(path string) []map[string]float64, func(path string) []byte) {
	t.Helper()
	start := time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC)
	cfg := fleettest.Config{Clusters: 4, NodesPerCluster: 3, Namespaces: 6, PodsPerNamespace: 3, ContainersPerPod: 2,
		Start: start, Windows: 7, Resolution: 24 * time.Hour, Seed: 11}
	daily := fleettest.Generate(cfg)
	m := source.NewMemory()
	m.AddAllocationSets(source.Daily, daily.Allocations...)
	m.AddAssetSets(source.Daily, daily.Assets...)
	cfg.Windows, cfg.Resolution = 7*24, time.Hour
	hourly := fleettest.Generate(cfg)
	m.AddAllocationSets(source.Hourly, hourly.Allocations...)
	srv := newTestServer(t, m, Options{Now: func() time.Time { return start.AddDate(0, 0, 7).Add(-time.Minute) }})
	raw := func(path string) []byte {
		t.Helper()
		code, _, body := get(t, srv, path)
		if code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		return body
	}
	return daily, func(path string) []map[string]float64 {
		t.Helper()
		body := raw(path)
		var resp struct {
			Data []map[string]struct {
				TotalCost float64 `json:"totalCost"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatal(err)
		}
		out := make([]map[string]float64, len(resp.Data))
		for i, s := range resp.Data {
			out[i] = map[string]float64{}
			for k, v := range s {
				out[i][k] = v.TotalCost
			}
		}
		return out
	}, raw
}

func sum(sets []map[string]float64) float64 {
	var t float64
	for _, s := range sets {
		for _, v := range s {
			t += v
		}
	}
	return t
}

// nearish compares totals of rounded (5 decimals) rows.
func nearish(t *testing.T, what string, got, want float64, rows int) {
	t.Helper()
	if math.Abs(got-want) > 1e-5*float64(rows+1)+1e-9*math.Abs(want) {
		t.Errorf("%s = %.6f, want %.6f", what, got, want)
	}
}

func TestHTTPInvariants(t *testing.T) {
	t.Parallel()
	fleet, query, raw := fleetServer(t)
	want := fleet.AllocationCost()
	const win = "window=2026-11-14T00:00:00Z,2026-11-21T00:00:00Z"

	t.Run("aggregations conserve the total", func(t *testing.T) {
		for _, agg := range []string{"", "cluster", "namespace", "controller", "label:team", "cluster,namespace", "all"} {
			sets := query("/model/allocation?" + win + "&accumulate=true&aggregate=" + url.QueryEscape(agg))
			nearish(t, "aggregate="+agg, sum(sets), want, 200)
		}
	})
	t.Run("step=1d over 7 days sums to window=7d", func(t *testing.T) {
		stepped := query("/model/allocation?window=7d&aggregate=namespace&step=1d")
		if len(stepped) != 7 {
			t.Fatalf("step=1d over 7 days gave %d sets", len(stepped))
		}
		whole := query("/model/allocation?window=7d&aggregate=namespace&accumulate=true")
		if len(whole) != 1 {
			t.Fatalf("accumulate=true gave %d sets", len(whole))
		}
		nearish(t, "Σ steps", sum(stepped), sum(whole), 100)
		nearish(t, "window=7d", sum(whole), want, 100)
		hourly := query("/model/allocation?window=2026-11-20T00:00:00Z,2026-11-21T00:00:00Z&aggregate=namespace&idle=true")
		if len(hourly) != 24 {
			t.Fatalf("a recent day gave %d hourly sets", len(hourly))
		}
	})
	t.Run("shared costs conserve the total", func(t *testing.T) {
		for _, q := range []string{"shareNamespaces=kube-system,monitoring", "shareNamespaces=kube-system&shareSplit=even",
			"shareLabels=team:platform", "shareIdle=true", "shareIdle=true&shareNamespaces=kube-system&idleByNode=true"} {
			sets := query("/model/allocation?" + win + "&accumulate=true&aggregate=namespace&" + q)
			nearish(t, q, sum(sets), want, 100)
		}
		sets := query("/model/allocation?" + win + "&accumulate=true&aggregate=namespace&shareCost=730")
		// $1 an hour, counted up to now (one minute before the window ends).
		nearish(t, "shareCost=730 (1/h)", sum(sets), want+7*24-1.0/60, 100)
	})
	t.Run("filtered plus complement is the total", func(t *testing.T) {
		for _, f := range [][2]string{
			{`namespace:"web"`, `namespace!:"web"`},
			{`cluster:"cluster-001","cluster-002"`, `cluster!:"cluster-001","cluster-002"`},
			{`label[team]<~:"pl"`, `label[team]!<~:"pl"`},
		} {
			a := query("/model/allocation?" + win + "&accumulate=true&aggregate=namespace&filter=" + url.QueryEscape(f[0]))
			b := query("/model/allocation?" + win + "&accumulate=true&aggregate=namespace&filter=" + url.QueryEscape(f[1]))
			nearish(t, f[0], sum(a)+sum(b), want, 100)
		}
	})
	t.Run("idle plus allocated is the node cost", func(t *testing.T) {
		for _, q := range []string{"aggregate=cluster", "aggregate=namespace&splitIdle=true", "aggregate=namespace&shareIdle=true",
			"aggregate=node&idleByNode=true&shareIdle=true"} {
			body := raw("/model/allocation?" + win + "&accumulate=true&" + q)
			// Drop the non-numeric fields before decoding into floats.
			var generic struct {
				Data []map[string]map[string]any `json:"data"`
			}
			if err := json.Unmarshal(body, &generic); err != nil {
				t.Fatal(err)
			}
			var got float64
			rows := 0
			for _, set := range generic.Data {
				for _, a := range set {
					rows++
					for _, k := range []string{"cpuCost", "cpuCostAdjustment", "gpuCost", "gpuCostAdjustment", "ramCost", "ramCostAdjustment"} {
						got += a[k].(float64)
					}
				}
			}
			nearish(t, q, got, fleet.NodeCost(), 6*rows)
		}
	})
	t.Run("offset and limit page the sorted rows", func(t *testing.T) {
		all := query("/model/allocation?" + win + "&accumulate=true&aggregate=namespace")
		page := query("/model/allocation?" + win + "&accumulate=true&aggregate=namespace&offset=1&limit=2")
		if len(page[0]) != 2 {
			t.Fatalf("limit=2 gave %d rows", len(page[0]))
		}
		var costs []float64
		for _, v := range all[0] {
			costs = append(costs, v)
		}
		sortDesc(costs)
		var got []float64
		for _, v := range page[0] {
			got = append(got, v)
		}
		sortDesc(got)
		if got[0] != costs[1] || got[1] != costs[2] {
			t.Errorf("page = %v, want rows 2 and 3 of %v", got, costs)
		}
	})
}

func sortDesc(v []float64) {
	for i := range v {
		for j := i + 1; j < len(v); j++ {
			if v[j] > v[i] {
				v[i], v[j] = v[j], v[i]
			}
		}
	}
}
