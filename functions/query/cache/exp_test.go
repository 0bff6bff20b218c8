package cache

import (
	"context"
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

func TestExp(t *testing.T) {
	ctx := context.Background()
	st := memory.New("mem")
	end := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	t0 := time.Now()
	_, err := sim.Generate(ctx, st, sim.Options{Clusters: 5, Days: 3, HourlyHours: 4, Seed: 1, End: end})
	if err != nil { t.Fatal(err) }
	fmt.Println("gen", time.Since(t0))
	c, _ := ingest.New(ingest.Config{Store: st})
	t0 = time.Now()
	rep, err := c.Reconcile(ctx, ingest.ReconcileOptions{})
	fmt.Println("rec", time.Since(t0), rep.Derived, err)
	fmt.Println("alloc size", unsafe.Sizeof(cost.Allocation{}), unsafe.Sizeof(cost.AllocationProperties{}), unsafe.Sizeof(combined.AllocationRow{}))
	n := 0
	st.List(ctx, "federated/combined/", "", func(oi store.ObjectInfo) error {
		n++
		if n > 40 && !(len(oi.Key) > 30 && oi.Key[19:26] == "rollups") { return nil }
		if oi.Key[19:26] == "rollups" { fmt.Println(oi.Key, oi.Size, oi.Version) }
		b, _, _ := st.Get(ctx, oi.Key)
		if len(oi.Key) > 30 && oi.Key[19:26] == "rollups" {
			rows, _ := combined.ReadRows[combined.AllocationRow](b)
			dims := map[string]int{}
			for _, r := range rows { dims[r.Dimension]++ }
			fmt.Println("  ", dims)
			if n < 80 { for _, r := range rows { fmt.Printf("   %q %q node=%q ns=%q ck=%q c=%q pod=%q cont=%q pid=%q lab=%v svc=%q pvs=%q lbs=%q\n", r.Dimension, r.Name, r.Node, r.Namespace, r.ControllerKind, r.Controller, r.Pod, r.Container, r.ProviderID, r.Labels, r.Services, r.PVs, r.LoadBalancers)} }
		}
		if len(oi.Key) > 30 && oi.Key[19:30] == "allocations" && n < 0 {
			t0 := time.Now()
			rows, _ := combined.ReadRows[combined.AllocationRow](b)
			fmt.Println("  decode", len(rows), time.Since(t0))
			for _, r := range rows[:8] { fmt.Printf("   %q node=%q ns=%q ck=%q c=%q pod=%q cont=%q pid=%q lab=%v ann=%v svc=%q pvs=%q lbs=%q idle=%v\n", r.Name, r.Node, r.Namespace, r.ControllerKind, r.Controller, r.Pod, r.Container, r.ProviderID, r.Labels, r.Annotations, r.Services, r.PVs, r.LoadBalancers, r.Idle)}
		}
		return nil
	})
}
