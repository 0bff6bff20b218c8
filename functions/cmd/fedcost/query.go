package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/fedcost/fedcost/functions/query/api"
	"github.com/fedcost/fedcost/functions/query/cache"
	"github.com/fedcost/fedcost/functions/query/ui"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func init() {
	commands["query"] = command{summary: "serve the Kubecost/OpenCost API, the UI and /metrics from federated/combined/", run: runQuery}
}

// queryOptions configure the query server (fedcost query and fedcost local).
type queryOptions struct {
	Refresh         time.Duration // cache refresh interval (default 30s)
	StaleAfter      time.Duration // 0: 2 agent intervals + 15 min per cluster
	HourlyRetention time.Duration // default 49h
	DailyRetention  time.Duration // default 91d
	Tokens          []string      // bearer tokens; none: no auth
	CORSOrigins     []string
	Currency        string // UI display only
	Logger          *slog.Logger
}

// newQueryServer builds the query service over st: a cache (refreshed every opts.Refresh
// until ctx ends, starting now), the API, the UI for the paths the API does not own, and
// /metrics from reg (which also receives the cache's metrics). /readyz answers 503 until the
// first refresh completed.
func newQueryServer(ctx context.Context, st store.Store, opts queryOptions, reg *prometheus.Registry) (http.Handler, *cache.Cache, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := cache.New(st, cache.Options{HourlyRetention: opts.HourlyRetention, DailyRetention: opts.DailyRetention,
		Refresh: opts.Refresh, StaleAfter: opts.StaleAfter, Registry: reg, Logger: opts.Logger})
	if err != nil {
		return nil, nil, fmt.Errorf("query cache: %w", err)
	}
	staleAfter := opts.StaleAfter
	if staleAfter <= 0 {
		staleAfter = 2*cache.DefaultInterval + 15*time.Minute
	}
	// The Memo gets 128 MiB (not the API's 256): with the cache's resident rollups (~400 MiB
	// at 1,000 clusters) and its LRUs it stays within the default 800 MiB memory limit.
	apiHandler := api.New(c, api.Options{StaleAfter: staleAfter, Tokens: opts.Tokens, CORSOrigins: opts.CORSOrigins,
		Logger: opts.Logger, MemoBytes: 128 << 20})
	uiHandler := ui.Handler(ui.Options{Currency: opts.Currency})
	mux := http.NewServeMux()
	mux.Handle("/", apiHandler)
	for _, p := range []string{"/{$}", "/index.html", "/ui-config.js", "/static/"} {
		mux.Handle(p, uiHandler)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	go c.Run(ctx)
	return mux, c, nil
}

func runQuery(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, true)
	listen := fs.String("listen", queryEnv("FEDCOST_LISTEN", "127.0.0.1:9090"), "address to serve on [env FEDCOST_LISTEN]")
	tokenFile := fs.String("token-file", os.Getenv("FEDCOST_TOKEN_FILE"), "file of bearer tokens, one per line; requests must carry one (optional) [env FEDCOST_TOKEN_FILE]")
	cors := fs.String("cors-origins", os.Getenv("FEDCOST_CORS_ORIGINS"), "comma-separated browser origins allowed to call the API (\"*\" for any) [env FEDCOST_CORS_ORIGINS]")
	currency := fs.String("currency", queryEnv("FEDCOST_CURRENCY", "$"), "currency symbol the UI shows (no conversion) [env FEDCOST_CURRENCY]")
	logLevel := fs.String("log-level", queryEnv("FEDCOST_LOG_LEVEL", "info"), "debug, info, warn or error [env FEDCOST_LOG_LEVEL]")
	memLimit := fs.String("memory-limit", queryEnv("FEDCOST_MEMORY_LIMIT", "800MiB"), "soft heap limit of the Go runtime (KiB, MiB, GiB; 0 = none); ignored when GOMEMLIMIT is set [env FEDCOST_MEMORY_LIMIT]")
	durs := []struct {
		dst        *time.Duration
		name, env  string
		def, usage string
	}{
		{new(time.Duration), "refresh", "FEDCOST_REFRESH", "30s", "how often to list the bucket for changed derived objects"},
		{new(time.Duration), "stale-after", "FEDCOST_STALE_AFTER", "0", "flag clusters whose last upload is older; 0 = 2 agent upload intervals + 15m"},
		{new(time.Duration), "hourly-retention", "FEDCOST_HOURLY_RETENTION", "49h", "hourly data loaded"},
		{new(time.Duration), "daily-retention", "FEDCOST_DAILY_RETENTION", "91d", "daily data loaded"},
	}
	for _, d := range durs {
		fs.Func(d.name, fmt.Sprintf("%s (duration; d = 24h) [env %s] (default %s)", d.usage, d.env, d.def), func(s string) error {
			v, err := queryDuration(s)
			*d.dst = v
			return err
		})
	}
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: fedcost query (--store federated-store.yaml | --dir DIR) [--listen 127.0.0.1:9090] [flags]

Serves the Kubecost API (/model/allocation, /model/assets, summaries, CSV), the OpenCost paths
(/allocation, /assets), /model/federation/status, the web UI at /, /metrics, /healthz and /readyz
from the derived data under federated/combined/. Loads the retention window into memory and
refreshes it incrementally; /readyz answers 200 once loaded. Every flag has the environment
variable shown; a flag wins over its variable.

Flags:
`)
		fs.PrintDefaults()
	}
	for _, d := range durs {
		v := queryEnv(d.env, d.def)
		if _, err := queryDuration(v); err != nil {
			fmt.Fprintf(stderr, "query: %s=%q: %v\n", d.env, v, err)
			return 2
		}
		*d.dst, _ = queryDuration(v)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "query: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "query: --log-level: %v\n", err)
		return 2
	}
	limit, err := queryBytes(*memLimit)
	if err != nil {
		fmt.Fprintf(stderr, "query: --memory-limit: %v\n", err)
		return 2
	}
	if limit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		// Without a limit the heap grows to twice the live data between collections: the
		// garbage of a cold query over container rows doubles the pod's memory.
		debug.SetMemoryLimit(limit)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	opts := queryOptions{Refresh: *durs[0].dst, StaleAfter: *durs[1].dst, HourlyRetention: *durs[2].dst, DailyRetention: *durs[3].dst,
		CORSOrigins: querySplitList(*cors), Currency: *currency, Logger: log}
	if *tokenFile != "" {
		toks, err := readTokenFile(*tokenFile)
		if err != nil {
			fmt.Fprintf(stderr, "query: --token-file: %v\n", err)
			return 2
		}
		opts.Tokens = toks
	}
	st, err := sf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "query: %v\n", err)
		return 2
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	st = store.WithMetrics(st, reg, "query")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h, _, err := newQueryServer(ctx, st, opts, reg)
	if err != nil {
		fmt.Fprintf(stderr, "query: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "query: listen: %v\n", err)
		return 2
	}
	log.Info("serving", "addr", ln.Addr().String(), "store", st.Name())
	if err := serveUntilDone(ctx, ln, h); err != nil {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}

// serveUntilDone serves h on ln until ctx ends, then shuts down gracefully (in-flight requests
// get up to 10 s).
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// readTokenFile reads one bearer token per line; blank lines and lines starting with # are
// skipped. An existing file without tokens is an error (it would silently disable auth).
func readTokenFile(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no token", path)
	}
	return out, nil
}

func querySplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func queryEnv(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// queryBytes parses a byte count with an optional KiB, MiB or GiB suffix.
func queryBytes(s string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			s, mult = n, m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q (want e.g. 900MiB, 2GiB, 0)", s)
	}
	return n * mult, nil
}

// queryDuration is time.ParseDuration plus whole days ("91d", as Kubecost writes retention).
func queryDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return d, nil
}
