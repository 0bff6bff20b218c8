package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRunConfigFlagsAndEnvironment(t *testing.T) {
	t.Parallel()
	full := []string{"--store", "/s.yaml", "--cluster-id", "prod-1", "--source", "opencost", "--prometheus-url", "http://p:9090",
		"--opencost-url", "http://oc:9003", "--pricing", "/p.yaml", "--interval", "2m", "--spool-dir", "/spool", "--listen", ":9200"}
	fullEnv := map[string]string{"FEDCOST_STORE": "/env.yaml", "FEDCOST_CLUSTER_ID": "env-1", "FEDCOST_SOURCE": "prometheus",
		"FEDCOST_PROMETHEUS_URL": "http://envprom:9090", "FEDCOST_OPENCOST_URL": "http://envoc:9003", "FEDCOST_PRICING": "/env-pricing.yaml",
		"FEDCOST_INTERVAL": "10m", "FEDCOST_SPOOL_DIR": "/env-spool", "FEDCOST_LISTEN": ":9300", "FEDCOST_BACKFILL_DAILY": "7d"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want runConfig
	}{
		{"flags", full, nil, runConfig{Store: "/s.yaml", ClusterID: "prod-1", Source: "opencost", PrometheusURL: "http://p:9090",
			OpenCostURL: "http://oc:9003", Pricing: "/p.yaml", Interval: 2 * time.Minute, SpoolDir: "/spool", Listen: ":9200", BackfillDaily: 15 * 24 * time.Hour}},
		{"environment", nil, fullEnv, runConfig{Store: "/env.yaml", ClusterID: "env-1", Source: "prometheus", PrometheusURL: "http://envprom:9090",
			OpenCostURL: "http://envoc:9003", Pricing: "/env-pricing.yaml", Interval: 10 * time.Minute, SpoolDir: "/env-spool", Listen: ":9300", BackfillDaily: 7 * 24 * time.Hour}},
		{"flags win over the environment", full, fullEnv, runConfig{Store: "/s.yaml", ClusterID: "prod-1", Source: "opencost", PrometheusURL: "http://p:9090",
			OpenCostURL: "http://oc:9003", Pricing: "/p.yaml", Interval: 2 * time.Minute, SpoolDir: "/spool", Listen: ":9200", BackfillDaily: 7 * 24 * time.Hour}},
		{"defaults", []string{"--cluster-id", "c", "--prometheus-url", "http://p"}, nil, runConfig{Store: "/etc/fedcost/store/federated-store.yaml",
			ClusterID: "c", Source: "prometheus", PrometheusURL: "http://p", Interval: 5 * time.Minute, SpoolDir: "/var/lib/fedcost/spool", Listen: ":9103", BackfillDaily: 15 * 24 * time.Hour}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseRunConfig(tc.args, env(tc.env), &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			got := runConfig{Store: c.Store, ClusterID: c.ClusterID, Source: c.Source, PrometheusURL: c.PrometheusURL, OpenCostURL: c.OpenCostURL,
				Pricing: c.Pricing, Interval: c.Interval, SpoolDir: c.SpoolDir, Listen: c.Listen, BackfillDaily: c.BackfillDaily}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestRunConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"missing cluster id", []string{"--prometheus-url", "http://p"}, nil, "--cluster-id (FEDCOST_CLUSTER_ID): required"},
		{"invalid cluster id flag", []string{"--cluster-id", "Prod_1", "--prometheus-url", "http://p"}, nil, `cluster id "Prod_1" is invalid`},
		{"invalid cluster id env", nil, map[string]string{"FEDCOST_CLUSTER_ID": "combined", "FEDCOST_PROMETHEUS_URL": "http://p"}, "reserved"},
		{"prometheus without url", []string{"--cluster-id", "c"}, nil, "--prometheus-url (FEDCOST_PROMETHEUS_URL): required"},
		{"opencost without url", []string{"--cluster-id", "c", "--source", "opencost"}, nil, "--opencost-url (FEDCOST_OPENCOST_URL): required"},
		{"unknown source", []string{"--cluster-id", "c", "--source", "datadog"}, nil, `--source: "datadog"`},
		{"bad interval env", []string{"--cluster-id", "c", "--prometheus-url", "http://p"}, map[string]string{"FEDCOST_INTERVAL": "often"}, `FEDCOST_INTERVAL="often"`},
		{"interval too short", []string{"--cluster-id", "c", "--prometheus-url", "http://p", "--interval", "1s"}, nil, "--interval: 1s"},
		{"stray argument", []string{"--cluster-id", "c", "run"}, nil, `unexpected argument "run"`},
		{"bad log level", []string{"--cluster-id", "c", "--prometheus-url", "http://p", "--log-level", "loud"}, nil, "--log-level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseRunConfig(tc.args, env(tc.env), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestHelpNamesEveryFlagAndVariable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_, err := parseRunConfig([]string{"--help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v, want flag.ErrHelp", err)
	}
	for _, s := range []string{"--store", "FEDCOST_STORE", "--cluster-id", "FEDCOST_CLUSTER_ID", "--source", "FEDCOST_SOURCE",
		"--prometheus-url", "FEDCOST_PROMETHEUS_URL", "--opencost-url", "FEDCOST_OPENCOST_URL", "--pricing", "FEDCOST_PRICING",
		"--interval", "FEDCOST_INTERVAL", "--spool-dir", "FEDCOST_SPOOL_DIR", "--listen", "FEDCOST_LISTEN", "(default 5m0s)"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("--help lacks %q:\n%s", s, out.String())
		}
	}
}

func TestSummaryHasNoSecrets(t *testing.T) {
	t.Parallel()
	c := runConfig{Source: sourcePrometheus, PrometheusURL: "https://user:s3cret@prom.example:9090/?token=abc"}
	for k, v := range c.summary("type=S3 bucket=b") {
		if strings.Contains(v, "s3cret") || strings.Contains(v, "abc") {
			t.Errorf("summary %s=%q leaks a secret", k, v)
		}
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"15d": 360 * time.Hour, "48h": 48 * time.Hour, "90m": 90 * time.Minute, "0": 0} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-1d", "1w", "1.5d"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) accepted", in)
		}
	}
}
