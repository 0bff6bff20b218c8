// Package source defines what the query service reads its data from (Source) and an in-memory
// implementation for tests and demos. The storage-backed cache over federated/combined/
// implements the same interface.
package source

import (
	"context"
	"errors"
	"time"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/shared/cost"
)

// Resolution is the length of stored windows.
type Resolution int

// Stored resolutions.
const (
	Hourly Resolution = iota + 1
	Daily
)

// Duration is the window length of the resolution.
func (r Resolution) Duration() time.Duration {
	if r == Hourly {
		return time.Hour
	}
	return 24 * time.Hour
}

func (r Resolution) String() string {
	if r == Hourly {
		return "1h"
	}
	return "1d"
}

// ErrNotReady is returned by a Source that cannot answer yet (cache still loading).
var ErrNotReady = errors.New("source not ready")

// AllocationQuery asks for allocation sets.
type AllocationQuery struct {
	Window     cost.Window
	Resolution Resolution
	// Needs lists the properties the query reads (engine.Options.Needs). A Source may return
	// rows rolled up over every other property (see engine.Rollup) — e.g. per (cluster,
	// namespace) rows for a namespace query — or full container rows; the result is the same.
	// Rollup rows must keep at least the Needs properties, be merged with engine.Add (OpenCost
	// averages: concurrent rows' request/usage averages add up), carry __unmounted__ or
	// __external__ in their name when they are such rows, and have names unique within the set
	// (e.g. cluster-qualified); the engine reads names for nothing else when Needs is not
	// engine.AllFields.
	Needs engine.Fields
	// Clusters, when not nil, are the only clusters whose rows can change the answer
	// (engine.Options.Clusters): a Source may leave out every row, idle included, of others.
	Clusters []string
	// LabelKeys, when not nil, are the only label keys the query reads
	// (engine.Options.LabelKeys): a Source may drop every other label of a row.
	LabelKeys []string
}

// AssetQuery asks for asset sets.
type AssetQuery struct {
	Window     cost.Window
	Resolution Resolution
}

// Source supplies per-window sets. Contracts:
//   - Sets are returned one per stored window of the requested resolution that overlaps the
//     query window, in time order; windows with no data may be omitted.
//   - Allocation sets hold container (or rolled-up) allocations and the per-node idle rows
//     named <cluster>/<node>/__idle__ computed at ingest (cost.ComputeIdle with byNode=true),
//     whose properties carry Cluster, Node and ProviderID.
//   - Returned sets are shared: callers must not modify them. A Source must not modify a set
//     it has handed out either: new data comes as a new set (the engine remembers results per
//     set object).
//   - Methods are safe for concurrent use and honour ctx.
type Source interface {
	AllocationSets(ctx context.Context, q AllocationQuery) ([]*cost.AllocationSet, error)
	AssetSets(ctx context.Context, q AssetQuery) ([]*cost.AssetSet, error)
	// Coverage is the span of loaded data per resolution (zero when none).
	Coverage() (hourly, daily cost.Window)
	// Clusters reports per-cluster freshness and health for /model/federation/status.
	Clusters(ctx context.Context) ([]ClusterStatus, error)
	// Ready reports whether the Source has loaded enough to answer queries.
	Ready() bool
}

// RefSource is a Source that can also hand out allocation sets lazily, as engine.SetRefs
// whose IDs let the engine's Memo answer repeated queries without loading the sets at all.
// The sets the refs load obey the AllocationSets contract; an ID must change whenever the
// set's content would, and be unique among the Sources that share a Memo.
type RefSource interface {
	Source
	AllocationSetRefs(ctx context.Context, q AllocationQuery) ([]engine.SetRef, error)
}

// ClusterStatus is the health of one cluster's uploads and derivations.
type ClusterStatus struct {
	ClusterID    string
	LastUpload   time.Time // newest upload seen
	LastDerive   time.Time // newest derivation written
	Lag          time.Duration
	AgentVersion string
	InstallIDs   []string // more than one: two installs write the same cluster id
	Duplicate    bool
	LastError    string
	Quarantined  int
	// QuarantineReasons are the most recent quarantine records.
	QuarantineReasons []QuarantineRecord
}

// QuarantineRecord says why an upload was refused.
type QuarantineRecord struct {
	Key    string
	Reason string
	Time   time.Time
}

// ChooseResolution picks the resolution to read a query from, like Kubecost: hourly sets when
// the hourly store covers the start of the window, daily ones otherwise. preferDaily (the
// query folds by day or longer) takes daily sets when the window is day-aligned and the daily
// store covers it (as far as the hourly store reaches), since they give the same answer from 24
// times fewer sets.
func ChooseResolution(w cost.Window, hourly, daily cost.Window, preferDaily bool) Resolution {
	dayAligned := w.Start.Equal(w.Start.Truncate(24*time.Hour)) && w.End.Equal(w.End.Truncate(24*time.Hour))
	// Daily sets must also reach as far as the hourly ones do inside the window: the open day
	// may exist only as hourly sets.
	end := w.End
	if !hourly.IsZero() && hourly.End.Before(end) {
		end = hourly.End
	}
	dailyCovers := !daily.IsZero() && !w.Start.Before(daily.Start) && (hourly.IsZero() || !daily.End.Before(end))
	if preferDaily && dayAligned && dailyCovers {
		return Daily
	}
	if !hourly.IsZero() && !w.Start.Before(hourly.Start) {
		return Hourly
	}
	return Daily
}
