package source

import (
	"context"
	"slices"
	"sync"

	"github.com/fedcost/fedcost/shared/cost"
)

// Memory is a Source holding sets in memory (tests, demos). It ignores Needs and always
// returns the rows it was given. The zero value is not usable; use NewMemory.
type Memory struct {
	mu       sync.RWMutex
	allocs   map[Resolution][]*cost.AllocationSet
	assets   map[Resolution][]*cost.AssetSet
	clusters []ClusterStatus
	ready    bool
}

// NewMemory returns an empty, ready Memory.
func NewMemory() *Memory {
	return &Memory{allocs: map[Resolution][]*cost.AllocationSet{}, assets: map[Resolution][]*cost.AssetSet{}, ready: true}
}

// AddAllocationSets stores sets of resolution r (kept sorted by window start).
func (m *Memory) AddAllocationSets(r Resolution, sets ...*cost.AllocationSet) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.allocs[r] = append(m.allocs[r], sets...)
	slices.SortStableFunc(m.allocs[r], func(a, b *cost.AllocationSet) int { return a.Window.Start.Compare(b.Window.Start) })
}

// AddAssetSets stores sets of resolution r (kept sorted by window start).
func (m *Memory) AddAssetSets(r Resolution, sets ...*cost.AssetSet) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.assets[r] = append(m.assets[r], sets...)
	slices.SortStableFunc(m.assets[r], func(a, b *cost.AssetSet) int { return a.Window.Start.Compare(b.Window.Start) })
}

// SetClusters replaces the cluster statuses.
func (m *Memory) SetClusters(c []ClusterStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clusters = slices.Clone(c)
}

// SetReady sets what Ready reports.
func (m *Memory) SetReady(ready bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ready = ready
}

// AllocationSets implements Source.
func (m *Memory) AllocationSets(ctx context.Context, q AllocationQuery) ([]*cost.AllocationSet, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []*cost.AllocationSet
	for _, s := range m.allocs[q.Resolution] {
		if s.Window.Overlaps(q.Window) {
			out = append(out, s)
		}
	}
	return out, nil
}

// AssetSets implements Source.
func (m *Memory) AssetSets(ctx context.Context, q AssetQuery) ([]*cost.AssetSet, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []*cost.AssetSet
	for _, s := range m.assets[q.Resolution] {
		if s.Window.Overlaps(q.Window) {
			out = append(out, s)
		}
	}
	return out, nil
}

// Coverage implements Source.
func (m *Memory) Coverage() (hourly, daily cost.Window) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	span := func(sets []*cost.AllocationSet) cost.Window {
		var w cost.Window
		for _, s := range sets {
			w = w.Expand(s.Window)
		}
		return w
	}
	return span(m.allocs[Hourly]), span(m.allocs[Daily])
}

// Clusters implements Source.
func (m *Memory) Clusters(ctx context.Context) ([]ClusterStatus, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.clusters), nil
}

// Ready implements Source.
func (m *Memory) Ready() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.ready
}
