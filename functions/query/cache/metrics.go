package cache

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the cache's and the per-cluster gauges. The fedcost_cluster_* names are the
// ones the Helm chart's PrometheusRule alerts on: keep them.
type metrics struct {
	lastUpload, lastDerive, stale, duplicate, quarantined *prometheus.GaugeVec

	objectsLoaded   prometheus.Counter
	bytesRead       prometheus.Counter
	refreshDuration prometheus.Histogram
	refreshErrors   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, c *Cache) (*metrics, error) {
	cl := []string{"cluster_id"}
	m := &metrics{
		lastUpload: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fedcost_cluster_last_upload_timestamp_seconds",
			Help: "Modification time of the newest upload seen from the cluster."}, cl),
		lastDerive: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fedcost_cluster_last_derive_timestamp_seconds",
			Help: "Time the cluster's data was last derived."}, cl),
		stale: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fedcost_cluster_stale",
			Help: "1 when the cluster's last upload is older than the staleness threshold."}, cl),
		duplicate: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fedcost_cluster_duplicate_install",
			Help: "1 when two agent installations write the same cluster id."}, cl),
		quarantined: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fedcost_cluster_quarantined_uploads",
			Help: "Uploads of the cluster whose current version is refused."}, cl),
		objectsLoaded: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedcost_query_cache_objects_loaded_total",
			Help: "Derived objects read into the cache (rollups, assets, container rows)."}),
		bytesRead: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedcost_query_cache_read_bytes_total",
			Help: "Bytes of derived objects read."}),
		refreshDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "fedcost_query_cache_refresh_duration_seconds",
			Help: "Duration of cache refreshes (the first one is the cold load).", Buckets: prometheus.ExponentialBuckets(0.01, 3, 10)}),
		refreshErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedcost_query_cache_refresh_errors_total",
			Help: "Refreshes that failed (the previous data kept being served)."}),
	}
	if reg == nil {
		return m, nil
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	cs := []prometheus.Collector{m.lastUpload, m.lastDerive, m.stale, m.duplicate, m.quarantined,
		m.objectsLoaded, m.bytesRead, m.refreshDuration, m.refreshErrors,
		gauge("fedcost_query_cache_resident_objects", "Rollups and status objects held.", func() float64 {
			o, _, _ := c.snap.Load().stats()
			return float64(o)
		}),
		gauge("fedcost_query_cache_resident_rows", "Rollup rows held for the whole retention (namespace, node, idle).", func() float64 {
			_, r, _ := c.snap.Load().stats()
			return float64(r)
		}),
		gauge("fedcost_query_cache_resident_bytes", "Estimated bytes of the resident rollup rows and their dictionary.", func() float64 {
			_, _, b := c.snap.Load().stats()
			return float64(b + c.dict.size())
		}),
		gauge("fedcost_query_cache_lazy_objects", "Objects read on demand and kept in the LRU (controller rollups, container rows, assets).", func() float64 {
			n, _ := c.lazy.stats()
			return float64(n)
		}),
		gauge("fedcost_query_cache_lazy_bytes", "Estimated bytes of the rows read on demand and kept in the LRU.", func() float64 {
			_, b := c.lazy.stats()
			return float64(b)
		}),
		gauge("fedcost_query_cache_set_rows", "Rows of the built allocation sets kept for reuse.", func() float64 {
			_, r := c.sets.stats()
			return float64(r)
		}),
		gauge("fedcost_query_cache_last_refresh_timestamp_seconds", "Time of the last successful refresh.", func() float64 {
			if at := c.snap.Load().at; !at.IsZero() {
				return float64(at.UnixNano()) / 1e9
			}
			return 0
		}),
	}
	for _, col := range cs {
		if err := reg.Register(col); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
