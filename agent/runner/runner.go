// Package runner is the agent's loop: every interval it builds the open 1h and 1d windows of
// its cluster from a source.Source and uploads them; after a window boundary it builds the
// closing window once more; on start (and until it succeeds) it backfills missing past windows.
//
// Contracts:
//   - Windows are UTC-aligned hours and days (layout.WindowFor); the clock is injected.
//   - Per tick, in order: windows closed since the last tick (oldest first), then the open
//     windows, then pending backfill (oldest first).
//   - Backfill covers the last Backfill[r] of each resolution. It lists the cluster's upload
//     prefix so that restarts do not re-upload everything: a window counts as done when both
//     kinds exist and were written after the window ended. A window that was only uploaded
//     while open (the agent stopped before its closing upload) is rebuilt, and so is a window
//     whose spooled file, found at start, was built while the window was open.
//   - A source.ErrNoData window is not uploaded (before retention, or not started yet). An
//     empty build is uploaded only through the uploader's never-replace-non-empty rule.
//   - One Runner serves one cluster; Tick must not be called concurrently.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/fedcost/fedcost/agent/build"
	"github.com/fedcost/fedcost/agent/heartbeat"
	"github.com/fedcost/fedcost/agent/metrics"
	"github.com/fedcost/fedcost/agent/source"
	"github.com/fedcost/fedcost/agent/uploader"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// Defaults.
const (
	DefaultInterval       = 5 * time.Minute
	DefaultBackfillHourly = 48 * time.Hour
	DefaultBackfillDaily  = 15 * 24 * time.Hour
)

// Config configures a Runner.
type Config struct {
	Cluster  string
	Source   source.Source
	Uploader *uploader.Uploader
	// Store is read (listed) to find which past windows exist; writes go through Uploader.
	Store store.Store
	// Interval between ticks (Run). Default 5m.
	Interval time.Duration
	// Backfill is how far back each resolution is backfilled; a missing entry means the
	// default (48h hourly, 15d daily), zero or a negative value disables it.
	Backfill map[layout.Resolution]time.Duration
	// Producer names the agent in every document (BuiltAt is set per build).
	Producer etl.Producer
	// Heartbeat, if set, is written after every tick.
	Heartbeat *heartbeat.Writer
	Now       func() time.Time
	Logger    *slog.Logger
	Metrics   *metrics.Agent
}

// Runner builds and uploads one cluster's windows.
type Runner struct {
	cfg Config
	log *slog.Logger
	enc build.Encoder

	lastOpen     map[layout.Resolution]layout.Window
	started      bool
	backfillDone bool
	// partial holds keys that were spooled, at start, with a build from before their window
	// ended: backfill rebuilds them even though draining makes them look complete.
	partial map[string]bool

	mu        sync.Mutex
	lastBuild map[string]time.Time
	lastTick  time.Time
}

// New validates cfg and returns a Runner.
func New(cfg Config) (*Runner, error) {
	var errs []error
	if err := layout.ValidateClusterID(cfg.Cluster); err != nil {
		errs = append(errs, err)
	}
	if cfg.Source == nil {
		errs = append(errs, errors.New("a source is required"))
	}
	if cfg.Uploader == nil || cfg.Store == nil {
		errs = append(errs, errors.New("an uploader and a store are required"))
	}
	if cfg.Now == nil {
		errs = append(errs, errors.New("a clock (Now) is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	bf := map[layout.Resolution]time.Duration{layout.Hourly: DefaultBackfillHourly, layout.Daily: DefaultBackfillDaily}
	for r, d := range cfg.Backfill {
		bf[r] = d
	}
	cfg.Backfill = bf
	return &Runner{cfg: cfg, log: cfg.Logger.With("cluster", cfg.Cluster), lastOpen: map[layout.Resolution]layout.Window{},
		lastBuild: map[string]time.Time{}}, nil
}

// Run ticks at once and then every Interval until ctx ends, writing the heartbeat after each
// tick. Tick errors are logged, not fatal.
func (r *Runner) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if err := r.Tick(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("tick finished with errors", "err", err)
		}
		if err := r.WriteHeartbeat(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("heartbeat failed", "err", err)
		}
		t.Reset(r.cfg.Interval)
	}
}

// LastTick is when the last Tick finished (zero before the first).
func (r *Runner) LastTick() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastTick
}

// Interval is the configured tick interval.
func (r *Runner) Interval() time.Duration { return r.cfg.Interval }

// Tick runs one pass (see the package contract). The error joins every failed build or
// upload; uploads that went to the spool are not failures.
func (r *Runner) Tick(ctx context.Context) error {
	now := r.cfg.Now()
	var errs []error
	if !r.started {
		r.started = true
		r.partial = map[string]bool{}
		pending, err := r.cfg.Uploader.Pending()
		if err != nil {
			r.log.Warn("cannot read the spool", "err", err)
		}
		for _, e := range pending {
			if e.BuiltAt.Before(e.Upload.Window.End) {
				r.partial[e.Key] = true
			}
		}
		if len(pending) > 0 {
			r.log.Info("draining uploads spooled before the restart", "files", len(pending))
		}
	}
	if _, err := r.cfg.Uploader.Drain(ctx); err != nil {
		r.log.Warn("spool not drained", "err", err)
	}
	for _, res := range layout.Resolutions {
		cur := layout.WindowFor(res, now)
		if prev, ok := r.lastOpen[res]; ok && prev.Start.Before(cur.Start) {
			for w := prev; w.Start.Before(cur.Start); w = next(res, w) {
				errs = append(errs, r.buildAndUpload(ctx, res, w, nil, "closing"))
			}
		}
		r.lastOpen[res] = cur
	}
	for _, res := range layout.Resolutions {
		errs = append(errs, r.buildAndUpload(ctx, res, r.lastOpen[res], nil, "open"))
	}
	if !r.backfillDone {
		// A bucket that cannot be listed postpones backfill to the next tick (logged there);
		// that is not a failed build.
		r.backfillDone = r.backfill(ctx, now) == nil
	}
	r.mu.Lock()
	r.lastTick = r.cfg.Now()
	r.mu.Unlock()
	return errors.Join(errs...)
}

func next(res layout.Resolution, w layout.Window) layout.Window {
	return layout.Window{Start: w.End, End: w.End.Add(res.Duration())}
}

// buildAndUpload builds one window and uploads the kinds in only (all when nil).
func (r *Runner) buildAndUpload(ctx context.Context, res layout.Resolution, w layout.Window, only map[layout.Kind]bool, why string) error {
	start := r.cfg.Now()
	allocs, assets, err := r.cfg.Source.Build(ctx, r.cfg.Cluster, res, w)
	if errors.Is(err, source.ErrNoData) {
		r.cfg.Metrics.CountBuild(string(res), "no_data")
		r.log.Debug("no data for window", "resolution", res, "window", w.String(), "why", why)
		return nil
	}
	if err != nil {
		r.cfg.Metrics.CountBuild(string(res), "error")
		r.log.Error("build failed", "resolution", res, "window", w.String(), "why", why, "err", err)
		return fmt.Errorf("build %s %s: %w", res, w, err)
	}
	p := r.cfg.Producer
	p.BuiltAt = r.cfg.Now().UTC()
	files, err := r.enc.Files(r.cfg.Cluster, res, w, allocs, assets, p)
	if err != nil {
		r.cfg.Metrics.CountBuild(string(res), "error")
		r.log.Error("encode failed", "resolution", res, "window", w.String(), "err", err)
		return err
	}
	took := r.cfg.Now().Sub(start)
	r.cfg.Metrics.CountBuild(string(res), "success")
	var errs []error
	for _, f := range files {
		if only != nil && !only[f.Upload.Kind] {
			continue
		}
		r.cfg.Metrics.ObserveBuild(string(f.Upload.Kind), string(res), took)
		r.mu.Lock()
		r.lastBuild[string(f.Upload.Kind)+"/"+string(res)] = p.BuiltAt
		r.mu.Unlock()
		out, err := r.cfg.Uploader.Upload(ctx, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.log.Debug("window uploaded", "key", f.Key(), "records", f.Records, "bytes", len(f.Data), "outcome", out, "why", why)
	}
	return errors.Join(errs...)
}

// WriteHeartbeat writes the heartbeat (no-op without a heartbeat writer).
func (r *Runner) WriteHeartbeat(ctx context.Context) error {
	hb := r.cfg.Heartbeat
	if hb == nil {
		return nil
	}
	st := r.cfg.Uploader.Status()
	r.mu.Lock()
	s := heartbeat.Status{LastBuild: maps.Clone(r.lastBuild), LastUpload: st.LastSuccess, SpoolFiles: st.SpoolFiles, SpoolBytes: st.SpoolBytes}
	r.mu.Unlock()
	if err := hb.Write(ctx, s); err != nil {
		r.cfg.Metrics.CountHeartbeat("error")
		return err
	}
	r.cfg.Metrics.CountHeartbeat("success")
	return nil
}
