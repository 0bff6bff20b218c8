package sim

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/fedcost/fedcost/agent/source"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// Source serves the simulated fleet through the agent's source.Source interface, for tests of
// the agent runtime and for Live. Any valid cluster id works; its cluster is generated from
// (Seed, id, ContainersPerDay) as in Generate, so the data equals what Generate writes.
type Source struct {
	seed       int64
	containers int
	now        func() time.Time
	// Earliest, if set, is where the simulated history begins: windows that end at or before
	// it have no data (source.ErrNoData), like Prometheus retention.
	Earliest time.Time

	mu     sync.Mutex
	models map[string]*clusterModel
}

var _ source.Source = (*Source)(nil)

// NewSource returns the simulator as a source. opts.Now is the clock that bounds the open
// window (records cover [window start, now)); Seed and ContainersPerDay select the data.
func NewSource(opts Options) *Source {
	opts = opts.withDefaults()
	return &Source{seed: opts.Seed, containers: opts.ContainersPerDay, now: opts.Now, models: map[string]*clusterModel{}}
}

// Name implements source.Source.
func (s *Source) Name() string { return SourceName }

func (s *Source) model(cluster string) *clusterModel {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.models[cluster]
	if !ok {
		m = newClusterModel(s.seed, cluster, s.containers)
		s.models[cluster] = m
	}
	return m
}

// Build implements source.Source. Windows that have not started yet, or end before Earliest,
// are source.ErrNoData. The returned sets are the caller's to change.
func (s *Source) Build(ctx context.Context, cluster string, r layout.Resolution, w layout.Window) (*cost.AllocationSet, *cost.AssetSet, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err := layout.ValidateClusterID(cluster); err != nil {
		return nil, nil, fmt.Errorf("simulator: %w", err)
	}
	if err := layout.ValidateWindow(r, w.Start, w.End); err != nil {
		return nil, nil, fmt.Errorf("simulator: %w", err)
	}
	now := s.now()
	if !now.After(w.Start) || (!s.Earliest.IsZero() && !w.End.After(s.Earliest)) {
		return nil, nil, fmt.Errorf("simulator %s %s: %w", r, w, source.ErrNoData)
	}
	m := s.model(cluster)
	allocs, assets := m.windowSets(m.dayInstances(w.Start.Truncate(24*time.Hour)), cost.NewWindow(w.Start, w.End), now)
	for n, a := range allocs.Allocations {
		allocs.Allocations[n] = a.Clone()
	}
	for k, a := range assets.Assets {
		assets.Assets[k] = a.Clone()
	}
	return allocs, assets, nil
}
