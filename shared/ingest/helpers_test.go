package ingest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

var testHour = layout.WindowFor(layout.Hourly, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))

func upload(cluster string, k layout.Kind, w layout.Window) layout.Upload {
	return layout.Upload{Cluster: cluster, Kind: k, Resolution: layout.Hourly, Window: w}
}

// allocDoc builds an allocations document with n containers spread over two nodes; seed
// varies the numbers so that versions differ.
func allocDoc(cluster string, w layout.Window, n int, seed uint64, install string) *etl.Document {
	r := rand.New(rand.NewPCG(seed, 7))
	d := etl.NewDocument(upload(cluster, layout.Allocations, w), etl.Producer{Agent: "test", Version: "1.0", InstallID: install, Source: "test", BuiltAt: w.End})
	for i := range n {
		node := fmt.Sprintf("node-%d", i%2)
		ns := []string{"shop", "batch", "kube-system"}[i%3]
		name := fmt.Sprintf("%s/%s/%s/pod-%d/c", cluster, node, ns, i)
		cpu := 0.1 + r.Float64()
		ram := float64(1<<28) * (1 + r.Float64()*4)
		a := &cost.Allocation{Name: name, Start: w.Start, End: w.End,
			Properties: &cost.AllocationProperties{Node: node, Namespace: ns, Pod: fmt.Sprintf("pod-%d", i), Container: "c",
				ControllerKind: "deployment", Controller: fmt.Sprintf("app-%d", i%4), Labels: map[string]string{"app": fmt.Sprintf("app-%d", i%4)}},
			CPUCoreHours: cpu, CPUCoreRequestAverage: cpu, CPUCoreUsageAverage: cpu * r.Float64(), CPUCost: cpu * 0.03,
			RAMByteHours: ram, RAMBytesRequestAverage: ram, RAMBytesUsageAverage: ram * 0.5, RAMCost: ram / (1 << 30) * 0.004,
			NetworkCost: r.Float64() * 0.001,
			PVs:         cost.PVAllocations{{Cluster: cluster, Name: fmt.Sprintf("pv-%d", i)}: {ByteHours: 1 << 30, Cost: 0.0001}}}
		d.Allocations[name] = a
	}
	return d
}

func assetDoc(cluster string, w layout.Window, seed uint64, install string) *etl.Document {
	r := rand.New(rand.NewPCG(seed, 11))
	d := etl.NewDocument(upload(cluster, layout.Assets, w), etl.Producer{Agent: "test", Version: "1.0", InstallID: install, Source: "test", BuiltAt: w.End})
	for i := range 2 {
		a := &cost.Asset{Type: cost.NodeAssetType, Start: w.Start, End: w.End,
			Properties: cost.AssetProperties{Category: cost.ComputeCategory, Provider: "AWS", Service: "Kubernetes", Name: fmt.Sprintf("node-%d", i), ProviderID: fmt.Sprintf("i-%d", i)},
			NodeType:   "m5.large", CPUCoreHours: 4, RAMByteHours: 16 << 30, CPUCost: 0.2 + r.Float64()*0.1, RAMCost: 0.07, Discount: 0.1 * float64(i), Adjustment: 0.01}
		d.Assets[a.Key()] = a
	}
	mgmt := &cost.Asset{Type: cost.ClusterManagementAssetType, Start: w.Start, End: w.End,
		Properties: cost.AssetProperties{Category: cost.ManagementCategory, Provider: "AWS", Name: cluster}, Cost: 0.1}
	d.Assets[mgmt.Key()] = mgmt
	return d
}

func encode(t testing.TB, d *etl.Document) []byte {
	t.Helper()
	b, err := etl.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newCore(t testing.TB, st store.Store) *Core {
	t.Helper()
	c, err := New(Config{Store: st, Now: func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newMemory() store.Store { return memory.New("mem") }

func put(t testing.TB, st store.Store, key string, data []byte) {
	t.Helper()
	if _, err := st.Put(context.Background(), key, data); err != nil {
		t.Fatal(err)
	}
}
