package ingest

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// columnSums reads a Parquet file with an independent implementation (Apache Arrow's Go
// reader, not the parquet-go structs that wrote it) and sums every float64 column; it also
// returns the string values of one column.
func columnSums(t *testing.T, data []byte, strCol string) (map[string]float64, []string, int64) {
	t.Helper()
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("arrow reader: %v", err)
	}
	defer r.Close()
	sums := map[string]float64{}
	var strs []string
	schema := r.MetaData().Schema
	for g := 0; g < r.NumRowGroups(); g++ {
		rg := r.RowGroup(g)
		n := rg.NumRows()
		for c := 0; c < schema.NumColumns(); c++ {
			col := schema.Column(c)
			cr, err := rg.Column(c)
			if err != nil {
				t.Fatal(err)
			}
			switch ccr := cr.(type) {
			case *file.Float64ColumnChunkReader:
				vals := make([]float64, n)
				def := make([]int16, n)
				got, _, err := ccr.ReadBatch(n, vals, def, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range vals[:got] {
					sums[col.Path()] += v
				}
			case *file.ByteArrayColumnChunkReader:
				if col.Path() != strCol {
					continue
				}
				vals := make([]parquet.ByteArray, n)
				def := make([]int16, n)
				got, _, err := ccr.ReadBatch(n, vals, def, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range vals[:got] {
					strs = append(strs, string(v))
				}
			}
		}
	}
	return sums, strs, r.NumRows()
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestDeriveWindowOutputs(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	ad, sd := allocDoc("c1", testHour, 9, 1, "i1"), assetDoc("c1", testHour, 1, "i1")
	put(t, st, ad.Upload().Key(), encode(t, ad))
	put(t, st, sd.Upload().Key(), encode(t, sd))

	res, err := c.Ingest(ctx, ad.Upload().Key())
	if err != nil || res.Outcome != Derived {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	// A duplicate event, or the other upload's event, changes nothing.
	for _, k := range []string{ad.Upload().Key(), sd.Upload().Key()} {
		res, err = c.Ingest(ctx, k)
		if err != nil || res.Outcome != Unchanged {
			t.Fatalf("duplicate %s: %+v %v", k, res, err)
		}
	}

	allocKey := layout.Derived{Kind: layout.DerivedAllocations, Cluster: "c1", Resolution: layout.Hourly, Window: testHour}.Key()
	data, _, err := st.Get(ctx, allocKey)
	if err != nil {
		t.Fatal(err)
	}
	sums, names, rows := columnSums(t, data, "name")
	if rows != 9+2 {
		t.Fatalf("rows = %d, want 9 containers + 2 idle", rows)
	}
	var idle int
	for _, n := range names {
		if strings.HasSuffix(n, "/__idle__") {
			idle++
		}
	}
	if idle != 2 {
		t.Fatalf("idle rows = %d in %v", idle, names)
	}
	// Allocated + idle CPU/RAM/GPU equals the nodes' cost (independent reader's sums).
	var nodeCost float64
	for _, a := range sd.Assets {
		if a.Type.String() == "Node" {
			nodeCost += a.TotalCost()
		}
	}
	got := sums["cpu_cost"] + sums["cpu_cost_adjustment"] + sums["ram_cost"] + sums["ram_cost_adjustment"] + sums["gpu_cost"] + sums["gpu_cost_adjustment"]
	if !near(got, nodeCost) {
		t.Fatalf("allocated+idle = %v, node asset cost = %v", got, nodeCost)
	}
	var want float64
	for _, a := range ad.Allocations {
		want += a.TotalCost()
	}
	// total_cost column = container totals + idle totals.
	var containerTotal float64
	rowsBack, _ := combined.ReadRows[combined.AllocationRow](data)
	for _, r := range rowsBack {
		if !r.Idle {
			containerTotal += r.TotalCost
		}
	}
	if !near(containerTotal, want) {
		t.Fatalf("container total %v, upload total %v", containerTotal, want)
	}

	// Rollups conserve the container total per dimension.
	rk := layout.Derived{Kind: layout.DerivedRollups, Cluster: "c1", Resolution: layout.Hourly, Window: testHour}.Key()
	rb, _, err := st.Get(ctx, rk)
	if err != nil {
		t.Fatal(err)
	}
	rollRows, _ := combined.ReadRows[combined.AllocationRow](rb)
	per := map[string]float64{}
	idleRows := 0
	for _, r := range rollRows {
		per[r.Dimension] += r.TotalCost
		if r.Dimension == DimIdle {
			idleRows++
			if !r.Idle {
				t.Errorf("idle rollup row %s not flagged idle", r.Name)
			}
		}
	}
	if idleRows != 2 {
		t.Errorf("rollups hold %d idle rows, want 2", idleRows)
	}
	for _, dim := range []string{DimNamespace, DimController, DimNode} {
		if !near(per[dim], want) {
			t.Errorf("rollup %s total %v, want %v", dim, per[dim], want)
		}
	}
	ak := layout.Derived{Kind: layout.DerivedAssets, Cluster: "c1", Resolution: layout.Hourly, Window: testHour}.Key()
	asb, _, err := st.Get(ctx, ak)
	if err != nil {
		t.Fatal(err)
	}
	asums, _, arows := columnSums(t, asb, "key")
	if arows != 3 || !near(asums["total_cost"], sd.AssetSet().TotalCost()) {
		t.Fatalf("assets rows %d total %v, want 3 and %v", arows, asums["total_cost"], sd.AssetSet().TotalCost())
	}

	// Status knows the install and the last upload.
	sb, _, err := st.Get(ctx, layout.StatusKey("c1"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := combined.DecodeStatus(sb)
	if len(s.Installs) != 1 || s.Installs[0].ID != "i1" || s.LastUpload.IsZero() || s.LastDerive.IsZero() {
		t.Fatalf("status = %+v", s)
	}
}

func TestNewerUploadReplacesAndOlderNeverRegresses(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	key := upload("c1", "allocations", testHour).Key()
	put(t, st, key, encode(t, allocDoc("c1", testHour, 3, 1, "i1")))
	if _, err := c.Ingest(ctx, key); err != nil {
		t.Fatal(err)
	}
	v2 := allocDoc("c1", testHour, 5, 2, "i1")
	put(t, st, key, encode(t, v2))
	// The old event arrives late: the core re-reads and derives the current (newer) version.
	res, err := c.Ingest(ctx, key)
	if err != nil || res.Outcome != Derived {
		t.Fatalf("%+v %v", res, err)
	}
	man := readManifest(t, st, "c1", testHour)
	if man.Sources["allocations"].Records != 5 {
		t.Fatalf("manifest records %d, want the newer 5", man.Sources["allocations"].Records)
	}
}

func readManifest(t *testing.T, st store.Store, cluster string, w layout.Window) *combined.Manifest {
	t.Helper()
	b, _, err := st.Get(context.Background(), layout.ManifestKey(cluster, layout.Hourly, w))
	if err != nil {
		t.Fatal(err)
	}
	m, err := combined.DecodeManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEmptyUploadNeverReplacesData(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	key := upload("c1", "allocations", testHour).Key()
	put(t, st, key, encode(t, allocDoc("c1", testHour, 4, 1, "i1")))
	if _, err := c.Ingest(ctx, key); err != nil {
		t.Fatal(err)
	}
	put(t, st, key, encode(t, allocDoc("c1", testHour, 0, 1, "i1")))
	if _, err := c.Ingest(ctx, key); err != nil {
		t.Fatal(err)
	}
	ak := layout.Derived{Kind: layout.DerivedAllocations, Cluster: "c1", Resolution: layout.Hourly, Window: testHour}.Key()
	b, _, _ := st.Get(ctx, ak)
	rows, _ := combined.ReadRows[combined.AllocationRow](b)
	if len(rows) != 4 {
		t.Fatalf("rows after empty upload = %d, want the 4 of the non-empty one", len(rows))
	}
	// Assets arriving later still join the kept allocations (idle computed from read-back rows).
	sd := assetDoc("c1", testHour, 1, "i1")
	put(t, st, sd.Upload().Key(), encode(t, sd))
	if _, err := c.Ingest(ctx, sd.Upload().Key()); err != nil {
		t.Fatal(err)
	}
	b, _, _ = st.Get(ctx, ak)
	rows, _ = combined.ReadRows[combined.AllocationRow](b)
	if len(rows) != 6 {
		t.Fatalf("rows = %d, want 4 kept containers + 2 idle", len(rows))
	}
}

func TestRepairRefusesWithoutUploads(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	_, err := c.Repair(ctx, "c1", testHour.Start, testHour.End, nil)
	if !errors.Is(err, ErrNoUploads) || !strings.Contains(err.Error(), "nothing was touched") {
		t.Fatalf("err = %v", err)
	}
	n := 0
	st.List(ctx, "", "", func(store.ObjectInfo) error { n++; return nil })
	if n != 0 {
		t.Fatalf("repair wrote %d objects", n)
	}
	ad := allocDoc("c1", testHour, 2, 1, "i1")
	put(t, st, ad.Upload().Key(), encode(t, ad))
	if _, err := c.Ingest(ctx, ad.Upload().Key()); err != nil {
		t.Fatal(err)
	}
	before := readManifest(t, st, "c1", testHour)
	rep, err := c.Repair(ctx, "c1", testHour.Start.Add(-24*time.Hour), testHour.End, nil)
	if err != nil || len(rep.Repaired) != 1 {
		t.Fatalf("repair: %+v %v", rep, err)
	}
	after := readManifest(t, st, "c1", testHour)
	if after.Sources["allocations"].Version != before.Sources["allocations"].Version || rep.Repaired[0].Window != testHour {
		t.Fatalf("repair: sources %+v → %+v, repaired %v", before.Sources, after.Sources, rep.Repaired)
	}
}

func TestReconcileHealsDroppedEvents(t *testing.T) {
	ctx := context.Background()
	st := newMemory()
	c := newCore(t, st)
	var keys []string
	for _, cl := range []string{"a", "b"} {
		for h := range 3 {
			w := layout.WindowFor(layout.Hourly, testHour.Start.Add(time.Duration(h)*time.Hour))
			ad, sd := allocDoc(cl, w, 3, uint64(h), "i-"+cl), assetDoc(cl, w, uint64(h), "i-"+cl)
			put(t, st, ad.Upload().Key(), encode(t, ad))
			put(t, st, sd.Upload().Key(), encode(t, sd))
			keys = append(keys, ad.Upload().Key())
		}
	}
	// Only one event was delivered.
	if _, err := c.Ingest(ctx, keys[0]); err != nil {
		t.Fatal(err)
	}
	rep, err := c.Reconcile(ctx, ReconcileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Windows != 6 || rep.UpToDate != 1 || rep.Derived != 5 {
		t.Fatalf("report = %+v", rep)
	}
	rep, err = c.Reconcile(ctx, ReconcileOptions{})
	if err != nil || rep.UpToDate != 6 || rep.Derived != 0 {
		t.Fatalf("second pass = %+v %v", rep, err)
	}
	rep, err = c.Reconcile(ctx, ReconcileOptions{Cluster: "b", Since: testHour.Start.Add(time.Hour)})
	if err != nil || rep.Windows != 2 {
		t.Fatalf("scoped pass = %+v %v", rep, err)
	}
}

func TestIgnoresNonUploads(t *testing.T) {
	c := newCore(t, newMemory())
	for _, k := range []string{"federated/combined/status/c1.json", "federated/quarantine/c1/x.json", "other/file", "federated/c1/etl/bingen/allocations/1d/1-2"} {
		res, err := c.Ingest(context.Background(), k)
		if err != nil || res.Outcome != Ignored {
			t.Errorf("%s: %+v %v", k, res, err)
		}
	}
}
