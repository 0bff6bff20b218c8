package cache

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// TestReadRowsEqualsCombined: the column decoder reads every derived object of a simulated
// fleet exactly as combined.ReadRows does.
func TestReadRowsEqualsCombined(t *testing.T) {
	t.Parallel()
	st, _ := fleet(t, sim.Options{Clusters: 2, Days: 2, HourlyHours: 2, Seed: 8})
	ctx := context.Background()
	n := map[layout.DerivedKind]int{}
	err := st.List(ctx, layout.CombinedPrefix, "", func(oi store.ObjectInfo) error {
		d, err := layout.ParseDerived(oi.Key)
		if err != nil {
			return nil
		}
		b, _, err := st.Get(ctx, oi.Key)
		if err != nil {
			return err
		}
		n[d.Kind]++
		if d.Kind == layout.DerivedAssets {
			compareRows[combined.AssetRow](t, oi.Key, b)
		} else {
			compareRows[combined.AllocationRow](t, oi.Key, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range layout.DerivedKinds {
		if n[k] == 0 {
			t.Errorf("no %s objects compared", k)
		}
	}
}

func compareRows[T any](t *testing.T, key string, b []byte) {
	t.Helper()
	want, err := combined.ReadRows[T](b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readColumns[T](b)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", key, len(got), len(want))
	}
	for i := range want {
		normalizeMaps(&want[i])
		normalizeMaps(&got[i])
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("%s row %d:\n got %+v\nwant %+v", key, i, got[i], want[i])
		}
	}
}

// normalizeMaps makes empty maps nil (both mean "none").
func normalizeMaps(p any) {
	v := reflect.ValueOf(p).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Map && f.Len() == 0 {
			f.Set(reflect.Zero(f.Type()))
		}
	}
}

// TestReadFleetSections: each section of a fleet object decodes alone into the right rows per
// cluster, also when the first section spans several row groups (64k rows each).
func TestReadFleetSections(t *testing.T) {
	mk := func(dim string, i int) combined.AllocationRow {
		return combined.AllocationRow{Dimension: dim, Name: fmt.Sprintf("%s-%d", dim, i), CPUCost: float64(i)}
	}
	var a, b []combined.AllocationRow
	for i := range 40_000 {
		a = append(a, mk("namespace", i))
		if i%4000 == 0 {
			a = append(a, mk("controller", i))
		}
	}
	for i := range 30_000 {
		b = append(b, mk("idle", i))
		if i%6000 == 0 {
			b = append(b, mk("node", i))
		}
	}
	x := &combined.FleetIndex{Format: combined.FleetFormat, Clusters: []combined.FleetCluster{
		{ID: "a", Version: "1", Rows: len(a)}, {ID: "b", Version: "2", Rows: len(b)}}}
	data, err := combined.WriteFleet(x, append(slices.Clone(a), b...))
	if err != nil {
		t.Fatal(err)
	}
	split := func(rows []combined.AllocationRow, first bool) []combined.AllocationRow {
		var out []combined.AllocationRow
		for _, r := range rows {
			if combined.FleetFirst(r.Dimension) == first {
				out = append(out, r)
			}
		}
		return out
	}
	for _, first := range []bool{true, false} {
		idx, parts, err := readFleet(data, first)
		if err != nil {
			t.Fatal(err)
		}
		if len(idx.Clusters) != 2 || idx.Clusters[0].First != 40_000 || idx.Clusters[1].First != 30_000 {
			t.Fatalf("index %+v", idx.Clusters)
		}
		for i, want := range [][]combined.AllocationRow{split(a, first), split(b, first)} {
			if !reflect.DeepEqual(parts[i], want) {
				t.Errorf("section first=%t, cluster %d: %d rows, want %d", first, i, len(parts[i]), len(want))
			}
		}
	}
	// The generic reader agrees: cluster after cluster, each in FleetOrder.
	_, rows, err := combined.ReadFleet(data)
	if err != nil {
		t.Fatal(err)
	}
	want := append(combined.FleetOrder(a), combined.FleetOrder(b)...)
	for i := range want {
		if i >= len(rows) || rows[i].Name != want[i].Name || rows[i].Dimension != want[i].Dimension || rows[i].CPUCost != want[i].CPUCost {
			t.Fatalf("ReadFleet row %d = %+v, want %+v (cluster-major FleetOrder)", i, rows[min(i, len(rows)-1)], want[i])
		}
	}
}
