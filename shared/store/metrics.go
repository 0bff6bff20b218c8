package store

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Error kinds reported by WithMetrics (label "kind").
const (
	KindNotFound           = "not_found"
	KindPreconditionFailed = "precondition_failed"
	KindAccessDenied       = "access_denied"
	KindCanceled           = "canceled"
	KindOther              = "other"
)

// ErrorKind classifies err for metrics and logs: one of the Kind constants, "" for nil.
// Context deadlines count as canceled.
func ErrorKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotFound):
		return KindNotFound
	case errors.Is(err, ErrPreconditionFailed):
		return KindPreconditionFailed
	case errors.Is(err, ErrAccessDenied):
		return KindAccessDenied
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return KindCanceled
	}
	return KindOther
}

// storeMetrics are the collectors; one set per registry, shared by every backend label.
type storeMetrics struct {
	ops      *prometheus.CounterVec   // backend, op, result
	errs     *prometheus.CounterVec   // backend, op, kind
	duration *prometheus.HistogramVec // backend, op
	read     *prometheus.CounterVec   // backend
	written  *prometheus.CounterVec   // backend
}

func newStoreMetrics(reg prometheus.Registerer) *storeMetrics {
	m := &storeMetrics{
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedcost_store_operations_total",
			Help: "Object-store operations by backend, operation and result (success or error).",
		}, []string{"backend", "op", "result"}),
		errs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedcost_store_errors_total",
			Help: "Failed object-store operations by backend, operation and error kind " +
				"(not_found, precondition_failed, access_denied, canceled, other).",
		}, []string{"backend", "op", "kind"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fedcost_store_operation_duration_seconds",
			Help:    "Latency of object-store operations (for GetReader: until the reader is returned).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"backend", "op"}),
		read: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedcost_store_read_bytes_total",
			Help: "Object bytes read from the store.",
		}, []string{"backend"}),
		written: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedcost_store_written_bytes_total",
			Help: "Object bytes written to the store (successful writes only).",
		}, []string{"backend"}),
	}
	if reg == nil {
		return m
	}
	// A second WithMetrics on the same registry reuses the collectors registered first.
	m.ops = register(reg, m.ops)
	m.errs = register(reg, m.errs)
	m.duration = register(reg, m.duration)
	m.read = register(reg, m.read)
	m.written = register(reg, m.written)
	return m
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		if are, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); ok {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic("store metrics: " + err.Error()) // a different collector took the name: a programming error
	}
	return c
}

// WithMetrics counts and times every operation of s in reg under the label backend=<backend>:
// fedcost_store_operations_total{op,result}, fedcost_store_errors_total{op,kind},
// fedcost_store_operation_duration_seconds{op}, fedcost_store_read_bytes_total and
// fedcost_store_written_bytes_total. Several stores may share one registry (distinct backend
// labels). A nil reg records into unregistered collectors.
func WithMetrics(s Store, reg prometheus.Registerer, backend string) Store {
	return &metered{s: s, m: newStoreMetrics(reg), backend: backend}
}

type metered struct {
	s       Store
	m       *storeMetrics
	backend string
}

// observe records one finished operation.
func (w *metered) observe(op string, start time.Time, err error) {
	w.m.duration.WithLabelValues(w.backend, op).Observe(time.Since(start).Seconds())
	if err == nil {
		w.m.ops.WithLabelValues(w.backend, op, "success").Inc()
		return
	}
	w.m.ops.WithLabelValues(w.backend, op, "error").Inc()
	w.m.errs.WithLabelValues(w.backend, op, ErrorKind(err)).Inc()
}

func (w *metered) Get(ctx context.Context, key string) ([]byte, ObjectInfo, error) {
	start := time.Now()
	data, info, err := w.s.Get(ctx, key)
	w.observe("get", start, err)
	w.m.read.WithLabelValues(w.backend).Add(float64(len(data)))
	return data, info, err
}

func (w *metered) GetReader(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	start := time.Now()
	r, info, err := w.s.GetReader(ctx, key)
	w.observe("get_reader", start, err)
	if err != nil {
		return r, info, err
	}
	return &countingReader{r: r, c: w.m.read.WithLabelValues(w.backend)}, info, nil
}

func (w *metered) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	start := time.Now()
	info, err := w.s.Stat(ctx, key)
	w.observe("stat", start, err)
	return info, err
}

func (w *metered) write(op string, data []byte, put func() (Version, error)) (Version, error) {
	start := time.Now()
	v, err := put()
	w.observe(op, start, err)
	if err == nil {
		w.m.written.WithLabelValues(w.backend).Add(float64(len(data)))
	}
	return v, err
}

func (w *metered) Put(ctx context.Context, key string, data []byte) (Version, error) {
	return w.write("put", data, func() (Version, error) { return w.s.Put(ctx, key, data) })
}

func (w *metered) PutIfAbsent(ctx context.Context, key string, data []byte) (Version, error) {
	return w.write("put_if_absent", data, func() (Version, error) { return w.s.PutIfAbsent(ctx, key, data) })
}

func (w *metered) PutIfMatch(ctx context.Context, key string, data []byte, v Version) (Version, error) {
	return w.write("put_if_match", data, func() (Version, error) { return w.s.PutIfMatch(ctx, key, data, v) })
}

func (w *metered) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := w.s.Delete(ctx, key)
	w.observe("delete", start, err)
	return err
}

// List is timed as a whole, including the time spent in fn.
func (w *metered) List(ctx context.Context, prefix, startAfter string, fn func(ObjectInfo) error) error {
	start := time.Now()
	err := w.s.List(ctx, prefix, startAfter, fn)
	w.observe("list", start, err)
	return err
}

func (w *metered) Name() string { return w.s.Name() }
func (w *metered) Close() error { return w.s.Close() }

type countingReader struct {
	r io.ReadCloser
	c prometheus.Counter
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.c.Add(float64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }
