// Package source defines what the agent builds cost windows from. Implementations: the
// cluster's Prometheus (agent/source/prom), an existing OpenCost API (agent/source/opencost),
// and the simulator (agent/sim).
package source

import (
	"context"
	"errors"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// ErrNoData says the source had nothing for the window (e.g. before Prometheus retention).
// The agent never uploads an empty window over a non-empty one.
var ErrNoData = errors.New("no data for the window")

// Source builds one window of cost data for one cluster.
type Source interface {
	// Name is "prometheus", "opencost" or "simulator" (the producer.source of uploads).
	Name() string
	// Build returns the allocations and assets of [w.Start, w.End) at resolution r. Records
	// must lie inside the window and carry the cluster id. Build may be called for the open
	// (current) window; it then covers [w.Start, now).
	Build(ctx context.Context, cluster string, r layout.Resolution, w layout.Window) (*cost.AllocationSet, *cost.AssetSet, error)
}
