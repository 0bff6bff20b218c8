package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// Outcome is what ingesting a key did.
type Outcome string

// Outcomes.
const (
	Ignored   Outcome = "ignored"   // not an upload (derived data, foreign files)
	Derived   Outcome = "derived"   // derived objects were (re)written
	Unchanged Outcome = "unchanged" // already derived from these versions (a duplicate)
	Refused   Outcome = "refused"   // a bad upload, quarantined; nothing to retry
	Heartbeat Outcome = "heartbeat" // a heartbeat was recorded in status
)

// Result describes one Ingest or DeriveWindow call.
type Result struct {
	Key     string
	Outcome Outcome
	Cluster string
	Window  string
	Reason  string // refusal reason
	// Refused names the inputs of the window whose current upload was refused, by kind.
	Refused  map[layout.Kind]string
	Attempts int
	Duration time.Duration
}

// ErrContention is returned (wrapped) when conditional writes kept failing past the retry
// budget: another writer is busy on the same window; the platform should retry later.
var ErrContention = errors.New("derived objects kept changing under concurrent writers")

// Config configures a Core. Store is required; the rest have defaults.
type Config struct {
	Store  store.Store
	Limits etl.Limits
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger (default: discard).
	Logger *slog.Logger
	// Metrics (default: none).
	Metrics *Metrics
	// MaxAttempts bounds the optimistic-concurrency loop (default 12).
	MaxAttempts int
	// Sleep waits between attempts (default: a timer honouring ctx); tests inject their own.
	Sleep func(ctx context.Context, d time.Duration) error
	// StatusDisabled skips the per-cluster status object (for benchmarks of derivation alone).
	StatusDisabled bool
}

// Core ingests keys. It is safe for concurrent use.
type Core struct {
	st     store.Store
	lim    etl.Limits
	now    func() time.Time
	log    *slog.Logger
	m      *Metrics
	max    int
	sleep  func(ctx context.Context, d time.Duration) error
	noStat bool
}

// New returns a Core.
func New(c Config) (*Core, error) {
	if c.Store == nil {
		return nil, errors.New("ingest: a store is required")
	}
	core := &Core{st: c.Store, lim: c.Limits, now: c.Now, log: c.Logger, m: c.Metrics, max: c.MaxAttempts, sleep: c.Sleep, noStat: c.StatusDisabled}
	if core.now == nil {
		core.now = time.Now
	}
	if core.log == nil {
		core.log = slog.New(slog.DiscardHandler)
	}
	if core.max <= 0 {
		core.max = 12
	}
	if core.sleep == nil {
		core.sleep = sleepCtx
	}
	return core, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// backoff is a jittered exponential delay: 10ms, 20ms, … capped at 1s.
func backoff(attempt int) time.Duration {
	d := 10 * time.Millisecond << min(attempt, 7)
	d = min(d, time.Second)
	return d/2 + rand.N(d/2+1)
}

// Store is the store the core works on.
func (c *Core) Store() store.Store { return c.st }

// Ingest handles one key from an event. version, if known, is only a hint: the current object
// is always re-read. A nil error with Outcome Refused means "done, do not retry"; a non-nil
// error is transient (store failure, contention) and the caller should retry.
func (c *Core) Ingest(ctx context.Context, key string) (Result, error) {
	start := c.now()
	res, err := c.ingest(ctx, key)
	res.Key = key
	res.Duration = c.now().Sub(start)
	c.observe(res, err)
	return res, err
}

func (c *Core) ingest(ctx context.Context, key string) (Result, error) {
	p, perr := layout.Parse(key)
	if perr != nil {
		if p.Class != layout.UploadClass {
			return Result{Outcome: Ignored, Reason: perr.Error()}, nil
		}
		return c.refuseKey(ctx, key, p.Cluster, perr)
	}
	switch p.Class {
	case layout.UploadClass:
		res, err := c.DeriveWindow(ctx, p.Upload.Cluster, p.Upload.Resolution, p.Upload.Window, false)
		if reason := res.Refused[p.Upload.Kind]; err == nil && reason != "" {
			res.Outcome, res.Reason = Refused, reason // done: the upload itself is bad
		}
		return res, err
	case layout.HeartbeatClass:
		return c.heartbeat(ctx, key, p.Cluster)
	}
	return Result{Outcome: Ignored}, nil
}

// refuseKey quarantines an upload-looking key that does not parse.
func (c *Core) refuseKey(ctx context.Context, key, cluster string, perr error) (Result, error) {
	info, err := c.st.Stat(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return Result{Outcome: Ignored, Reason: "vanished"}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("stat %s: %w", key, err)
	}
	reason := &etl.Error{Reason: "bad_key", Detail: perr.Error()}
	if err := c.quarantine(ctx, cluster, key, info, reason); err != nil {
		return Result{}, err
	}
	return Result{Outcome: Refused, Cluster: cluster, Reason: string(reason.Reason)}, nil
}
