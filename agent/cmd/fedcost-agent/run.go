package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fedcost/fedcost/agent/heartbeat"
	"github.com/fedcost/fedcost/agent/metrics"
	"github.com/fedcost/fedcost/agent/pricing"
	"github.com/fedcost/fedcost/agent/runner"
	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/agent/source"
	"github.com/fedcost/fedcost/agent/source/opencost"
	"github.com/fedcost/fedcost/agent/source/prom"
	"github.com/fedcost/fedcost/agent/spool"
	"github.com/fedcost/fedcost/agent/uploader"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/objstore"
	"github.com/fedcost/fedcost/shared/version"
)

// uploadRetry is the backoff of each bucket operation before a file goes to the spool.
var uploadRetry = store.RetryPolicy{MaxAttempts: 4, InitialBackoff: 500 * time.Millisecond, MaxBackoff: 10 * time.Second}

// runAgent wires the agent together and runs it until ctx ends.
func runAgent(ctx context.Context, c runConfig, log *slog.Logger, now func() time.Time) error {
	scfg, err := objstore.Load(c.Store)
	if err != nil {
		return err
	}
	st, err := objstore.Open(ctx, scfg)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := metrics.New(reg)
	st = store.WithMetrics(st, reg, string(scfg.Type))

	installID, err := heartbeat.InstallID(c.SpoolDir, c.InstallID)
	if err != nil {
		return err
	}
	sp, err := spool.Open(c.SpoolDir, spool.Limits{MaxAge: c.SpoolMaxAge, MaxBytes: c.SpoolMaxBytes}, now)
	if err != nil {
		return err
	}
	src, err := newSource(c, log, now)
	if err != nil {
		return err
	}
	up, err := uploader.New(uploader.Config{Store: st, Spool: sp, Retry: uploadRetry, Now: now, Logger: log, Metrics: m})
	if err != nil {
		return err
	}
	p := etl.Producer{Agent: "fedcost-agent", Version: version.Version, InstallID: installID, Source: src.Name()}
	started := now()
	summary := c.summary(scfg.Summary())
	hb := &heartbeat.Writer{Store: st, Cluster: c.ClusterID, Producer: p, StartedAt: started, Interval: c.Interval, Config: summary, Now: now}
	r, err := runner.New(runner.Config{Cluster: c.ClusterID, Source: src, Uploader: up, Store: st, Interval: c.Interval,
		Backfill: map[layout.Resolution]time.Duration{layout.Hourly: c.BackfillHourly, layout.Daily: c.BackfillDaily},
		Producer: p, Heartbeat: hb, Now: now, Logger: log, Metrics: m})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", c.Listen, err)
	}
	srv := &http.Server{Handler: handler(reg, r, started, now), ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	args := []any{"version", version.Version, "cluster", c.ClusterID, "install_id", installID, "listen", ln.Addr().String()}
	for k, v := range summary {
		args = append(args, k, v)
	}
	log.Info("fedcost-agent starting", args...)

	runErr := make(chan error, 1)
	go func() { runErr <- r.Run(ctx) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case err := <-runErr:
		if errors.Is(err, context.Canceled) {
			log.Info("fedcost-agent stopped")
			return nil
		}
		return err
	}
}

func newSource(c runConfig, log *slog.Logger, now func() time.Time) (source.Source, error) {
	switch c.Source {
	case sourceOpenCost:
		return opencost.New(opencost.Config{URL: c.OpenCostURL, AllocationPath: c.OpenCostPath}, log)
	case sourceSimulator:
		return sim.NewSource(sim.Options{Seed: c.SimSeed, ContainersPerDay: c.SimContainers, Now: now}), nil
	default:
		table := pricing.Default()
		if c.Pricing != "" {
			t, err := pricing.Load(c.Pricing)
			if err != nil {
				return nil, err
			}
			table = t
		}
		return prom.New(prom.Config{URL: c.PrometheusURL, ClusterLabel: c.ClusterLabel, ClusterFilter: c.ClusterFilter,
			Pricing: table, Now: now}, log)
	}
}

// startupGrace is how long the first tick (with its backfill) may take before /healthz fails.
const startupGrace = time.Hour

// handler serves /metrics and /healthz. Health fails when no tick finished for three
// intervals (plus five minutes), or the first one did not finish within startupGrace.
func handler(reg *prometheus.Registry, r *runner.Runner, started time.Time, now func() time.Time) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		last, t := r.LastTick(), now()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch {
		case last.IsZero() && t.Sub(started) > startupGrace:
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "unhealthy: the first build has not finished after %s\n", t.Sub(started).Round(time.Second))
		case !last.IsZero() && t.Sub(last) > 3*r.Interval()+5*time.Minute:
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "unhealthy: last build finished %s ago\n", t.Sub(last).Round(time.Second))
		default:
			fmt.Fprintln(w, "ok")
		}
	})
	return mux
}
