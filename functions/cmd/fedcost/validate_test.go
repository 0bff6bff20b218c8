package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
)

func writeFile(t *testing.T, dir, key string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func testUpload(t *testing.T, cluster string, start time.Time) (layout.Upload, []byte) {
	t.Helper()
	u := layout.Upload{Cluster: cluster, Kind: layout.Allocations, Resolution: layout.Hourly, Window: layout.WindowFor(layout.Hourly, start)}
	d := etl.NewDocument(u, etl.Producer{Agent: "test", Version: "1", InstallID: "i1", BuiltAt: start})
	a := &cost.Allocation{Name: cluster + "/n/ns/p/c", Start: u.Window.Start, End: u.Window.End,
		Properties: &cost.AllocationProperties{Node: "n", Namespace: "ns", Pod: "p", Container: "c"}, CPUCoreHours: 1, CPUCost: 0.03}
	d.Allocations[a.Name] = a
	b, err := etl.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	return u, b
}

func TestValidateMixedBucket(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	good, goodBytes := testUpload(t, "c1", start)
	writeFile(t, dir, good.Key(), goodBytes)
	hb, _ := etl.EncodeHeartbeat(&etl.Heartbeat{Cluster: "c1", Time: start})
	writeFile(t, dir, layout.HeartbeatKey("c1"), hb)
	// The same bytes under another cluster's key: the document names c1.
	other := good
	other.Cluster = "c2"
	writeFile(t, dir, other.Key(), goodBytes)
	// Not gzip.
	garbage := good
	garbage.Window = layout.WindowFor(layout.Hourly, start.Add(time.Hour))
	writeFile(t, dir, garbage.Key(), []byte("not gzip"))
	// A key that does not parse.
	writeFile(t, dir, "federated/c1/etl/allocations/1h/12-34.json.gz", goodBytes)
	// Derived data is not checked.
	writeFile(t, dir, "federated/combined/status/c1.json", []byte("{}"))

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"validate", "--dir", dir}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, errb.String())
	}
	want := []string{
		"OK " + good.Key(),
		"OK " + layout.HeartbeatKey("c1"),
		"INVALID " + other.Key() + ": cluster_mismatch",
		"INVALID " + garbage.Key() + ": not_gzip",
		"INVALID federated/c1/etl/allocations/1h/12-34.json.gz: ",
		"5 objects: 2 ok, 3 invalid (1 derived",
	}
	for _, w := range want {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}

	// A clean bucket exits 0.
	clean := t.TempDir()
	writeFile(t, clean, good.Key(), goodBytes)
	out.Reset()
	if code := run(context.Background(), []string{"validate", "--dir", clean}, &out, &errb); code != 0 {
		t.Fatalf("clean bucket: exit %d: %s", code, out.String())
	}
}

func TestValidateUsageErrors(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"validate"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--store") {
		t.Fatalf("no bucket: exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"validate", "--dir", "/nonexistent/x"}, &out, &errb); code != 2 {
		t.Fatalf("missing dir: exit %d", code)
	}
	errb.Reset()
	if code := run(context.Background(), []string{"bogus"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("unknown command: exit %d %q", code, errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "validate") {
		t.Fatalf("help: %d %q", code, out.String())
	}
}
