// Package heartbeat writes federated/<cluster>/heartbeat.json (etl.Heartbeat) every interval:
// agent version, install id, start time, last builds, last upload, spool depth and a config
// summary without secrets. The aggregator derives per-cluster freshness and duplicate cluster
// ids (two install ids for one cluster id) from it. Heartbeats are not spooled: the next one
// replaces a lost one.
package heartbeat

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// Writer writes one cluster's heartbeat.
type Writer struct {
	Store     store.Store
	Cluster   string
	Producer  etl.Producer // BuiltAt is set on every write
	StartedAt time.Time
	Interval  time.Duration
	// Config summarises the configuration; callers must leave secrets out.
	Config map[string]string
	Now    func() time.Time
}

// Status is the agent's state at the time of a heartbeat.
type Status struct {
	LastBuild  map[string]time.Time // "<kind>/<resolution>" → when its last build succeeded
	LastUpload time.Time
	SpoolFiles int
	SpoolBytes int64
}

// Write encodes and puts the heartbeat.
func (w *Writer) Write(ctx context.Context, st Status) error {
	now := w.Now().UTC()
	p := w.Producer
	p.BuiltAt = now
	hb := &etl.Heartbeat{
		Cluster: w.Cluster, Producer: p, StartedAt: w.StartedAt.UTC(), Time: now,
		IntervalSeconds: int(w.Interval / time.Second), LastBuild: maps.Clone(st.LastBuild),
		LastUpload: st.LastUpload.UTC(), SpoolFiles: st.SpoolFiles, SpoolBytes: st.SpoolBytes,
		Config: maps.Clone(w.Config),
	}
	if st.LastUpload.IsZero() {
		hb.LastUpload = time.Time{}
	}
	data, err := etl.EncodeHeartbeat(hb)
	if err != nil {
		return err
	}
	key := layout.HeartbeatKey(w.Cluster)
	if _, err := w.Store.Put(ctx, key, data); err != nil {
		return fmt.Errorf("heartbeat: put %s: %w", key, err)
	}
	return nil
}
