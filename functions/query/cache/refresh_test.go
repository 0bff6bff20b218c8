package cache

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// TestRefreshIncremental: a new upload, once derived, is read alone by the next refresh and
// shows in the API; an unchanged bucket is not read at all; a removed object disappears.
func TestRefreshIncremental(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := fleet(t, sim.Options{Clusters: 2, Days: 2, HourlyHours: 3, Seed: 9})
	c, _ := loaded(t, st, Options{})
	get := apiClient(t, c)
	hour := testEnd.Truncate(time.Hour)
	lastHour := windowParam(hour.Add(-time.Hour), hour)
	st.take()

	rep, err := c.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 0 || rep.Windows != 0 || len(st.take()) != 0 {
		t.Fatalf("unchanged bucket: refresh read %d objects (%d windows)", rep.Read, rep.Windows)
	}

	// A new cluster uploads its last hour; derive it.
	if _, err := sim.Generate(ctx, st, sim.Options{Clusters: 1, ClusterPrefix: "late", Days: 0, HourlyHours: 1, Seed: 2, End: testEnd}); err != nil {
		t.Fatal(err)
	}
	derive(t, st, "late-0001")
	st.take()
	before := get("/model/allocation?window=" + lastHour + "&aggregate=cluster&accumulate=true&idle=false")
	if hasPrefixKey(before[0], "late-0001") {
		t.Fatal("new cluster visible before the refresh")
	}
	rep, err = c.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reads := st.take()
	want := []string{
		layout.StatusKey("late-0001"),
		"federated/combined/rollups/resolution=1h/",
	} // assets and container rows are read when a query needs them
	if rep.Read != len(want) || len(reads) != len(want) {
		t.Fatalf("refresh read %d objects (report %d), want %d: %v", len(reads), rep.Read, len(want), reads)
	}
	for _, w := range want {
		found := false
		for k := range reads {
			found = found || (strings.HasPrefix(k, w) && strings.Contains(k, "late-0001"))
		}
		if !found {
			t.Errorf("refresh did not read %s… of late-0001: %v", w, reads)
		}
	}
	after := get("/model/allocation?window=" + lastHour + "&aggregate=cluster&accumulate=true&idle=false")
	if after[0]["late-0001"] <= 0 {
		t.Fatalf("new cluster not served after the refresh: %v", after)
	}
	if after[0]["sim-0001"] != before[0]["sim-0001"] {
		t.Errorf("unchanged cluster's cost moved: %v -> %v", before[0]["sim-0001"], after[0]["sim-0001"])
	}

	// Removing the new cluster's derived objects removes its data.
	var gone []string
	err = st.List(ctx, layout.CombinedPrefix, "", func(oi store.ObjectInfo) error {
		if strings.Contains(oi.Key, "cluster=late-0001/") {
			gone = append(gone, oi.Key)
		}
		return nil
	})
	if err != nil || len(gone) != 3 {
		t.Fatalf("derived objects of late-0001: %v %v", gone, err)
	}
	for _, k := range gone {
		if err := st.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	rep, err = c.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Removed != 3 || rep.Read != 0 {
		t.Fatalf("after removal: removed %d, read %d; want 3, 0", rep.Removed, rep.Read)
	}
	final := get("/model/allocation?window=" + lastHour + "&aggregate=cluster&accumulate=true&idle=false")
	if _, ok := final[0]["late-0001"]; ok {
		t.Fatalf("removed cluster still served: %v", final)
	}
}

// TestRetention: windows that ended before the retention are neither loaded nor served.
func TestRetention(t *testing.T) {
	t.Parallel()
	st, _ := fleet(t, sim.Options{Clusters: 1, Days: 4, HourlyHours: 6, Seed: 4})
	c, _ := loaded(t, st, Options{HourlyRetention: 3 * time.Hour, DailyRetention: 2 * 24 * time.Hour})
	hourly, daily := c.Coverage()
	hour := testEnd.Truncate(time.Hour)
	today := testEnd.Truncate(24 * time.Hour)
	if !hourly.Start.Equal(hour.Add(-3*time.Hour)) || !hourly.End.Equal(hour) {
		t.Errorf("hourly coverage %v, want the 3 closed hours ending after now-3h (now %v)", hourly, testEnd)
	}
	if !daily.Start.Equal(today.AddDate(0, 0, -2)) || !daily.End.Equal(today) {
		t.Errorf("daily coverage %v, want the 2 days ending after now-2d", daily)
	}
}
