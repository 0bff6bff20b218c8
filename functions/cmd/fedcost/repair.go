package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/fedcost/fedcost/functions/query/window"
	"github.com/fedcost/fedcost/shared/ingest"
)

func init() {
	commands["repair"] = command{summary: "force re-derivation of one cluster's windows from the bucket", run: runRepair}
}

func runRepair(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("repair", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, true)
	cluster := fs.String("cluster", "", "cluster id (required)")
	win := fs.String("window", "", "range to repair, in the API's window grammar: 7d, yesterday, 2026-11-01T00:00:00Z,2026-11-03T00:00:00Z, 1762000000,1762100000 (required)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: fedcost repair --store federated-store.yaml --cluster ID --window W

Re-derives every hourly and daily window of the cluster that overlaps W from the uploads in the
bucket, whatever the derived objects say. Windows without uploads are left untouched; if the
range holds no upload at all, nothing is touched and the command says so (a repair can never
erase derived data). Uploads are never modified.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	if *cluster == "" || *win == "" {
		fmt.Fprintln(stderr, "repair: --cluster and --window are required (see fedcost repair --help)")
		return 2
	}
	w, err := window.Parse(*win, time.Now().UTC())
	if err != nil {
		fmt.Fprintf(stderr, "repair: --window: %v\n", err)
		return 2
	}
	st, err := sf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "repair: %v\n", err)
		return 2
	}
	defer st.Close()
	core, err := ingest.New(ingest.Config{Store: st, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		fmt.Fprintf(stderr, "repair: %v\n", err)
		return 2
	}
	p := newProgress(stderr, "repair "+*cluster)
	rep, err := core.Repair(ctx, *cluster, w.Start, w.End, p.update)
	for _, r := range rep.Repaired {
		fmt.Fprintf(stdout, "repaired %s\n", r)
	}
	if err != nil {
		fmt.Fprintf(stderr, "repair: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d windows re-derived for cluster %s in %s\n", len(rep.Repaired), *cluster, w)
	return 0
}
