package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/fedcost/fedcost/shared/ingest"
)

func init() {
	commands["reconcile"] = command{summary: "re-derive what is missing or stale in federated/combined/ (heals dropped events)", run: runReconcile}
}

func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, true)
	cluster := fs.String("cluster", "", "only this cluster id")
	since := fs.String("since", "", "only windows ending after this time (RFC3339, or a duration back from now such as 48h)")
	conc := fs.Int("concurrency", 4, "windows derived in parallel")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: fedcost reconcile --store federated-store.yaml [--cluster ID] [--since T] [--concurrency N]

Compares every upload with the derived objects by source version and re-derives windows whose
derivation is missing or stale: it heals events the platform dropped and is safe to run beside
live functions (the same conditional writes protect both). Without --cluster it then brings
the fleet rollups objects (federated/combined/fleet/, one per window with every cluster's
rollups) up to date, which the query service's cold start reads. Prints progress and a summary.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	var sinceT time.Time
	if *since != "" {
		t, err := parseSince(*since, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "reconcile: --since: %v\n", err)
			return 2
		}
		sinceT = t
	}
	st, err := sf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "reconcile: %v\n", err)
		return 2
	}
	defer st.Close()
	core, err := ingest.New(ingest.Config{Store: st, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		fmt.Fprintf(stderr, "reconcile: %v\n", err)
		return 2
	}
	p := newProgress(stderr, "reconcile "+st.Name())
	rep, err := core.Reconcile(ctx, ingest.ReconcileOptions{Cluster: *cluster, Since: sinceT, Concurrency: *conc, Progress: p.update})
	fmt.Fprintf(stdout, "%d uploads in %d windows: %d up to date, %d derived, %d unchanged, %d bad keys quarantined, %d heartbeats, %d failed\n",
		rep.Uploads, rep.Windows, rep.UpToDate, rep.Derived, rep.Unchanged, rep.Refused, rep.Heartbeats, rep.Failed)
	if f := rep.Fleet; f.Windows > 0 {
		fmt.Fprintf(stdout, "fleet rollups: %d windows, %d written, %d current, %d removed (%d rollups read), %d failed\n",
			f.Windows, f.Written, f.UpToDate, f.Removed, f.Read, f.Failed)
	}
	for _, e := range append(rep.Errors, rep.Fleet.Errors...) {
		fmt.Fprintf(stderr, "  %v\n", e)
	}
	if err != nil {
		fmt.Fprintf(stderr, "reconcile: %v\n", err)
		return 1
	}
	return 0
}

// parseSince accepts RFC3339 or a Go duration meaning "that long ago".
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC3339 time (2026-11-20T00:00:00Z) nor a positive duration (48h)", s)
}

func usageExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
