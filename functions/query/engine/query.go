package engine

import (
	"context"
	"runtime"
	"sync"

	"github.com/fedcost/fedcost/shared/cost"
)

// AggregateSets aggregates every set (in parallel, up to GOMAXPROCS) and returns the results
// in the same order. It stops early with ctx's error when ctx is done.
func AggregateSets(ctx context.Context, sets []*cost.AllocationSet, o *Options) ([]*Set, error) {
	out := make([]*Set, len(sets))
	workers := min(runtime.GOMAXPROCS(0), len(sets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				out[i] = AggregateSet(sets[i], o)
			}
		})
	}
	var err error
feed:
	for i := range sets {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return out, nil
}
