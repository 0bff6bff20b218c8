package cache

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
)

// TestConcurrentQueriesAndRefresh: queries of every view and asset queries run while the
// cache refreshes (go test -race finds unsynchronized access); every answer has data.
func TestConcurrentQueriesAndRefresh(t *testing.T) {
	t.Parallel()
	st, _ := fleet(t, sim.Options{Clusters: 2, Days: 2, HourlyHours: -1, Seed: 6})
	c, _ := loaded(t, st, Options{LazyBytes: 1}) // an LRU of one object: constant eviction
	ctx := context.Background()
	today := testEnd.Truncate(24 * time.Hour)
	win := cost.NewWindow(today.AddDate(0, 0, -2), today)
	needs := []engine.Fields{engine.FieldCluster | engine.FieldNamespace, engine.FieldController | engine.FieldControllerKind,
		engine.FieldNode, engine.FieldPod, engine.AllFields}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 5 {
				n := needs[(i+j)%len(needs)]
				sets, err := c.AllocationSets(ctx, source.AllocationQuery{Window: win, Resolution: source.Daily, Needs: n})
				if err != nil || len(sets) != 2 || len(sets[0].Allocations) == 0 {
					t.Errorf("needs %s: %d sets, %v", n, len(sets), err)
					return
				}
				as, err := c.AssetSets(ctx, source.AssetQuery{Window: win, Resolution: source.Daily})
				if err != nil || len(as) != 2 || len(as[0].Assets) == 0 {
					t.Errorf("assets: %d sets, %v", len(as), err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 3 {
			if _, err := c.Refresh(ctx); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
}
