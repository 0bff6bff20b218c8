// Package uploader writes the agent's files to the bucket: retries with jittered backoff
// (store.WithRetry), a disk spool while the bucket is unreachable, and the rule that an empty
// document never replaces a non-empty upload.
//
// Contracts:
//   - Order: while anything is spooled, a new file first drains the spool (oldest window
//     first); if the spool does not empty, the new file is spooled behind it. So after an
//     outage windows arrive oldest first, each once.
//   - Never replace non-empty with empty: before writing an empty document the current object
//     is read; if it decodes and holds records, the write is skipped (outcome
//     skipped_nonempty). The same check runs when a spooled empty document is drained.
//   - Uploader methods are serialized; one Uploader per process.
package uploader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/fedcost/fedcost/agent/build"
	"github.com/fedcost/fedcost/agent/metrics"
	"github.com/fedcost/fedcost/agent/spool"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// Outcome of one upload (the metrics outcome labels).
type Outcome string

// Outcomes.
const (
	Uploaded        Outcome = metrics.Uploaded
	Spooled         Outcome = metrics.Spooled
	SkippedNonEmpty Outcome = metrics.SkippedNonEmpty
	Failed          Outcome = metrics.Failed
)

// Config configures an Uploader.
type Config struct {
	Store store.Store
	// Spool keeps files while the bucket is down; nil means failures are returned instead.
	Spool *spool.Spool
	// Retry is the backoff policy for each store operation (store.WithRetry).
	Retry   store.RetryPolicy
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics *metrics.Agent
}

// Uploader writes files. Create it with New.
type Uploader struct {
	st      store.Store
	spool   *spool.Spool
	now     func() time.Time
	log     *slog.Logger
	metrics *metrics.Agent

	mu          sync.Mutex
	lastSuccess time.Time
}

// New returns an Uploader over cfg.Store wrapped with retries.
func New(cfg Config) (*Uploader, error) {
	if cfg.Store == nil || cfg.Now == nil {
		return nil, errors.New("uploader: Store and Now are required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := &Uploader{st: store.WithRetry(cfg.Store, cfg.Retry), spool: cfg.Spool, now: cfg.Now, log: log, metrics: cfg.Metrics}
	u.updateSpoolGauge()
	return u, nil
}

// Status is what the heartbeat and health check report.
type Status struct {
	LastSuccess time.Time
	SpoolFiles  int
	SpoolBytes  int64
}

// Status returns the time of the last successful upload and the spool depth.
func (u *Uploader) Status() Status {
	u.mu.Lock()
	st := Status{LastSuccess: u.lastSuccess}
	u.mu.Unlock()
	if u.spool != nil {
		st.SpoolFiles, st.SpoolBytes, _ = u.spool.Stats()
	}
	return st
}

// Upload writes f, draining the spool first (see the package contract). The error is nil
// when the file was uploaded, skipped or spooled; it is returned only when the file could be
// neither uploaded nor spooled.
func (u *Uploader) Upload(ctx context.Context, f build.File) (Outcome, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	defer u.updateSpoolGauge()
	if u.spool != nil {
		pending, err := u.drain(ctx)
		if err != nil || pending > 0 {
			return u.toSpool(f, err)
		}
	}
	out, err := u.put(ctx, f.Key(), f.Upload, f.Data, f.Empty())
	if err == nil {
		return out, nil
	}
	if u.spool == nil {
		u.metrics.CountUpload(metrics.Failed, 1)
		return Failed, fmt.Errorf("upload %s: %w", f.Key(), err)
	}
	return u.toSpool(f, err) // also on shutdown (ctx canceled): the next start drains it
}

// Pending lists the spooled files, oldest first (none without a spool).
func (u *Uploader) Pending() ([]spool.Entry, error) {
	if u.spool == nil {
		return nil, nil
	}
	return u.spool.List()
}

// Drain uploads what is spooled, oldest first, until the spool is empty or an upload fails.
// It returns how many files are still spooled.
func (u *Uploader) Drain(ctx context.Context) (int, error) {
	if u.spool == nil {
		return 0, nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	defer u.updateSpoolGauge()
	return u.drain(ctx)
}

func (u *Uploader) drain(ctx context.Context) (pending int, err error) {
	entries, err := u.spool.List()
	if err != nil {
		return 0, err
	}
	for i, e := range entries {
		data, err := u.spool.Read(e)
		if err != nil {
			return len(entries) - i, err
		}
		if _, err := u.put(ctx, e.Key, e.Upload, data, e.Empty); err != nil {
			u.log.Warn("bucket still unreachable; keeping the spool", "key", e.Key, "spooled", len(entries)-i, "err", err)
			return len(entries) - i, err
		}
		if err := u.spool.Remove(e); err != nil {
			return len(entries) - i, err
		}
		u.log.Info("drained spooled upload", "key", e.Key)
	}
	return 0, nil
}

func (u *Uploader) toSpool(f build.File, cause error) (Outcome, error) {
	dropped, err := u.spool.Put(f.Key(), f.Data, spool.Meta{Empty: f.Empty(), BuiltAt: f.BuiltAt})
	for _, d := range dropped {
		u.log.Error("spool limit reached: dropped a pending upload", "key", d.Key, "bytes", d.Size)
	}
	u.metrics.CountUpload(metrics.Dropped, len(dropped))
	if err != nil {
		u.metrics.CountUpload(metrics.Failed, 1)
		return Failed, fmt.Errorf("upload %s: %w; spooling failed too: %w", f.Key(), cause, err)
	}
	u.metrics.CountUpload(metrics.Spooled, 1)
	u.log.Warn("spooled upload", "key", f.Key(), "cause", cause)
	return Spooled, nil
}

// put writes one object, honouring the empty-over-non-empty rule.
func (u *Uploader) put(ctx context.Context, key string, up layout.Upload, data []byte, empty bool) (Outcome, error) {
	if empty {
		keep, err := u.hasRecords(ctx, key, up)
		if err != nil {
			return Failed, err
		}
		if keep {
			u.metrics.CountUpload(metrics.SkippedNonEmpty, 1)
			u.log.Info("not replacing a non-empty upload with an empty build", "key", key)
			return SkippedNonEmpty, nil
		}
	}
	if _, err := u.st.Put(ctx, key, data); err != nil {
		return Failed, fmt.Errorf("put %s: %w", key, err)
	}
	now := u.now()
	u.lastSuccess = now
	u.metrics.UploadSucceeded(now)
	u.metrics.CountUpload(metrics.Uploaded, 1)
	return Uploaded, nil
}

// hasRecords reports whether the current object under key decodes and holds records. A
// missing or undecodable object holds none.
func (u *Uploader) hasRecords(ctx context.Context, key string, up layout.Upload) (bool, error) {
	data, _, err := u.st.Get(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read current %s: %w", key, err)
	}
	doc, err := etl.Decode(data, up, etl.Limits{})
	if err != nil {
		u.log.Warn("current upload does not decode; an empty build may replace it", "key", key, "err", err)
		return false, nil
	}
	return !doc.Empty(), nil
}

func (u *Uploader) updateSpoolGauge() {
	if u.spool == nil {
		return
	}
	files, size, err := u.spool.Stats()
	if err == nil {
		u.metrics.SetSpool(files, size)
	}
}
