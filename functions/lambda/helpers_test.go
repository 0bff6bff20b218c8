package lambda

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// fixtureWindow is the window the testdata events name (1795168800-1795172400).
var fixtureWindow = layout.WindowFor(layout.Hourly, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))

const (
	fixtureBucket = "fedcost-test"
	fixturePrefix = "fedcost data" // "fedcost+data" in the events
)

// putWindow uploads both files of the fixture window for cluster.
func putWindow(t testing.TB, st store.Store, cluster string) {
	t.Helper()
	for _, k := range layout.Kinds {
		u := layout.Upload{Cluster: cluster, Kind: k, Resolution: layout.Hourly, Window: fixtureWindow}
		if _, err := st.Put(context.Background(), u.Key(), document(t, u)); err != nil {
			t.Fatal(err)
		}
	}
}

// document is a small valid upload for u.
func document(t testing.TB, u layout.Upload) []byte {
	t.Helper()
	w := u.Window
	d := etl.NewDocument(u, etl.Producer{Agent: "test", Version: "1", InstallID: "i-" + u.Cluster, Source: "test", BuiltAt: w.End})
	if u.Kind == layout.Allocations {
		a := &cost.Allocation{Name: u.Cluster + "/n0/ns/p/c", Start: w.Start, End: w.End,
			Properties:   &cost.AllocationProperties{Node: "n0", Namespace: "ns", Pod: "p", Container: "c"},
			CPUCoreHours: 1, CPUCoreRequestAverage: 1, CPUCost: 0.03, RAMByteHours: 1 << 30, RAMCost: 0.004}
		d.Allocations[a.Name] = a
	} else {
		a := &cost.Asset{Type: cost.NodeAssetType, Start: w.Start, End: w.End,
			Properties: cost.AssetProperties{Category: cost.ComputeCategory, Provider: "AWS", Name: "n0", ProviderID: "i-0"},
			NodeType:   "m5.large", CPUCoreHours: 2, RAMByteHours: 8 << 30, CPUCost: 0.08, RAMCost: 0.02}
		d.Assets[a.Key()] = a
	}
	b, err := etl.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// derived reports whether the allocations output of the fixture window exists for cluster.
func derived(t testing.TB, st store.Store, cluster string) bool {
	t.Helper()
	key := layout.Derived{Kind: layout.DerivedAllocations, Cluster: cluster, Resolution: layout.Hourly, Window: fixtureWindow}.Key()
	_, err := st.Stat(context.Background(), key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// failingStore fails every read of a key containing substr with a transient error.
type failingStore struct {
	store.Store
	substr string
}

var errInjected = errors.New("injected 503 SlowDown")

func (f failingStore) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	if strings.Contains(key, f.substr) {
		return nil, store.ObjectInfo{}, errInjected
	}
	return f.Store.Get(ctx, key)
}

func (f failingStore) GetReader(ctx context.Context, key string) (io.ReadCloser, store.ObjectInfo, error) {
	if strings.Contains(key, f.substr) {
		return nil, store.ObjectInfo{}, errInjected
	}
	return f.Store.GetReader(ctx, key)
}

func (f failingStore) Stat(ctx context.Context, key string) (store.ObjectInfo, error) {
	if strings.Contains(key, f.substr) {
		return store.ObjectInfo{}, errInjected
	}
	return f.Store.Stat(ctx, key)
}
