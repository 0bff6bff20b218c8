package lambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedcost/fedcost/shared/ingest"
)

// Budget is how long a reconcile pass may run: the configured budget, but never past the
// invocation deadline minus DeadlineMargin (half the remaining time when that is shorter).
func Budget(now time.Time, deadline time.Time, hasDeadline bool, budget time.Duration) time.Duration {
	if !hasDeadline {
		return budget
	}
	left := deadline.Sub(now)
	limit := left - DeadlineMargin
	if limit <= 0 {
		limit = left / 2
	}
	return max(min(budget, limit), 0)
}

// reconcile runs one reconcile pass within the budget. Running out of budget is not an
// error: the next scheduled pass continues (windows done so far are up to date and skipped).
func (h *Handler) reconcile(ctx context.Context, log *slog.Logger) error {
	deadline, ok := ctx.Deadline()
	budget := Budget(h.c.Now(), deadline, ok, h.c.ReconcileBudget)
	rctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	start := h.c.Now()
	rep, err := h.c.Core.Reconcile(rctx, ingest.ReconcileOptions{Concurrency: h.c.ReconcileConcurrency})
	attrs := []any{"budget", budget, "duration", h.c.Now().Sub(start), "uploads", rep.Uploads, "windows", rep.Windows,
		"up_to_date", rep.UpToDate, "derived", rep.Derived, "unchanged", rep.Unchanged, "refused", rep.Refused,
		"heartbeats", rep.Heartbeats, "failed", rep.Failed, "fleet_written", rep.Fleet.Written, "fleet_failed", rep.Fleet.Failed}
	switch {
	case err == nil:
		log.Info("reconcile", attrs...)
		return nil
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		log.Warn("reconcile stopped at its budget; the next pass continues", attrs...)
		return nil
	}
	log.Error("reconcile failed", append(attrs, "err", err)...)
	return fmt.Errorf("reconcile: %w", err)
}
