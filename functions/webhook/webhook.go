// Package webhook hosts the ingest core behind an HTTP endpoint that receives S3-format bucket
// event notifications (MinIO, Ceph RGW, versitygw, or anything that POSTs S3 event Records):
// the host for on-prem clusters without a cloud function platform.
//
// POST /events is authenticated with a shared token (Authorization: Bearer, the password of
// Basic auth, or a token query parameter for senders that can only configure a URL), answers
// 202 as soon as the event's keys are in a bounded in-memory queue, and 503 when the queue is
// full or the server is stopping, so the sender retries. Workers ingest queued keys, retrying
// transient failures with backoff for as long as the server runs; on shutdown they drain the
// queue for a while and log whatever is left. A reconcile pass at start and every
// ReconcileInterval covers what a restart (or a sender giving up) missed.
package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fedcost/fedcost/shared/ingest"
)

// Defaults of Options.
const (
	DefaultQueueSize    = 10000
	DefaultWorkers      = 4
	DefaultMaxBody      = 1 << 20 // S3 notifications are at most 64 KiB
	DefaultRetryBase    = time.Second
	DefaultRetryMax     = time.Minute
	DefaultDrainTimeout = 30 * time.Second
)

// Options configure a Server. Core and Token are required.
type Options struct {
	Core *ingest.Core
	// Token authenticates senders; compared in constant time.
	Token string
	// Prefix is the store prefix: event keys carry it and it is stripped; keys outside it are
	// ignored. Bucket, if set, ignores events of other buckets.
	Prefix, Bucket string
	QueueSize      int   // accepted keys not yet ingested (default DefaultQueueSize)
	Workers        int   // concurrent ingests (default DefaultWorkers)
	MaxBody        int64 // bytes per request (default DefaultMaxBody)
	// RetryBase and RetryMax shape the exponential backoff of failed ingests.
	RetryBase, RetryMax time.Duration
	// ReconcileInterval runs a reconcile pass at start and then at this interval; 0 disables it.
	ReconcileInterval time.Duration
	// DrainTimeout bounds the drain of the queue on shutdown (default DefaultDrainTimeout).
	DrainTimeout time.Duration
	// Registry receives the server's metrics and is served at /metrics (default: a new one).
	Registry *prometheus.Registry
	Logger   *slog.Logger
}

// Server is the webhook host. Serve Handler over HTTP and call Run.
type Server struct {
	o     Options
	log   *slog.Logger
	q     *queue
	m     *metrics
	token [sha256.Size]byte

	reconcileMu sync.Mutex // one pass at a time
}

// New returns a Server.
func New(o Options) (*Server, error) {
	if o.Core == nil {
		return nil, errors.New("webhook: a core is required")
	}
	if o.Token == "" {
		return nil, errors.New("webhook: a token is required")
	}
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.RetryMax <= 0 {
		o.RetryMax = DefaultRetryMax
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = DefaultDrainTimeout
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Prefix = strings.Trim(o.Prefix, "/")
	s := &Server{o: o, log: o.Logger, q: newQueue(o.QueueSize, o.RetryBase, o.RetryMax), token: sha256.Sum256([]byte(o.Token))}
	s.m = newMetrics(o.Registry, s.q)
	return s, nil
}

// Handler serves POST /events, GET /healthz and GET /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/events", s.events)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.o.Registry, promhttp.HandlerOpts{}))
	return mux
}

// authorized checks the request's token in constant time (of equal-length digests).
func (s *Server) authorized(r *http.Request) bool {
	var given string
	auth := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(auth, "Bearer "); ok {
		given = strings.TrimSpace(t)
	} else if _, pw, ok := r.BasicAuth(); ok {
		given = pw
	} else if t := r.URL.Query().Get("token"); t != "" {
		given = t
	} else if auth != "" && !strings.Contains(auth, " ") {
		given = auth // a bare token, as some senders put it
	}
	if given == "" {
		return false
	}
	d := sha256.Sum256([]byte(given))
	return subtle.ConstantTimeCompare(d[:], s.token[:]) == 1
}

// Run starts the workers and the periodic reconcile, and blocks until ctx ends. It then
// stops accepting events (503), drains the queue for at most DrainTimeout, logs the keys left
// (the reconcile at the next start covers them) and returns.
func (s *Server) Run(ctx context.Context) error {
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	var workers sync.WaitGroup
	for range s.o.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			s.work(workCtx)
		}()
	}
	var bg sync.WaitGroup
	if s.o.ReconcileInterval > 0 {
		bg.Add(1)
		go func() {
			defer bg.Done()
			s.reconcileLoop(ctx)
		}()
	}
	<-ctx.Done()
	pending := s.q.len()
	s.q.close()
	s.log.Info("webhook stopping: draining the queue", "pending", pending, "timeout", s.o.DrainTimeout)
	drained := make(chan struct{})
	go func() { workers.Wait(); close(drained) }()
	select {
	case <-drained:
		s.log.Info("webhook queue drained")
	case <-time.After(s.o.DrainTimeout):
		left := s.q.abandon()
		stopWork()
		<-drained
		s.log.Error("webhook stopped with keys not ingested; the reconcile at the next start covers them",
			"count", len(left), "keys", left)
	}
	bg.Wait()
	return nil
}

// work ingests queued keys until the queue is closed and empty.
func (s *Server) work(ctx context.Context) {
	for {
		key, attempt, ok := s.q.next()
		if !ok {
			return
		}
		start := time.Now()
		res, err := s.o.Core.Ingest(ctx, key)
		attrs := []any{"key", key, "cluster", res.Cluster, "window", res.Window, "outcome", string(res.Outcome),
			"attempt", attempt + 1, "duration", time.Since(start)}
		if err != nil {
			s.m.ingests.WithLabelValues("error").Inc()
			if s.q.done(key, err) {
				s.m.retries.Inc()
				s.log.Warn("ingest failed; will retry", append(attrs, "err", err)...)
			} else {
				s.log.Error("ingest failed while stopping; the next reconcile covers it", append(attrs, "err", err)...)
			}
			continue
		}
		s.q.done(key, nil)
		s.m.ingests.WithLabelValues(string(res.Outcome)).Inc()
		if res.Reason != "" {
			attrs = append(attrs, "reason", res.Reason)
		}
		s.log.Info("ingest", attrs...)
	}
}

// Reconcile runs one reconcile pass now (one at a time).
func (s *Server) Reconcile(ctx context.Context) (ingest.ReconcileReport, error) {
	s.reconcileMu.Lock()
	defer s.reconcileMu.Unlock()
	start := time.Now()
	rep, err := s.o.Core.Reconcile(ctx, ingest.ReconcileOptions{})
	attrs := []any{"duration", time.Since(start), "uploads", rep.Uploads, "windows", rep.Windows, "up_to_date", rep.UpToDate,
		"derived", rep.Derived, "unchanged", rep.Unchanged, "refused", rep.Refused, "failed", rep.Failed}
	switch {
	case err == nil:
		s.m.reconciles.WithLabelValues("ok").Inc()
		s.log.Info("reconcile", attrs...)
	case ctx.Err() != nil:
		s.log.Info("reconcile interrupted by shutdown", attrs...)
	default:
		s.m.reconciles.WithLabelValues("error").Inc()
		s.log.Error("reconcile failed", append(attrs, "err", err)...)
	}
	return rep, err
}

func (s *Server) reconcileLoop(ctx context.Context) {
	t := time.NewTicker(s.o.ReconcileInterval)
	defer t.Stop()
	for {
		_, _ = s.Reconcile(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
