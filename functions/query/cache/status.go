package cache

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/combined"
)

// maxReasons bounds the quarantine records reported per cluster.
const maxReasons = 10

// clusterHealth is one cluster's status as the cache judges it at now.
type clusterHealth struct {
	source.ClusterStatus
	Stale bool
}

// health computes every cluster's status from the loaded status objects; clusters with
// derived data but no status object are listed too (never seen uploading: stale).
func (c *Cache) health(s *snapshot, now time.Time) []clusterHealth {
	seen := map[string]bool{}
	var out []clusterHealth
	for cl, e := range s.statuses {
		seen[cl] = true
		out = append(out, c.healthOf(cl, e.status, now))
	}
	for _, ws := range s.windows {
		for _, w := range ws {
			for rk := range w.refs {
				if !seen[rk.cluster] {
					seen[rk.cluster] = true
					out = append(out, c.healthOf(rk.cluster, &combined.Status{Cluster: rk.cluster}, now))
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b clusterHealth) int { return strings.Compare(a.ClusterID, b.ClusterID) })
	return out
}

func (c *Cache) healthOf(cl string, st *combined.Status, now time.Time) clusterHealth {
	after := c.opts.staleAfter(st.IntervalSeconds)
	h := clusterHealth{ClusterStatus: source.ClusterStatus{
		ClusterID: cl, LastUpload: st.LastUpload, LastDerive: st.LastDerive, AgentVersion: st.AgentVersion(),
		// Two installs writing at once for longer than the staleness threshold are two agents.
		Duplicate: st.Duplicate(after), LastError: st.LastError, Quarantined: st.Quarantined,
	}}
	if !st.LastUpload.IsZero() {
		h.Lag = now.Sub(st.LastUpload)
	}
	h.Stale = st.LastUpload.IsZero() || h.Lag > after
	for _, in := range st.Installs {
		h.InstallIDs = append(h.InstallIDs, in.ID)
	}
	for i, q := range st.QuarantinedUploads {
		if i == maxReasons {
			break
		}
		h.QuarantineReasons = append(h.QuarantineReasons, source.QuarantineRecord{Key: q.Key, Reason: q.Reason, Time: q.Time})
	}
	return h
}

// Clusters implements source.Source.
func (c *Cache) Clusters(ctx context.Context) ([]source.ClusterStatus, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	hs := c.health(c.snap.Load(), c.opts.Now())
	out := make([]source.ClusterStatus, len(hs))
	for i, h := range hs {
		out[i] = h.ClusterStatus
	}
	return out, nil
}

// updateMetrics sets the per-cluster gauges from a snapshot.
func (c *Cache) updateMetrics(s *snapshot, now time.Time) {
	m := c.met
	for _, g := range []interface{ Reset() }{m.lastUpload, m.lastDerive, m.stale, m.duplicate, m.quarantined} {
		g.Reset()
	}
	for _, h := range c.health(s, now) {
		m.lastUpload.WithLabelValues(h.ClusterID).Set(unixSeconds(h.LastUpload))
		m.lastDerive.WithLabelValues(h.ClusterID).Set(unixSeconds(h.LastDerive))
		m.stale.WithLabelValues(h.ClusterID).Set(b2f(h.Stale))
		m.duplicate.WithLabelValues(h.ClusterID).Set(b2f(h.Duplicate))
		m.quarantined.WithLabelValues(h.ClusterID).Set(float64(h.Quarantined))
	}
}
