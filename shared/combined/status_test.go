package combined

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

func TestDuplicateInstalls(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	// Two agents alternating (sightings arrive out of order).
	var s Status
	for _, m := range []int{10, 0, 5} {
		s.SeeInstall(Install{ID: "a", AgentVersion: "1", LastSeen: at(m)})
	}
	for _, m := range []int{7, 2} {
		s.SeeInstall(Install{ID: "b", AgentVersion: "1", LastSeen: at(m)})
	}
	if !s.Duplicate(0) {
		t.Fatalf("overlapping installs not flagged: %+v", s.Installs)
	}
	if s.Installs[0].FirstSeen != at(0) || s.Installs[0].LastSeen != at(10) {
		t.Fatalf("span of a = %+v", s.Installs[0])
	}
	// A restart with a new install id: spans do not overlap.
	var r Status
	r.SeeInstall(Install{ID: "old", LastSeen: at(0)})
	r.SeeInstall(Install{ID: "old", LastSeen: at(60)})
	r.SeeInstall(Install{ID: "new", LastSeen: at(61)})
	r.SeeInstall(Install{ID: "new", LastSeen: at(120)})
	if r.Duplicate(0) {
		t.Fatal("a restart flagged as duplicate")
	}
	if r.AgentVersion() != "" && r.Installs[0].ID != "new" {
		t.Fatal("agent version of the newest install expected")
	}
}

func TestQuarantineEntries(t *testing.T) {
	var s Status
	s.SetQuarantined(QuarantineEntry{Key: "k1", Version: "1", Reason: "bad_json"})
	s.SetQuarantined(QuarantineEntry{Key: "k1", Version: "2", Reason: "not_gzip"})
	s.SetQuarantined(QuarantineEntry{Key: "k2", Version: "1", Reason: "bad_json"})
	if s.Quarantined != 2 || s.QuarantinedUploads[0].Key != "k2" || s.QuarantinedUploads[1].Version != "2" {
		t.Fatalf("status = %+v", s)
	}
	if !s.ClearQuarantined("k1") || s.ClearQuarantined("k1") || s.Quarantined != 1 {
		t.Fatalf("clear: %+v", s)
	}
}

func TestPVsJSONRoundTrips(t *testing.T) {
	pvs := cost.PVAllocations{
		{Cluster: "c1", Name: "pv-b"}:            {ByteHours: 1.5e10, Cost: 0.000123, ProviderID: "vol-\"1\"\n"},
		{Cluster: "c1", Name: "pv-a"}:            {ByteHours: 3, Cost: 0},
		{Cluster: "c\\2", Name: "x\u00e9\u0001"}: {ByteHours: 1e-7, Cost: 12345678.5},
	}
	var back cost.PVAllocations
	if err := json.Unmarshal([]byte(pvsJSON(pvs)), &back); err != nil {
		t.Fatalf("pvsJSON is not JSON: %v: %s", err, pvsJSON(pvs))
	}
	if !reflect.DeepEqual(back, pvs) {
		t.Fatalf("round trip: %+v", back)
	}
}

func TestSeeInstallReportsChange(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var s Status
	if !s.SeeInstall(Install{ID: "a", LastSeen: t0}) {
		t.Fatal("a new install is a change")
	}
	if s.SeeInstall(Install{ID: "a", LastSeen: t0}) {
		t.Fatal("a repeated sighting is no change")
	}
	if !s.SeeInstall(Install{ID: "a", LastSeen: t0.Add(time.Hour)}) || !s.SeeInstall(Install{ID: "a", LastSeen: t0.Add(-time.Hour)}) {
		t.Fatal("a later last sighting or an earlier first sighting is a change")
	}
	if s.SeeInstall(Install{ID: "a", LastSeen: t0}) {
		t.Fatal("a sighting inside the known span is no change")
	}
	if s.SeeInstall(Install{}) {
		t.Fatal("an empty install id is ignored")
	}
}
