package sim

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/fedcost/fedcost/agent/heartbeat"
	"github.com/fedcost/fedcost/agent/runner"
	"github.com/fedcost/fedcost/agent/uploader"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// Live keeps the fleet current like running agents: every interval, for every cluster, it
// rebuilds and writes the open hour and day (after a boundary, the closing windows once more)
// and a heartbeat, using the agent's own runner with the simulator as its source. Clusters tick
// in parallel (opts.Workers). Days, HourlyHours and Progress are not used: run Generate first
// for history. Live returns ctx's error when ctx ends, or the first setup error.
func Live(ctx context.Context, st store.Store, opts Options, interval time.Duration) error {
	opts = opts.withDefaults()
	if opts.End.IsZero() {
		opts.End = opts.Now()
	}
	if err := opts.validate(); err != nil {
		return fmt.Errorf("simulate live: %w", err)
	}
	if interval <= 0 {
		interval = runner.DefaultInterval
	}
	src := NewSource(opts)
	runners := make([]*runner.Runner, opts.Clusters)
	started := opts.Now()
	for i := range runners {
		id := ClusterID(opts.ClusterPrefix, i)
		up, err := uploader.New(uploader.Config{Store: st, Now: opts.Now})
		if err != nil {
			return err
		}
		p := producer(opts.Seed, id)
		hb := &heartbeat.Writer{Store: st, Cluster: id, Producer: p, StartedAt: started, Interval: interval, Now: opts.Now,
			Config: map[string]string{"source": SourceName, "seed": strconv.FormatInt(opts.Seed, 10), "mode": "live"}}
		r, err := runner.New(runner.Config{Cluster: id, Source: src, Uploader: up, Store: st, Interval: interval,
			Backfill: map[layout.Resolution]time.Duration{layout.Hourly: -1, layout.Daily: -1},
			Producer: p, Heartbeat: hb, Now: opts.Now})
		if err != nil {
			return err
		}
		runners[i] = r
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		tickAll(ctx, runners, workers)
		t.Reset(interval)
	}
}

// tickAll runs one tick and heartbeat of every runner, at most workers at a time. Errors are
// the runners' to log; a simulated fleet keeps going.
func tickAll(ctx context.Context, runners []*runner.Runner, workers int) {
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, r := range runners {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_ = r.Tick(ctx)
			_ = r.WriteHeartbeat(ctx)
		})
	}
	wg.Wait()
}
