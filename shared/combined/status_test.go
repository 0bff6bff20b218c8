package combined

import (
	"testing"
	"time"
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
