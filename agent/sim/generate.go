package sim

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/fedcost/fedcost/agent/build"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/version"
)

// Producer names of simulated uploads.
const (
	AgentName  = "fedcost-simulator"
	SourceName = "simulator"
)

// heartbeatInterval is what simulated heartbeats report as the agent interval.
const heartbeatInterval = 5 * time.Minute

// Generate writes the fleet to st with Put: for every cluster, the daily and hourly windows
// of opts (both kinds, oldest first) and a heartbeat. Clusters are generated in parallel
// (opts.Workers, default GOMAXPROCS). The first error stops the run and is returned.
func Generate(ctx context.Context, st store.Store, opts Options) (Summary, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return Summary{}, fmt.Errorf("simulate: %w", err)
	}
	plan := opts.plan()
	total := opts.Clusters * (2*len(plan) + 1)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, opts.Clusters)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g := &generator{st: st, opts: opts, plan: plan, total: total}
	sum := Summary{Clusters: make([]ClusterSummary, opts.Clusters)}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				cs, err := g.cluster(ctx, i)
				if err != nil {
					g.fail(err)
					cancel()
					continue
				}
				sum.Clusters[i] = cs
			}
		})
	}
feed:
	for i := range opts.Clusters {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if g.err != nil {
		return Summary{}, g.err
	}
	if err := ctx.Err(); err != nil {
		return Summary{}, fmt.Errorf("simulate: %w", err)
	}
	sum.Files, sum.Heartbeats, sum.Bytes = g.files, g.heartbeats, g.bytes
	return sum, nil
}

type generator struct {
	st    store.Store
	opts  Options
	plan  []windowPlan
	total int
	enc   build.Encoder

	mu         sync.Mutex
	done       int
	files      int
	heartbeats int
	bytes      int64
	err        error
}

func (g *generator) fail(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err == nil {
		g.err = err
	}
}

func (g *generator) wrote(n int, heartbeat bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.done++
	g.bytes += int64(n)
	if heartbeat {
		g.heartbeats++
	} else {
		g.files++
	}
	if g.opts.Progress != nil {
		g.opts.Progress(g.done, g.total)
	}
}

// cluster writes every window of cluster i and its heartbeat.
func (g *generator) cluster(ctx context.Context, i int) (ClusterSummary, error) {
	id := ClusterID(g.opts.ClusterPrefix, i)
	m := newClusterModel(g.opts.Seed, id, g.opts.ContainersPerDay)
	p := producer(g.opts.Seed, id)
	cs := ClusterSummary{Cluster: id}
	lastBuild := map[string]time.Time{}
	var day time.Time
	var insts []instance
	for _, wp := range g.plan {
		if d := wp.w.Start.Truncate(24 * time.Hour); insts == nil || !d.Equal(day) {
			day, insts = d, m.dayInstances(d)
		}
		allocs, assets := m.windowSets(insts, cost.NewWindow(wp.w.Start, wp.w.End), g.opts.End)
		t := TotalsOf(allocs, assets)
		if wp.r == layout.Daily {
			cs.Daily.Add(t)
		} else {
			cs.Hourly.Add(t)
		}
		p.BuiltAt = minTime(wp.w.End, g.opts.End)
		files, err := g.enc.Files(id, wp.r, wp.w, allocs, assets, p)
		if err != nil {
			return cs, fmt.Errorf("simulate %s: %w", id, err)
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return cs, err
			}
			if _, err := g.st.Put(ctx, f.Key(), f.Data); err != nil {
				return cs, fmt.Errorf("simulate: put %s: %w", f.Key(), err)
			}
			g.wrote(len(f.Data), false)
			lastBuild[string(f.Upload.Kind)+"/"+string(wp.r)] = p.BuiltAt
		}
	}
	p.BuiltAt = g.opts.End
	hb := &etl.Heartbeat{Cluster: id, Producer: p, StartedAt: g.opts.End, Time: g.opts.End,
		IntervalSeconds: int(heartbeatInterval / time.Second), LastBuild: lastBuild, LastUpload: g.opts.End,
		Config: map[string]string{"source": SourceName, "seed": strconv.FormatInt(g.opts.Seed, 10),
			"containersPerDay": strconv.Itoa(g.opts.ContainersPerDay)}}
	data, err := etl.EncodeHeartbeat(hb)
	if err != nil {
		return cs, fmt.Errorf("simulate %s: %w", id, err)
	}
	if _, err := g.st.Put(ctx, layout.HeartbeatKey(id), data); err != nil {
		return cs, fmt.Errorf("simulate: put %s: %w", layout.HeartbeatKey(id), err)
	}
	g.wrote(len(data), true)
	return cs, nil
}

// producer is the simulated agent of a cluster: a stable install id per (seed, cluster).
func producer(seed int64, cluster string) etl.Producer {
	return etl.Producer{Agent: AgentName, Version: version.Version, Source: SourceName,
		InstallID: uuidFrom(newRNG(seed, "install", cluster))}
}
