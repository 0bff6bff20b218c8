package spool_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/spool"
	"github.com/fedcost/fedcost/shared/layout"
)

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func key(r layout.Resolution, k layout.Kind, start time.Time) string {
	return layout.Upload{Cluster: "c1", Kind: k, Resolution: r, Window: layout.WindowFor(r, start)}.Key()
}

func TestSpoolOrderReplaceAndRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := func() time.Time { return t0 }
	s, err := spool.Open(dir, spool.Limits{}, now)
	if err != nil {
		t.Fatal(err)
	}
	puts := []struct {
		key   string
		data  string
		empty bool
	}{
		{key(layout.Hourly, layout.Assets, t0.Add(-time.Hour)), "h11-assets", false},
		{key(layout.Daily, layout.Allocations, t0), "d20-v1", false},
		{key(layout.Hourly, layout.Allocations, t0.Add(-3*time.Hour)), "h09", true},
		{key(layout.Daily, layout.Allocations, t0), "d20-v2", false}, // newer build replaces v1
		{key(layout.Hourly, layout.Allocations, t0.Add(-time.Hour)), "h11-allocs", false},
	}
	for _, p := range puts {
		if dropped, err := s.Put(p.key, []byte(p.data), spool.Meta{Empty: p.empty, BuiltAt: t0}); err != nil || len(dropped) > 0 {
			t.Fatalf("put %s: dropped %v, err %v", p.key, dropped, err)
		}
	}
	// A crash left a temporary file; Open (a restart) removes it and keeps the rest.
	if err := os.WriteFile(filepath.Join(dir, ".tmp-deadbeef"), []byte("torn"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = spool.Open(dir, spool.Limits{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".tmp-deadbeef")); !os.IsNotExist(err) {
		t.Errorf("leftover temporary file not removed: %v", err)
	}
	entries, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		key, data string
		empty     bool
	}{
		{key(layout.Daily, layout.Allocations, t0), "d20-v2", false}, // starts at 00:00
		{key(layout.Hourly, layout.Allocations, t0.Add(-3*time.Hour)), "h09", true},
		{key(layout.Hourly, layout.Allocations, t0.Add(-time.Hour)), "h11-allocs", false},
		{key(layout.Hourly, layout.Assets, t0.Add(-time.Hour)), "h11-assets", false},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(entries), len(want), entries)
	}
	for i, w := range want {
		e := entries[i]
		data, err := s.Read(e)
		if err != nil {
			t.Fatal(err)
		}
		if e.Key != w.key || string(data) != w.data || e.Empty != w.empty || !e.BuiltAt.Equal(t0) {
			t.Errorf("entry %d = %s %q empty=%v, want %s %q empty=%v", i, e.Key, data, e.Empty, w.key, w.data, w.empty)
		}
	}
	if err := s.Remove(entries[0]); err != nil {
		t.Fatal(err)
	}
	if files, _, _ := s.Stats(); files != 3 {
		t.Errorf("%d files after remove, want 3", files)
	}
}

func TestSpoolLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		lim     spool.Limits
		ages    []time.Duration // window starts before t0
		dropped int
		kept    int
	}{
		{"age drops windows that ended too long ago", spool.Limits{MaxAge: 4 * time.Hour}, []time.Duration{10 * time.Hour, 6 * time.Hour, 2 * time.Hour, time.Hour}, 2, 2},
		{"size drops the oldest", spool.Limits{MaxBytes: 350}, []time.Duration{5 * time.Hour, 4 * time.Hour, 3 * time.Hour, 2 * time.Hour, time.Hour}, 3, 2},
		{"within limits nothing is dropped", spool.Limits{}, []time.Duration{3 * time.Hour, 2 * time.Hour}, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := spool.Open(t.TempDir(), tc.lim, func() time.Time { return t0 })
			if err != nil {
				t.Fatal(err)
			}
			var dropped []spool.Entry
			for _, age := range tc.ages {
				d, err := s.Put(key(layout.Hourly, layout.Allocations, t0.Add(-age)), make([]byte, 100), spool.Meta{})
				if err != nil {
					t.Fatal(err)
				}
				dropped = append(dropped, d...)
			}
			entries, _ := s.List()
			if len(dropped) != tc.dropped || len(entries) != tc.kept {
				t.Fatalf("dropped %d kept %d, want %d and %d", len(dropped), len(entries), tc.dropped, tc.kept)
			}
			// What is kept is always the newest.
			if want := key(layout.Hourly, layout.Allocations, t0.Add(-tc.ages[len(tc.ages)-1])); entries[len(entries)-1].Key != want {
				t.Errorf("newest kept = %s, want %s", entries[len(entries)-1].Key, want)
			}
			for _, d := range dropped {
				for _, e := range entries {
					if d.Key == e.Key {
						t.Errorf("%s both dropped and kept", d.Key)
					}
				}
			}
		})
	}
}
