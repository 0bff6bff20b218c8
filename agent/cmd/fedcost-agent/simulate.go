package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/fedcost/fedcost/agent/runner"
	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store/objstore"
)

const simulateUsage = `Usage: fedcost-agent simulate --store CFG --clusters N --days D [flags]

Writes a deterministic synthetic fleet to the bucket exactly as fedcost-agent would: for every
cluster, D daily windows and --hourly-hours hourly windows (allocations and assets) ending at
--end, and a heartbeat. With --live it then keeps rebuilding the open windows every --interval,
like running agents, until interrupted. The same --seed and --end give byte-identical files.
`

type simulateConfig struct {
	Store            string
	Clusters         int
	Days             int
	HourlyHours      int
	Seed             int64
	ContainersPerDay int
	ClusterPrefix    string
	End              string
	IncludeOpen      bool
	Live             bool
	Interval         time.Duration
	Workers          int
	LogLevel         string
}

func parseSimulateConfig(args []string, getenv func(string) string, out io.Writer) (simulateConfig, error) {
	var c simulateConfig
	f := newEnvFlags("fedcost-agent simulate", out)
	f.String(&c.Store, "store", "", "federated-store.yaml of the bucket to write (required)")
	f.Int(&c.Clusters, "clusters", 10, "number of clusters")
	f.Int(&c.Days, "days", 7, "daily windows per cluster, ending at the start of --end's day")
	f.Int(&c.HourlyHours, "hourly-hours", 48, "hourly windows per cluster, ending at the start of --end's hour (0: none)")
	f.Int64(&c.Seed, "seed", 1, "selects the fleet; the same seed gives the same data")
	f.Int(&c.ContainersPerDay, "containers-per-day", 100, "average containers per cluster per day (cluster sizes are skewed around it)")
	f.String(&c.ClusterPrefix, "cluster-prefix", "sim", "cluster ids are <prefix>-0001, <prefix>-0002, …")
	f.String(&c.End, "end", "", "the fleet's \"now\" (RFC3339); default: the current time")
	f.Bool(&c.IncludeOpen, "include-open", false, "also write the open day and hour, up to --end")
	f.Bool(&c.Live, "live", false, "after writing history, keep uploading the open windows every --interval until interrupted")
	f.Duration(&c.Interval, "interval", runner.DefaultInterval, "upload interval of --live")
	f.Int(&c.Workers, "workers", 0, "parallel generators (default GOMAXPROCS)")
	f.String(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	f.fs.Usage = f.Usage(simulateUsage)
	if err := f.Parse(args, getenv); err != nil {
		return c, err
	}
	var errs []error
	if c.Store == "" {
		errs = append(errs, errors.New("--store: required: the federated-store.yaml of the bucket to write"))
	}
	if c.Clusters < 1 || c.Days < 0 || c.HourlyHours < 0 || c.ContainersPerDay < 1 {
		errs = append(errs, errors.New("--clusters and --containers-per-day must be at least 1, --days and --hourly-hours at least 0"))
	}
	if c.End != "" {
		if _, err := time.Parse(time.RFC3339, c.End); err != nil {
			errs = append(errs, fmt.Errorf("--end: %q: want RFC3339, e.g. 2026-11-20T12:00:00Z", c.End))
		}
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

func runSimulateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time, tty bool) int {
	c, err := parseSimulateConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "fedcost-agent simulate: %v\n(see fedcost-agent simulate --help)\n", err)
		return 2
	}
	level, _ := parseLevel(c.LogLevel)
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := simulate(ctx, c, stdout, stderr, now, tty, log); err != nil {
		log.Error("simulate failed", "err", err)
		return 1
	}
	return 0
}

func simulate(ctx context.Context, c simulateConfig, stdout, stderr io.Writer, now func() time.Time, tty bool, log *slog.Logger) error {
	scfg, err := objstore.Load(c.Store)
	if err != nil {
		return err
	}
	st, err := objstore.Open(ctx, scfg)
	if err != nil {
		return err
	}
	defer st.Close()
	end := now().UTC()
	if c.End != "" {
		end, _ = time.Parse(time.RFC3339, c.End)
	}
	hourly := c.HourlyHours
	if hourly == 0 {
		hourly = -1 // sim.Options: 0 means the default
	}
	prog := newProgress(stderr, tty, now)
	opts := sim.Options{Clusters: c.Clusters, ClusterPrefix: c.ClusterPrefix, Days: c.Days, HourlyHours: hourly, Seed: c.Seed,
		ContainersPerDay: c.ContainersPerDay, End: end, IncludeOpen: c.IncludeOpen, Workers: c.Workers, Progress: prog.update, Now: now}
	started := now()
	sum, err := sim.Generate(ctx, st, opts)
	prog.finish()
	if err != nil {
		return err
	}
	took := now().Sub(started)
	d, h := sum.Total(layout.Daily), sum.Total(layout.Hourly)
	fmt.Fprintf(stdout, "wrote %d uploads and %d heartbeats (%.1f MB) for %d clusters to %s in %s (%.0f files/s)\n",
		sum.Files, sum.Heartbeats, float64(sum.Bytes)/1e6, c.Clusters, scfg.Summary(), took.Round(time.Millisecond),
		float64(sum.Files+sum.Heartbeats)/max(took.Seconds(), 1e-3))
	fmt.Fprintf(stdout, "daily:  %d windows, %d allocations, allocation cost %.2f, asset cost %.2f, idle %.2f\n",
		d.Windows, d.Allocations, d.AllocationCost, d.AssetCost, d.IdleCost)
	fmt.Fprintf(stdout, "hourly: %d windows, %d allocations, allocation cost %.2f, asset cost %.2f, idle %.2f\n",
		h.Windows, h.Allocations, h.AllocationCost, h.AssetCost, h.IdleCost)
	if !c.Live {
		return nil
	}
	log.Info("simulate: live mode; uploading the open windows every interval until interrupted", "interval", c.Interval.String())
	if err := sim.Live(ctx, st, opts, c.Interval); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
