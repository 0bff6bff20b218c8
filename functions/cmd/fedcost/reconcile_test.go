package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/layout"
)

func TestReconcileAndRepairCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for h := range 3 {
		u, b := testUpload(t, "c1", start.Add(time.Duration(h)*time.Hour))
		writeFile(t, dir, u.Key(), b)
	}
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"reconcile", "--dir", dir}, &out, &errb); code != 0 {
		t.Fatalf("reconcile exit %d: %s %s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "3 uploads in 3 windows: 0 up to date, 3 derived") {
		t.Fatalf("summary: %s", out.String())
	}
	if !strings.Contains(out.String(), "fleet rollups: 3 windows, 3 written") {
		t.Fatalf("no fleet compaction in the summary: %s", out.String())
	}
	fk := layout.FleetKey(layout.Hourly, layout.WindowFor(layout.Hourly, start))
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(fk))); err != nil {
		t.Fatalf("fleet object missing: %v", err)
	}
	if !strings.Contains(errb.String(), "reconcile") || !strings.Contains(errb.String(), "3/3") {
		t.Fatalf("no progress lines: %q", errb.String())
	}
	d := layout.Derived{Kind: layout.DerivedAllocations, Cluster: "c1", Resolution: layout.Hourly, Window: layout.WindowFor(layout.Hourly, start)}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(d.Key()))); err != nil {
		t.Fatalf("derived object missing: %v", err)
	}
	out.Reset()
	run(ctx, []string{"reconcile", "--dir", dir, "--since", "2026-11-20T11:00:00Z"}, &out, &errb)
	if !strings.Contains(out.String(), "2 uploads in 2 windows: 2 up to date") {
		t.Fatalf("second pass: %s", out.String())
	}

	// Repair refuses a range without uploads and touches nothing.
	out.Reset()
	errb.Reset()
	code := run(ctx, []string{"repair", "--dir", dir, "--cluster", "c1", "--window", "2026-10-01T00:00:00Z,2026-10-02T00:00:00Z"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "nothing was touched") {
		t.Fatalf("repair without uploads: exit %d %q", code, errb.String())
	}
	out.Reset()
	code = run(ctx, []string{"repair", "--dir", dir, "--cluster", "c1", "--window", "2026-11-20T00:00:00Z,2026-11-21T00:00:00Z"}, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "3 windows re-derived") {
		t.Fatalf("repair: exit %d %q %q", code, out.String(), errb.String())
	}
	for _, bad := range [][]string{{"repair", "--dir", dir}, {"repair", "--dir", dir, "--cluster", "c1", "--window", "soon"}, {"reconcile", "--dir", dir, "--since", "yesterday-ish"}} {
		errb.Reset()
		if code := run(ctx, bad, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, code, errb.String())
		}
	}
}
