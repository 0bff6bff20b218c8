package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/fedcost/fedcost/agent/runner"
	"github.com/fedcost/fedcost/agent/source/opencost"
	"github.com/fedcost/fedcost/agent/spool"
	"github.com/fedcost/fedcost/shared/layout"
)

// Sources the agent can read.
const (
	sourcePrometheus = "prometheus"
	sourceOpenCost   = "opencost"
	sourceSimulator  = "simulator"
)

// runConfig is the agent's configuration (the Helm chart's contract).
type runConfig struct {
	Store          string
	ClusterID      string
	Source         string
	PrometheusURL  string
	ClusterLabel   string
	ClusterFilter  string
	OpenCostURL    string
	OpenCostPath   string
	Pricing        string
	Interval       time.Duration
	SpoolDir       string
	SpoolMaxAge    time.Duration
	SpoolMaxBytes  int64
	Listen         string
	InstallID      string
	BackfillHourly time.Duration
	BackfillDaily  time.Duration
	SimSeed        int64
	SimContainers  int
	LogLevel       string
	Version        bool
}

const runUsage = `Usage: fedcost-agent [flags]
       fedcost-agent simulate --help

Builds the cluster's 1h and 1d cost windows from Prometheus (or an existing OpenCost) every
interval and uploads them to <bucket>/federated/<cluster-id>/etl/ as described by
federated-store.yaml; spools to --spool-dir while the bucket is unreachable; writes a heartbeat;
serves /metrics and /healthz on --listen.
`

func parseRunConfig(args []string, getenv func(string) string, out io.Writer) (runConfig, error) {
	var c runConfig
	f := newEnvFlags("fedcost-agent", out)
	f.String(&c.Store, "store", "/etc/fedcost/store/federated-store.yaml", "federated-store.yaml (Thanos objstore format: type, config, prefix) describing the bucket")
	f.String(&c.ClusterID, "cluster-id", "", "this cluster's id in the bucket (required): 1-63 of a-z 0-9 . _ -, starting and ending with a letter or digit")
	f.String(&c.Source, "source", sourcePrometheus, "where cost data comes from: prometheus, opencost or simulator (synthetic data for demos)")
	f.String(&c.PrometheusURL, "prometheus-url", "", "Prometheus base URL, e.g. http://prometheus-server.monitoring:9090 (source prometheus)")
	f.String(&c.ClusterLabel, "prometheus-cluster-label", "", "label that tells clusters apart in a shared Prometheus, e.g. cluster_id (optional)")
	f.String(&c.ClusterFilter, "prometheus-cluster-filter", "", "value of --prometheus-cluster-label for this cluster (default: the cluster id)")
	f.String(&c.OpenCostURL, "opencost-url", "", "OpenCost API base URL, e.g. http://opencost.opencost:9003 (source opencost)")
	f.String(&c.OpenCostPath, "opencost-allocation-path", opencost.AllocationPath, "OpenCost allocation endpoint: /allocation or /allocation/compute (older OpenCost)")
	f.String(&c.Pricing, "pricing", "", "custom pricing file (OpenCost-style, YAML or JSON); default: built-in list prices (source prometheus)")
	f.Duration(&c.Interval, "interval", runner.DefaultInterval, "how often the open windows are rebuilt and uploaded, and the heartbeat written")
	f.String(&c.SpoolDir, "spool-dir", "/var/lib/fedcost/spool", "directory that keeps uploads while the bucket is unreachable, and the install id")
	f.Duration(&c.SpoolMaxAge, "spool-max-age", spool.DefaultMaxAge, "spooled windows older than this are dropped")
	f.Int64(&c.SpoolMaxBytes, "spool-max-bytes", spool.DefaultMaxBytes, "the spool drops its oldest windows above this size in bytes")
	f.String(&c.Listen, "listen", ":9103", "address of the /metrics and /healthz HTTP server")
	f.String(&c.InstallID, "install-id", "", "override the install id (default: a UUID generated once and kept in --spool-dir)")
	f.Duration(&c.BackfillHourly, "backfill-hourly", runner.DefaultBackfillHourly, "on start, upload missing hourly windows this far back (0 disables)")
	f.Duration(&c.BackfillDaily, "backfill-daily", runner.DefaultBackfillDaily, "on start, upload missing daily windows this far back (0 disables)")
	f.Int64(&c.SimSeed, "sim-seed", 1, "seed of the synthetic cluster (source simulator)")
	f.Int(&c.SimContainers, "sim-containers-per-day", 100, "average containers per day of the synthetic cluster (source simulator)")
	f.String(&c.LogLevel, "log-level", "info", "debug, info, warn or error (JSON logs on stderr)")
	f.Bool(&c.Version, "version", false, "print the version and exit")
	f.fs.Usage = f.Usage(runUsage)
	if err := f.Parse(args, getenv); err != nil {
		return c, err
	}
	if c.Version {
		return c, nil
	}
	return c, c.validate()
}

func (c *runConfig) validate() error {
	var errs []error
	if c.Store == "" {
		errs = append(errs, errors.New("--store: required: the federated-store.yaml path"))
	}
	if c.ClusterID == "" {
		errs = append(errs, errors.New("--cluster-id (FEDCOST_CLUSTER_ID): required: this cluster's id in the bucket"))
	} else if err := layout.ValidateClusterID(c.ClusterID); err != nil {
		errs = append(errs, fmt.Errorf("--cluster-id (FEDCOST_CLUSTER_ID): %w", err))
	}
	switch c.Source {
	case sourcePrometheus:
		if c.PrometheusURL == "" {
			errs = append(errs, errors.New("--prometheus-url (FEDCOST_PROMETHEUS_URL): required with --source prometheus"))
		}
	case sourceOpenCost:
		if c.OpenCostURL == "" {
			errs = append(errs, errors.New("--opencost-url (FEDCOST_OPENCOST_URL): required with --source opencost"))
		}
	case sourceSimulator:
	default:
		errs = append(errs, fmt.Errorf("--source: %q: want prometheus, opencost or simulator", c.Source))
	}
	if c.Interval < 10*time.Second {
		errs = append(errs, fmt.Errorf("--interval: %s: want at least 10s", c.Interval))
	}
	if c.SpoolDir == "" {
		errs = append(errs, errors.New("--spool-dir: required"))
	}
	if c.Listen == "" {
		errs = append(errs, errors.New("--listen: required, e.g. :9103"))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.ClusterFilter == "" && c.ClusterLabel != "" {
		c.ClusterFilter = c.ClusterID
	}
	return errors.Join(errs...)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level: %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// summary is the configuration reported in the heartbeat and the start log: no secrets (URLs
// lose their user info and query).
func (c runConfig) summary(store string) map[string]string {
	m := map[string]string{
		"store": store, "source": c.Source, "interval": c.Interval.String(), "spoolMaxAge": formatDuration(c.SpoolMaxAge),
		"spoolMaxBytes": fmt.Sprint(c.SpoolMaxBytes), "backfillHourly": formatDuration(c.BackfillHourly),
		"backfillDaily": formatDuration(c.BackfillDaily), "listen": c.Listen,
	}
	switch c.Source {
	case sourcePrometheus:
		m["prometheusURL"] = safeURL(c.PrometheusURL)
		if c.ClusterLabel != "" {
			m["prometheusClusterLabel"] = c.ClusterLabel
		}
		if c.Pricing != "" {
			m["pricing"] = c.Pricing
		}
	case sourceOpenCost:
		m["opencostURL"] = safeURL(c.OpenCostURL)
	}
	return m
}

func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return strings.TrimSuffix(u.String(), "/")
}
