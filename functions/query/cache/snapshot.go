package cache

import (
	"time"

	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// objRef is one version of one object (its key follows from where it is held: a window's
// refKey, or a status' cluster; not kept, since 138,000 keys would cost tens of MiB).
type objRef struct {
	version store.Version
	size    int64
}

// window is what is loaded for one stored window (resolution and start) across clusters.
// It is immutable: a refresh that sees any change of the window builds a new one with a new
// gen, which is what the built sets are keyed by.
type window struct {
	res     source.Resolution
	win     cost.Window
	gen     uint64
	rollups map[string]*chunk // resident rollup rows by cluster
	refs    map[refKey]objRef // every derived object of the window
	fleet   bool              // a fleet rollups object was listed for the window
	// fleetNS is the namespace rollups merged across clusters (the dimFleetNamespace view),
	// built before the window is published.
	fleetNS *cost.AllocationSet
}

// refKey is (kind, cluster) within a window.
type refKey struct {
	kind    layout.DerivedKind
	cluster string
}

// key is the object key of rk in w.
func (w *window) key(rk refKey) string {
	r := layout.Hourly
	if w.res == source.Daily {
		r = layout.Daily
	}
	return layout.Derived{Kind: rk.kind, Cluster: rk.cluster, Resolution: r, Window: layout.Window{Start: w.win.Start, End: w.win.End}}.Key()
}

// statusEntry is one loaded status object.
type statusEntry struct {
	ref    objRef
	status *combined.Status
}

// snapshot is the loaded state; replaced as a whole by each refresh.
type snapshot struct {
	windows  map[source.Resolution][]*window // sorted by start
	statuses map[string]statusEntry          // by cluster
	at       time.Time
}

func emptySnapshot() *snapshot {
	return &snapshot{windows: map[source.Resolution][]*window{}, statuses: map[string]statusEntry{}}
}

// overlapping lists the windows of r that overlap w, in time order.
func (s *snapshot) overlapping(r source.Resolution, w cost.Window) []*window {
	var out []*window
	for _, win := range s.windows[r] {
		if win.win.Overlaps(w) {
			out = append(out, win)
		}
	}
	return out
}

// coverage is the span of windows of r that hold allocation data.
func (s *snapshot) coverage(r source.Resolution) cost.Window {
	var span cost.Window
	for _, win := range s.windows[r] {
		if len(win.rollups) > 0 {
			span = span.Expand(win.win)
		}
	}
	return span
}

// stats counts what the snapshot holds (resident rollups and status objects; the shared
// dictionary is counted by the cache).
func (s *snapshot) stats() (objects, rows, bytes int) {
	for _, ws := range s.windows {
		for _, w := range ws {
			for _, c := range w.rollups {
				objects, rows, bytes = objects+1, rows+c.rows, bytes+c.bytes
			}
		}
	}
	return objects + len(s.statuses), rows, bytes
}

func resolutionOf(r layout.Resolution) source.Resolution {
	if r == layout.Hourly {
		return source.Hourly
	}
	return source.Daily
}
