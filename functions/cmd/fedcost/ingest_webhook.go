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
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/fedcost/fedcost/functions/webhook"
	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/objstore"
)

func init() {
	commands["ingest-webhook"] = command{summary: "ingest S3-format bucket notifications posted over HTTP (MinIO, Ceph RGW, versitygw)", run: runIngestWebhook}
}

// webhookEnv returns the environment variable name, or def when it is unset.
func webhookEnv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func runIngestWebhook(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ingest-webhook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs, false)
	listen := fs.String("listen", webhookEnv("FEDCOST_LISTEN", "127.0.0.1:8089"), "address to serve /events, /healthz and /metrics on (in a pod: :8089) [env FEDCOST_LISTEN]")
	tokenFile := fs.String("token-file", os.Getenv("FEDCOST_WEBHOOK_TOKEN_FILE"), "file holding the token senders must present [env FEDCOST_WEBHOOK_TOKEN_FILE]")
	interval := time.Hour
	if v := os.Getenv("FEDCOST_RECONCILE_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fmt.Fprintf(stderr, "ingest-webhook: FEDCOST_RECONCILE_INTERVAL: %q is not a duration such as 1h\n", v)
			return 2
		}
		interval = d
	}
	fs.DurationVar(&interval, "reconcile-interval", interval, "reconcile at start and then this often; 0 disables [env FEDCOST_RECONCILE_INTERVAL]")
	workers := fs.Int("workers", webhook.DefaultWorkers, "concurrent ingests")
	queueSize := fs.Int("queue-size", webhook.DefaultQueueSize, "accepted keys held before answering 503")
	drain := fs.Duration("drain-timeout", webhook.DefaultDrainTimeout, "how long to keep ingesting queued keys on shutdown")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: fedcost ingest-webhook --store federated-store.yaml --token-file FILE [--listen ADDR] [--reconcile-interval 1h]

Receives S3-format bucket event notifications at POST /events and ingests the uploads they
name. Point the bucket's notifications (prefix filter federated/) at http://ADDR/events:
  MinIO:  MINIO_NOTIFY_WEBHOOK_ENDPOINT_<id>=http://ADDR/events MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_<id>=<token>
  Ceph RGW, versitygw: an HTTP push endpoint http://ADDR/events?token=<token>
Senders authenticate with "Authorization: Bearer <token>", Basic auth with the token as the
password, or ?token=. Events are acknowledged (202) once queued; 503 asks the sender to retry.
/healthz answers 200; /metrics serves Prometheus metrics.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ingest-webhook: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if err := serveWebhook(ctx, log, sf, *listen, *tokenFile, webhook.Options{ReconcileInterval: interval,
		Workers: *workers, QueueSize: *queueSize, DrainTimeout: *drain}); err != nil {
		fmt.Fprintf(stderr, "ingest-webhook: %v\n", err)
		return 2
	}
	return 0
}

func serveWebhook(ctx context.Context, log *slog.Logger, sf storeFlags, listen, tokenFile string, o webhook.Options) error {
	if sf.config == "" {
		return errors.New("no bucket given: pass --store federated-store.yaml (or set FEDCOST_STORE)")
	}
	if tokenFile == "" {
		return errors.New("no token: pass --token-file (or set FEDCOST_WEBHOOK_TOKEN_FILE)")
	}
	tok, err := os.ReadFile(tokenFile)
	if err != nil {
		return fmt.Errorf("--token-file: %w", err)
	}
	o.Token = strings.TrimSpace(string(tok))
	if o.Token == "" {
		return fmt.Errorf("--token-file %s is empty", tokenFile)
	}
	cfg, err := objstore.Load(sf.config)
	if err != nil {
		return err
	}
	st, err := objstore.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	o.Prefix = cfg.Prefix
	if cfg.S3 != nil {
		o.Bucket = cfg.S3.Bucket
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	core, err := ingest.New(ingest.Config{Store: store.WithMetrics(st, reg, strings.ToLower(string(cfg.Type))), Logger: log, Metrics: ingest.NewMetrics(reg)})
	if err != nil {
		return err
	}
	o.Core, o.Registry, o.Logger = core, reg, log
	srv, err := webhook.New(o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	log.Info("ingest-webhook listening", "addr", ln.Addr().String(), "store", cfg.Summary(), "reconcile_interval", o.ReconcileInterval)
	runDone := make(chan struct{})
	runCtx, stopRun := context.WithCancel(ctx)
	go func() { _ = srv.Run(runCtx); close(runDone) }()
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	stopRun()
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = hs.Shutdown(shutCtx)
	<-runDone
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
