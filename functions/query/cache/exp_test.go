package cache

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

func TestExp(t *testing.T) {
	ctx := context.Background()
	st := memory.New("mem")
	end := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	_, err := sim.Generate(ctx, st, sim.Options{Clusters: 2, Days: 1, HourlyHours: 1, Seed: 1, End: end})
	if err != nil { t.Fatal(err) }
	c, _ := ingest.New(ingest.Config{Store: st})
	c.Reconcile(ctx, ingest.ReconcileOptions{})
	st.List(ctx, "federated/combined/", "", func(oi store.ObjectInfo) error {
		if !strings.Contains(oi.Key, "rollups/resolution=1d/date=2026-11-19/cluster=sim-0001") { return nil }
		b, _, _ := st.Get(ctx, oi.Key)
			rows, _ := combined.ReadRows[combined.AllocationRow](b)
			for _, r := range rows { fmt.Printf("%+v\n\n", r) }
		return nil
	})
}
