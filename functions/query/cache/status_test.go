package cache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestStatusAndMetrics: staleness (per agent interval and overridden), duplicate installs
// (overlapping spans; a reinstall is not one) and
// a quarantined upload, in Clusters() and in the fedcost_cluster_* gauges.
func TestStatusAndMetrics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := fleet(t, sim.Options{Clusters: 1, Days: 1, HourlyHours: 2, Seed: 1})
	now := testEnd
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	statuses := []*combined.Status{
		{Cluster: "fresh-1", LastUpload: ago(time.Minute), LastDerive: ago(time.Minute), IntervalSeconds: 300,
			Installs: []combined.Install{{ID: "a", AgentVersion: "v1", LastSeen: ago(time.Minute)}}},
		{Cluster: "stale-1", LastUpload: ago(40 * time.Minute), LastDerive: ago(39 * time.Minute), IntervalSeconds: 300},
		{Cluster: "slow-1", LastUpload: ago(40 * time.Minute), LastDerive: ago(40 * time.Minute), IntervalSeconds: 3600},
		{Cluster: "dup-1", LastUpload: ago(time.Minute), LastDerive: ago(time.Minute), Installs: []combined.Install{
			{ID: "a", AgentVersion: "v1", FirstSeen: ago(2 * time.Hour), LastSeen: ago(time.Minute)},
			{ID: "b", AgentVersion: "v2", FirstSeen: ago(3 * time.Hour), LastSeen: ago(3 * time.Minute)}}},
		{Cluster: "moved-1", LastUpload: ago(time.Minute), LastDerive: ago(time.Minute), Installs: []combined.Install{
			{ID: "a", AgentVersion: "v1", FirstSeen: ago(10 * 24 * time.Hour), LastSeen: ago(5 * 24 * time.Hour)},
			{ID: "b", AgentVersion: "v2", FirstSeen: ago(5*24*time.Hour - time.Hour), LastSeen: ago(time.Minute)}}},
	}
	for _, s := range statuses {
		b, err := combined.EncodeStatus(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Put(ctx, layout.StatusKey(s.Cluster), b); err != nil {
			t.Fatal(err)
		}
	}
	// A real quarantine: a broken upload of sim-0001, refused by the ingest core.
	hour := testEnd.Truncate(time.Hour).Add(-10 * time.Hour)
	bad := fmt.Sprintf("federated/sim-0001/etl/allocations/1h/%d-%d.json.gz", hour.Unix(), hour.Add(time.Hour).Unix())
	if _, err := st.Put(ctx, bad, []byte("not gzip")); err != nil {
		t.Fatal(err)
	}
	derive(t, st, "sim-0001")

	for _, tc := range []struct {
		name       string
		staleAfter time.Duration
		stale      map[string]bool
	}{
		{"per interval", 0, map[string]bool{"fresh-1": false, "stale-1": true, "slow-1": false, "dup-1": false, "moved-1": false}},
		{"override", 10 * time.Minute, map[string]bool{"fresh-1": false, "stale-1": true, "slow-1": true, "dup-1": false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, reg := loaded(t, st, Options{StaleAfter: tc.staleAfter})
			cs, err := c.Clusters(ctx)
			if err != nil {
				t.Fatal(err)
			}
			by := map[string]source.ClusterStatus{}
			for _, s := range cs {
				by[s.ClusterID] = s
			}
			if len(by) != 6 {
				t.Fatalf("clusters %v, want 6", cs)
			}
			for cl, want := range tc.stale {
				if got := testutil.ToFloat64(c.met.stale.WithLabelValues(cl)); got != b2f(want) {
					t.Errorf("fedcost_cluster_stale{%s} = %v, want %v", cl, got, b2f(want))
				}
			}
			for cl, want := range map[string]bool{"fresh-1": false, "dup-1": true, "moved-1": false} {
				if by[cl].Duplicate != want {
					t.Errorf("%s duplicate %v, want %v", cl, by[cl].Duplicate, want)
				}
				if got := testutil.ToFloat64(c.met.duplicate.WithLabelValues(cl)); got != b2f(want) {
					t.Errorf("fedcost_cluster_duplicate_install{%s} = %v", cl, got)
				}
			}
			if s := by["stale-1"]; s.Lag != 40*time.Minute || !s.LastDerive.Equal(ago(39*time.Minute)) {
				t.Errorf("stale-1: lag %v, last derive %v", s.Lag, s.LastDerive)
			}
			if got := by["dup-1"].AgentVersion; got != "v1" {
				t.Errorf("dup-1 agent version %q, want the most recently seen (v1)", got)
			}
			q := by["sim-0001"]
			if q.Quarantined != 1 || len(q.QuarantineReasons) != 1 || q.QuarantineReasons[0].Key != bad || q.QuarantineReasons[0].Reason == "" {
				t.Errorf("sim-0001 quarantine: %d %+v", q.Quarantined, q.QuarantineReasons)
			}
			if got := testutil.ToFloat64(c.met.quarantined.WithLabelValues("sim-0001")); got != 1 {
				t.Errorf("fedcost_cluster_quarantined_uploads{sim-0001} = %v", got)
			}
			if got := testutil.ToFloat64(c.met.lastUpload.WithLabelValues("fresh-1")); got != float64(ago(time.Minute).Unix()) {
				t.Errorf("fedcost_cluster_last_upload_timestamp_seconds{fresh-1} = %v", got)
			}
			if got := testutil.ToFloat64(c.met.lastDerive.WithLabelValues("stale-1")); got != float64(ago(39*time.Minute).Unix()) {
				t.Errorf("fedcost_cluster_last_derive_timestamp_seconds{stale-1} = %v", got)
			}
			for _, name := range []string{"fedcost_cluster_last_upload_timestamp_seconds", "fedcost_cluster_last_derive_timestamp_seconds",
				"fedcost_cluster_stale", "fedcost_cluster_duplicate_install", "fedcost_cluster_quarantined_uploads"} {
				if n, err := testutil.GatherAndCount(reg, name); err != nil || n != 6 {
					t.Errorf("%s: %d series (%v), want 6", name, n, err)
				}
			}
			if n, err := testutil.GatherAndCount(reg, "fedcost_query_cache_objects_loaded_total", "fedcost_query_cache_resident_rows",
				"fedcost_query_cache_refresh_duration_seconds", "fedcost_query_cache_resident_bytes"); err != nil || n != 4 {
				t.Errorf("cache metrics: %d (%v)", n, err)
			}
		})
	}
}
