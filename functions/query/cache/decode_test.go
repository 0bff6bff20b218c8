package cache

import (
	"context"
	"reflect"
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
