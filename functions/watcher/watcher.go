// Package watcher runs the ingest core on a store that emits no events — the embedded default
// (`fedcost local`, a directory as the bucket) or any bucket whose notifications are not wired.
// It polls List and ingests the keys that are new or whose version changed since the previous
// listing: robust and backend-neutral. The first pass records the listing and runs one
// reconcile, which derives whatever was uploaded while nothing was watching.
package watcher

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// Defaults of Options.
const (
	// DefaultInterval suits a filesystem store (a listing is cheap and local); remote buckets
	// should poll less often (each listing is billed requests).
	DefaultInterval    = time.Second
	DefaultConcurrency = 4
	// reconcileRetry is the pause before a failed first reconcile is tried again.
	reconcileRetry = 30 * time.Second
)

// Options configure a Watcher.
type Options struct {
	Interval    time.Duration // between listings (default DefaultInterval)
	Concurrency int           // concurrent ingests (default DefaultConcurrency)
	Logger      *slog.Logger  // default: discard
	// OnResult, if set, observes every ingest the watcher runs (called concurrently).
	OnResult func(ingest.Result, error)
	// OnReconcile, if set, observes every reconcile pass.
	OnReconcile func(ingest.ReconcileReport, error)
}

// Watcher polls a store and ingests what changed.
type Watcher struct {
	core *ingest.Core
	st   store.Store
	o    Options
	log  *slog.Logger

	seen          map[string]store.Version // the versions already ingested (or found at start)
	reconciled    bool
	lastReconcile time.Time
}

// New returns a Watcher over st (the store the core works on).
func New(core *ingest.Core, st store.Store, o Options) *Watcher {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Watcher{core: core, st: st, o: o, log: o.Logger}
}

// Run polls until ctx ends: a first pass at once, then one every Interval. Failures (a listing,
// an ingest) are logged and retried on the next pass; Run returns nil when ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	t := time.NewTicker(w.o.Interval)
	defer t.Stop()
	for {
		if err := w.Poll(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("watch pass failed; retrying on the next pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Poll runs one pass. The first (successful) listing is recorded as seen and followed by a
// reconcile; later passes ingest the keys that are new or changed.
func (w *Watcher) Poll(ctx context.Context) error {
	cur, err := w.list(ctx)
	if err != nil {
		return err
	}
	if w.seen == nil {
		// Listed before the reconcile lists: whatever changes in between is ingested by the
		// reconcile and, again (a no-op), by the next pass.
		w.seen = cur
		return w.reconcile(ctx)
	}
	if !w.reconciled && time.Since(w.lastReconcile) >= reconcileRetry {
		_ = w.reconcile(ctx)
	}
	for k := range w.seen {
		if _, ok := cur[k]; !ok {
			delete(w.seen, k)
		}
	}
	return w.ingestChanged(ctx, cur)
}

func (w *Watcher) reconcile(ctx context.Context) error {
	w.lastReconcile = time.Now()
	start := time.Now()
	rep, err := w.core.Reconcile(ctx, ingest.ReconcileOptions{Concurrency: w.o.Concurrency})
	if w.o.OnReconcile != nil {
		w.o.OnReconcile(rep, err)
	}
	attrs := []any{"duration", time.Since(start), "uploads", rep.Uploads, "windows", rep.Windows, "up_to_date", rep.UpToDate,
		"derived", rep.Derived, "unchanged", rep.Unchanged, "refused", rep.Refused, "failed", rep.Failed}
	if err != nil {
		w.log.Error("reconcile failed; retrying later", append(attrs, "err", err)...)
		return err
	}
	w.reconciled = true
	w.log.Info("reconcile", attrs...)
	return nil
}

// group is the keys one ingest covers: both uploads of a window are derived together.
type group struct {
	key  string   // the key to ingest
	keys []string // every changed key it covers
}

func (w *Watcher) ingestChanged(ctx context.Context, cur map[string]store.Version) error {
	var groups []*group
	byWindow := map[ingest.WindowRef]*group{}
	for k, v := range cur {
		if sv, ok := w.seen[k]; ok && sv == v {
			continue
		}
		p, perr := layout.Parse(k)
		if perr == nil && p.Class == layout.UploadClass {
			ref := ingest.WindowRef{Cluster: p.Upload.Cluster, Resolution: p.Upload.Resolution, Window: p.Upload.Window}
			if g := byWindow[ref]; g != nil {
				g.keys = append(g.keys, k)
				continue
			}
			byWindow[ref] = &group{key: k, keys: []string{k}}
			groups = append(groups, byWindow[ref])
			continue
		}
		groups = append(groups, &group{key: k, keys: []string{k}})
	}
	if len(groups) == 0 {
		return nil
	}
	jobs := make(chan *group)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range min(w.o.Concurrency, len(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range jobs {
				start := time.Now()
				res, err := w.core.Ingest(ctx, g.key)
				if w.o.OnResult != nil {
					w.o.OnResult(res, err)
				}
				attrs := []any{"key", g.key, "cluster", res.Cluster, "window", res.Window, "outcome", string(res.Outcome), "duration", time.Since(start)}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
					w.log.Warn("ingest failed; retrying on the next pass", append(attrs, "err", err)...)
				} else {
					for _, k := range g.keys {
						w.seen[k] = cur[k]
					}
					if res.Outcome != ingest.Ignored {
						w.log.Info("ingest", attrs...)
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, g := range groups {
		if ctx.Err() != nil {
			break
		}
		jobs <- g
	}
	close(jobs)
	wg.Wait()
	if len(errs) > 0 {
		return errors.Join(errs[0], errors.New("and possibly more ingest failures"))
	}
	return ctx.Err()
}

// errSkip stops a listing at a reserved folder so that it can resume after it.
type errSkip struct{ after string }

func (e errSkip) Error() string { return "skip to " + e.after }

// list returns the versions of every key under federated/ except fedcost's own folders
// (combined/, quarantine/), which it skips without listing their contents.
func (w *Watcher) list(ctx context.Context) (map[string]store.Version, error) {
	cur := map[string]store.Version{}
	after := ""
	for {
		err := w.st.List(ctx, layout.Root, after, func(oi store.ObjectInfo) error {
			for _, dir := range []string{layout.CombinedDir, layout.QuarantineDir} {
				if d := layout.Root + dir + "/"; strings.HasPrefix(oi.Key, d) {
					// "0" follows "/" in byte order: resume after everything under d.
					return errSkip{after: layout.Root + dir + "0"}
				}
			}
			cur[oi.Key] = oi.Version
			return nil
		})
		var skip errSkip
		if errors.As(err, &skip) {
			after = skip.after
			continue
		}
		return cur, err
	}
}
