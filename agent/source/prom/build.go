package prom

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/fedcost/fedcost/agent/source"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// Build implements source.Source. It queries [w.Start, min(w.End, now)) at the resolution's
// step: first the plan (containers per namespace), then the cluster-level queries and, per
// chunk, the container- and namespace-level queries, at most Concurrency at a time. It returns
// source.ErrNoData when Prometheus knows no running container and no node in the window.
//
// The label and annotation maps of the allocations' properties may be shared between the
// allocations of one pod or namespace: treat them as read-only (Clone before changing one).
func (s *Source) Build(ctx context.Context, cluster string, r layout.Resolution, w layout.Window) (*cost.AllocationSet, *cost.AssetSet, error) {
	started := time.Now()
	step := s.cfg.step(r)
	start, end := w.Start.UTC(), w.End.UTC()
	if now := s.cfg.Now().UTC().Truncate(step); now.Before(end) {
		end = now
	}
	if !end.After(start) {
		return nil, nil, fmt.Errorf("prometheus source: window %s has not started: %w", w, source.ErrNoData)
	}
	at := end.Add(-time.Second) // subquery steps: start … end−step
	base := scope{cluster: s.clusterMatchers()}
	q := newQueries(base, end.Sub(start), step, s.cfg.RateWindow)

	var units []unitCount
	err := s.client.query(ctx, q.planQuery(), at, func(m labels, p pair) {
		if ns := m.get("namespace"); ns != "" {
			units = append(units, unitCount{Namespace: ns, First: m.get("first"), N: int(p.V)})
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("prometheus source: plan window %s: %w", w, err)
	}
	chunks := planChunks(units, s.cfg.MaxSeriesPerQuery)
	for _, c := range chunks {
		if c.Series > s.cfg.MaxSeriesPerQuery {
			s.log.Warn("prometheus chunk exceeds MaxSeriesPerQuery: one namespace has this many containers whose pod names share a first character",
				"namespace", c.Namespaces[0], "podFirst", c.PodFirst, "containers", c.Series, "max", s.cfg.MaxSeriesPerQuery)
		}
	}

	var tasks []namedQuery
	tasks = append(tasks, q.clusterQueries()...)
	for _, c := range chunks {
		tasks = append(tasks, newQueries(scope{cluster: base.cluster, chunk: c}, end.Sub(start), step, s.cfg.RateWindow).containerQueries()...)
		if nc, first := c.nsChunk(); first {
			tasks = append(tasks, newQueries(scope{cluster: base.cluster, chunk: nc}, end.Sub(start), step, s.cfg.RateWindow).namespaceQueries()...)
		}
	}
	raw := newRaw()
	if err := s.run(ctx, tasks, at, raw); err != nil {
		return nil, nil, fmt.Errorf("prometheus source: window %s: %w", w, err)
	}
	a := &assembler{
		cluster: cluster, win: cost.NewWindow(w.Start, w.End), start: start, end: end,
		step: step, table: s.cfg.Pricing, r: raw,
	}
	allocs, assets := a.build()
	s.log.Debug("prometheus window built", "window", w.String(), "resolution", string(r),
		"chunks", len(chunks), "queries", len(tasks)+1, "allocations", allocs.Len(),
		"assets", len(assets.Assets), "took", time.Since(started))
	if allocs.Len() == 0 && !hasNode(assets) {
		return nil, nil, fmt.Errorf("prometheus source: window %s: no running containers and no nodes: %w", w, source.ErrNoData)
	}
	return allocs, assets, nil
}

func (s *Source) clusterMatchers() []matcher {
	if s.cfg.ClusterLabel == "" {
		return nil
	}
	return []matcher{{s.cfg.ClusterLabel, "=", s.cfg.ClusterFilter}}
}

// run evaluates the queries with Concurrency workers, merging results into raw; the first
// error cancels the rest.
func (s *Source) run(ctx context.Context, tasks []namedQuery, at time.Time, raw *raw) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan namedQuery)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range s.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				err := s.client.query(ctx, t, at, func(m labels, p pair) { raw.apply(t.Name, m, p.V) })
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
feed:
	for _, t := range tasks {
		select {
		case next <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func hasNode(assets *cost.AssetSet) bool {
	for _, a := range assets.Assets {
		if a.Type == cost.NodeAssetType {
			return true
		}
	}
	return false
}
