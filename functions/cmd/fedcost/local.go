package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/fedcost/fedcost/functions/watcher"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/filesystem"
)

func init() {
	commands["local"] = command{summary: "all in one: a local bucket, the ingest watcher, the API and UI on 127.0.0.1:9090", run: runLocal}
}

// localFileStoreYAML is written next to the bucket so that agents and the simulator can
// point --store at the same directory.
const localFileStoreYAML = "federated-store.yaml"

func runLocal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", queryEnv("FEDCOST_DATA", ".fedcost"), "data directory: the bucket lives in <data>/bucket [env FEDCOST_DATA]")
	storeCfg := fs.String("store", os.Getenv("FEDCOST_STORE"), "use this federated-store.yaml instead of the local directory [env FEDCOST_STORE]")
	listen := fs.String("listen", queryEnv("FEDCOST_LISTEN", "127.0.0.1:9090"), "address of the API and UI [env FEDCOST_LISTEN]")
	poll := fs.Duration("poll", time.Second, "how often the watcher lists the bucket for new uploads")
	refresh := fs.Duration("refresh", 2*time.Second, "how often the query cache picks up derived objects")
	currency := fs.String("currency", queryEnv("FEDCOST_CURRENCY", "$"), "currency symbol the UI shows [env FEDCOST_CURRENCY]")
	logLevel := fs.String("log-level", queryEnv("FEDCOST_LOG_LEVEL", "warn"), "debug, info, warn or error [env FEDCOST_LOG_LEVEL]")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: fedcost local [--data .fedcost] [--store federated-store.yaml] [--listen 127.0.0.1:9090]

The embedded default: everything fedcost runs in the cloud, in one process on your machine. A
directory is the bucket (<data>/bucket, with <data>/federated-store.yaml pointing at it for
agents and the simulator); a watcher runs the ingest core on every new or changed upload; the
query service serves the API and the UI. With --store, the same runs against a real bucket.

Try it with simulated clusters:
  fedcost-agent simulate --store .fedcost/federated-store.yaml --clusters 4 --days 30
  (or simply: make demo)

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "local: --log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))

	st, where, err := openLocalStore(ctx, *storeCfg, *data)
	if err != nil {
		fmt.Fprintf(stderr, "local: %v\n", err)
		return 2
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	core, err := ingest.New(ingest.Config{Store: st, Logger: log, Metrics: ingest.NewMetrics(reg)})
	if err != nil {
		fmt.Fprintf(stderr, "local: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h, _, err := newQueryServer(ctx, st, queryOptions{Refresh: *refresh, Currency: *currency, Logger: log}, reg)
	if err != nil {
		fmt.Fprintf(stderr, "local: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "local: listen %s: %v (is another fedcost running? use --listen)\n", *listen, err)
		return 2
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "fedcost local: bucket %s\n", where)
	fmt.Fprintf(stdout, "fedcost local: UI and API on %s — Ctrl-C stops\n", url)
	fmt.Fprintf(stdout, "  curl '%s/model/allocation?window=7d&aggregate=cluster&accumulate=true'\n", url)
	fmt.Fprintf(stdout, "  curl '%s/model/allocation?window=24h&aggregate=namespace&step=1h&filter=cluster:%%22sim-0001%%22'\n", url)
	fmt.Fprintf(stdout, "  curl '%s/model/federation/status'\n", url)

	w := watcher.New(core, st, watcher.Options{Interval: *poll, Logger: log})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := w.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("watcher stopped", "err", err)
		}
	}()
	err = serveUntilDone(ctx, ln, h)
	cancel()
	wg.Wait()
	if err != nil {
		fmt.Fprintf(stderr, "local: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "fedcost local: stopped")
	return 0
}

// openLocalStore opens --store, or the directory bucket under data (created, with a
// federated-store.yaml beside it).
func openLocalStore(ctx context.Context, cfg, data string) (store.Store, string, error) {
	if cfg != "" {
		sf := storeFlags{config: cfg}
		st, err := sf.open(ctx)
		if err != nil {
			return nil, "", err
		}
		return st, st.Name(), nil
	}
	abs, err := filepath.Abs(data)
	if err != nil {
		return nil, "", fmt.Errorf("--data: %w", err)
	}
	bucket := filepath.Join(abs, "bucket")
	if err := os.MkdirAll(bucket, 0o755); err != nil {
		return nil, "", fmt.Errorf("--data: %w", err)
	}
	yaml := fmt.Sprintf("# Written by fedcost local: point agents and the simulator here.\ntype: FILESYSTEM\nconfig:\n  directory: %q\n", bucket)
	if err := os.WriteFile(filepath.Join(abs, localFileStoreYAML), []byte(yaml), 0o644); err != nil {
		return nil, "", fmt.Errorf("--data: %w", err)
	}
	st, err := filesystem.New(ctx, filesystem.Config{Directory: bucket})
	if err != nil {
		return nil, "", err
	}
	return st, bucket + " (store config: " + filepath.Join(abs, localFileStoreYAML) + ")", nil
}
