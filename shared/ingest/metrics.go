package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the ingest core's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	derivations *prometheus.CounterVec
	refusals    *prometheus.CounterVec
	conflicts   prometheus.Counter
	errors      prometheus.Counter
	duration    *prometheus.HistogramVec
	bytesRead   prometheus.Counter
	bytesWrite  prometheus.Counter
	emptySkips  prometheus.Counter
}

// NewMetrics registers the metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		derivations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedcost_ingest_derivations_total",
			Help: "Keys ingested, by outcome (derived, unchanged, refused, ignored, heartbeat, error)."}, []string{"result"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedcost_ingest_refused_total",
			Help: "Uploads refused and quarantined, by reason."}, []string{"reason"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedcost_ingest_conflicts_total",
			Help: "Conditional writes that lost a race and were retried."}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedcost_ingest_errors_total",
			Help: "Ingest calls that failed with a transient error (to be retried)."}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fedcost_ingest_duration_seconds",
			Help: "Time to ingest one key, by outcome.", Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10)}, []string{"result"}),
		bytesRead: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedcost_ingest_read_bytes_total",
			Help: "Compressed upload bytes read."}),
		bytesWrite: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedcost_ingest_written_bytes_total",
			Help: "Derived bytes written."}),
		emptySkips: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedcost_ingest_empty_uploads_skipped_total",
			Help: "Empty uploads that did not replace derived data of a non-empty one."}),
	}
	reg.MustRegister(m.derivations, m.refusals, m.conflicts, m.errors, m.duration, m.bytesRead, m.bytesWrite, m.emptySkips)
	return m
}

func (m *Metrics) conflict() {
	if m != nil {
		m.conflicts.Inc()
	}
}

func (m *Metrics) refused(reason string) {
	if m != nil {
		m.refusals.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) read(n int) {
	if m != nil {
		m.bytesRead.Add(float64(n))
	}
}

func (m *Metrics) wrote(n int) {
	if m != nil {
		m.bytesWrite.Add(float64(n))
	}
}

func (m *Metrics) emptySkipped() {
	if m != nil {
		m.emptySkips.Inc()
	}
}

func (c *Core) observe(res Result, err error) {
	if c.m == nil {
		return
	}
	outcome := string(res.Outcome)
	if err != nil {
		outcome = "error"
		c.m.errors.Inc()
	}
	c.m.derivations.WithLabelValues(outcome).Inc()
	c.m.duration.WithLabelValues(outcome).Observe(res.Duration.Seconds())
	if err != nil {
		c.log.Error("ingest failed", "key", res.Key, "cluster", res.Cluster, "window", res.Window, "attempts", res.Attempts, "duration", res.Duration, "err", err)
	} else {
		c.log.Info("ingest", "key", res.Key, "cluster", res.Cluster, "window", res.Window, "outcome", res.Outcome, "reason", res.Reason, "attempts", res.Attempts, "duration", res.Duration)
	}
}
