package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
)

type sourceCluster = source.ClusterStatus

func appendTimeOrNull(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	return appendTime(b, t)
}

func appendWindowOrNull(b []byte, w cost.Window) []byte {
	if w.IsZero() {
		return append(b, "null"...)
	}
	return appendWindow(b, w)
}

// federationStatus serves /model/federation/status: per-cluster freshness, stale agents,
// duplicate cluster ids and quarantined uploads, with a summary and the loaded coverage.
func (s *server) federationStatus(r *http.Request) (response, error) {
	clusters, err := s.src.Clusters(r.Context())
	if err != nil {
		return nil, err
	}
	slices.SortFunc(clusters, func(a, b sourceCluster) int { return strings.Compare(a.ClusterID, b.ClusterID) })
	now := s.opts.Now().UTC()
	var stale, dup, quarantined int
	b := []byte(`{"clusters":[`)
	for i, c := range clusters {
		isStale := c.LastUpload.IsZero() || now.Sub(c.LastUpload) > s.opts.StaleAfter
		if isStale {
			stale++
		}
		if c.Duplicate {
			dup++
		}
		quarantined += c.Quarantined
		if i > 0 {
			b = append(b, ',')
		}
		w := &fw{b: append(b, '{'), first: true}
		w.str("clusterId", c.ClusterID)
		w.key("lastUpload")
		w.b = appendTimeOrNull(w.b, c.LastUpload)
		w.key("lastDerive")
		w.b = appendTimeOrNull(w.b, c.LastDerive)
		w.anum("lagSeconds", c.Lag.Seconds())
		w.key("stale")
		w.b = appendBool(w.b, isStale)
		w.str("agentVersion", c.AgentVersion)
		w.key("installIds")
		w.b = append(w.b, '[')
		for j, id := range c.InstallIDs {
			if j > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendString(w.b, id)
		}
		w.b = append(w.b, ']')
		w.key("duplicate")
		w.b = appendBool(w.b, c.Duplicate)
		w.str("lastError", c.LastError)
		w.key("quarantined")
		w.b = appendInt(w.b, int64(c.Quarantined))
		w.key("quarantineReasons")
		w.b = append(w.b, '[')
		for j, q := range c.QuarantineReasons {
			if j > 0 {
				w.b = append(w.b, ',')
			}
			in := &fw{b: append(w.b, '{'), first: true}
			in.str("key", q.Key)
			in.str("reason", q.Reason)
			in.key("time")
			in.b = appendTimeOrNull(in.b, q.Time)
			w.b = append(in.b, '}')
		}
		w.b = append(w.b, ']')
		b = append(w.b, '}')
	}
	hourly, daily := s.src.Coverage()
	w := &fw{b: append(b, `],"summary":{`...), first: true}
	for _, kv := range []struct {
		k string
		v int
	}{{"clusters", len(clusters)}, {"stale", stale}, {"duplicates", dup}, {"quarantined", quarantined}} {
		w.key(kv.k)
		w.b = appendInt(w.b, int64(kv.v))
	}
	w.key("staleAfterSeconds")
	w.b = appendInt(w.b, int64(s.opts.StaleAfter.Seconds()))
	w.key("ready")
	w.b = appendBool(w.b, s.src.Ready())
	w.key("hourlyCoverage")
	w.b = appendWindowOrNull(w.b, hourly)
	w.key("dailyCoverage")
	w.b = appendWindowOrNull(w.b, daily)
	return jsonData(append(w.b, "}}"...)), nil
}
