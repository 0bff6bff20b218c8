package webhook

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	requests   *prometheus.CounterVec
	events     *prometheus.CounterVec
	ingests    *prometheus.CounterVec
	retries    prometheus.Counter
	reconciles *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, q *queue) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedcost_webhook_requests_total",
			Help: "Requests to /events, by HTTP status code."}, []string{"code"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedcost_webhook_events_total",
			Help: "Event records received: accepted (queued), duplicate (already queued), ignored (outside the prefix/bucket, bad key), rejected (queue full or stopping: 503)."}, []string{"result"}),
		ingests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedcost_webhook_ingests_total",
			Help: "Ingests run by the workers, by outcome (error: retried)."}, []string{"outcome"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedcost_webhook_retries_total",
			Help: "Failed ingests scheduled for a retry."}),
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedcost_webhook_reconciles_total",
			Help: "Reconcile passes, by result."}, []string{"result"}),
	}
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fedcost_webhook_queue_depth",
		Help: "Accepted keys not yet ingested (queued, in flight or waiting for a retry)."}, func() float64 { return float64(q.len()) })
	reg.MustRegister(m.requests, m.events, m.ingests, m.retries, m.reconciles, depth)
	return m
}
