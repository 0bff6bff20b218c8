// Package metrics holds fedcost-agent's Prometheus collectors. They are registered on the
// registry passed to New (never the global one). A nil *Agent is valid and records nothing, so
// library users and tests need not wire metrics.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Upload outcomes (label "outcome" of fedcost_agent_uploads_total).
const (
	Uploaded        = "uploaded"         // written to the bucket
	Spooled         = "spooled"          // kept on disk for later
	SkippedNonEmpty = "skipped_nonempty" // an empty build did not replace a non-empty upload
	Dropped         = "dropped"          // removed from the spool by its size or age limit
	Failed          = "failed"           // neither uploaded nor spooled
)

// Agent is the agent's collector set.
type Agent struct {
	buildDuration *prometheus.HistogramVec
	builds        *prometheus.CounterVec
	uploads       *prometheus.CounterVec
	spoolFiles    prometheus.Gauge
	spoolBytes    prometheus.Gauge
	lastSuccess   prometheus.Gauge
	heartbeats    *prometheus.CounterVec
}

// New creates the collectors and registers them on reg.
func New(reg prometheus.Registerer) *Agent {
	m := &Agent{
		buildDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fedcost_agent_build_duration_seconds",
			Help:    "Time to build one window's document: the source query plus encoding, by kind (allocations, assets) and resolution (1h, 1d).",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"kind", "resolution"}),
		builds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedcost_agent_builds_total",
			Help: "Window builds by resolution and result (success, no_data, error).",
		}, []string{"resolution", "result"}),
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedcost_agent_uploads_total",
			Help: "Upload attempts by outcome: uploaded, spooled, skipped_nonempty, dropped, failed.",
		}, []string{"outcome"}),
		spoolFiles: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fedcost_agent_spool_files",
			Help: "Uploads waiting in the local spool.",
		}),
		spoolBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fedcost_agent_spool_bytes",
			Help: "Bytes waiting in the local spool.",
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fedcost_agent_last_upload_success_timestamp_seconds",
			Help: "Unix time of the last successful upload.",
		}),
		heartbeats: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedcost_agent_heartbeats_total",
			Help: "Heartbeat writes by result (success, error).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.buildDuration, m.builds, m.uploads, m.spoolFiles, m.spoolBytes, m.lastSuccess, m.heartbeats)
	return m
}

// ObserveBuild records one document build.
func (m *Agent) ObserveBuild(kind, resolution string, d time.Duration) {
	if m != nil {
		m.buildDuration.WithLabelValues(kind, resolution).Observe(d.Seconds())
	}
}

// CountBuild counts a window build by result.
func (m *Agent) CountBuild(resolution, result string) {
	if m != nil {
		m.builds.WithLabelValues(resolution, result).Inc()
	}
}

// CountUpload counts n uploads with an outcome.
func (m *Agent) CountUpload(outcome string, n int) {
	if m != nil && n > 0 {
		m.uploads.WithLabelValues(outcome).Add(float64(n))
	}
}

// SetSpool records the spool depth.
func (m *Agent) SetSpool(files int, size int64) {
	if m != nil {
		m.spoolFiles.Set(float64(files))
		m.spoolBytes.Set(float64(size))
	}
}

// UploadSucceeded records the time of a successful upload.
func (m *Agent) UploadSucceeded(t time.Time) {
	if m != nil {
		m.lastSuccess.Set(float64(t.UnixNano()) / 1e9)
	}
}

// CountHeartbeat counts a heartbeat write by result.
func (m *Agent) CountHeartbeat(result string) {
	if m != nil {
		m.heartbeats.WithLabelValues(result).Inc()
	}
}
