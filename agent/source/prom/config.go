package prom

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/fedcost/fedcost/agent/pricing"
	"github.com/fedcost/fedcost/shared/layout"
)

// Config configures the Prometheus source. Zero fields take the defaults named below.
type Config struct {
	// URL is the Prometheus base URL (e.g. http://prometheus-server.monitoring:9090); the
	// source calls <URL>/api/v1/query.
	URL string
	// ClusterLabel and ClusterFilter select one cluster in a Prometheus shared by several:
	// ClusterLabel="cluster_id", ClusterFilter="prod-1" adds cluster_id="prod-1" to every
	// selector. Both empty: no cluster matcher.
	ClusterLabel  string
	ClusterFilter string
	// Pricing prices nodes, volumes, load balancers and cluster management where the OpenCost
	// pricing metrics are absent. Default: pricing.Default().
	Pricing *pricing.Table
	// HTTPClient sends the queries (add auth with its Transport). Default: a client with a
	// QueryTimeout+10s timeout.
	HTTPClient *http.Client
	// MaxSeriesPerQuery bounds the series one chunked query may return: namespaces (or, for
	// one big namespace, groups of pods by the first character of their name) are packed into
	// chunks of at most this many containers. Default 5000.
	MaxSeriesPerQuery int
	// HourlyStep and DailyStep are the resolution at which the window's series are evaluated
	// (the subquery step). Defaults 1m and 5m. Each must divide an hour.
	HourlyStep time.Duration
	DailyStep  time.Duration
	// RateWindow is the range of rate() over CPU counters. Default 5m (never below the step).
	RateWindow time.Duration
	// QueryTimeout is passed to Prometheus as the query timeout. Default 2m.
	QueryTimeout time.Duration
	// Concurrency is the number of queries in flight. Default 2.
	Concurrency int
	// MaxResponseBytes refuses larger query responses. Default 512 MiB.
	MaxResponseBytes int64
	// Now is the clock for the open window. Default time.Now.
	Now func() time.Time
}

// Defaults.
const (
	DefaultMaxSeriesPerQuery = 5000
	DefaultHourlyStep        = time.Minute
	DefaultDailyStep         = 5 * time.Minute
	DefaultRateWindow        = 5 * time.Minute
	DefaultQueryTimeout      = 2 * time.Minute
	DefaultConcurrency       = 2
	DefaultMaxResponseBytes  = 512 << 20
)

// withDefaults returns a copy with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Pricing == nil {
		c.Pricing = pricing.Default()
	}
	if c.MaxSeriesPerQuery <= 0 {
		c.MaxSeriesPerQuery = DefaultMaxSeriesPerQuery
	}
	if c.HourlyStep <= 0 {
		c.HourlyStep = DefaultHourlyStep
	}
	if c.DailyStep <= 0 {
		c.DailyStep = DefaultDailyStep
	}
	if c.RateWindow <= 0 {
		c.RateWindow = DefaultRateWindow
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = DefaultQueryTimeout
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.QueryTimeout + 10*time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports configuration errors, naming the field.
func (c Config) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("prometheus: URL is required"))
	} else if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("prometheus: URL %q: want http(s)://host[:port][/path]", c.URL))
	}
	if (c.ClusterLabel == "") != (c.ClusterFilter == "") {
		errs = append(errs, errors.New("prometheus: ClusterLabel and ClusterFilter must be set together"))
	}
	if c.ClusterLabel != "" && !validLabelName(c.ClusterLabel) {
		errs = append(errs, fmt.Errorf("prometheus: ClusterLabel %q is not a Prometheus label name", c.ClusterLabel))
	}
	for name, s := range map[string]time.Duration{"HourlyStep": c.HourlyStep, "DailyStep": c.DailyStep} {
		if s < 0 || (s > 0 && (s < time.Second || time.Hour%s != 0)) {
			errs = append(errs, fmt.Errorf("prometheus: %s %s must be a whole number of seconds dividing 1h", name, s))
		}
	}
	return errors.Join(errs...)
}

// step returns the evaluation step of resolution r.
func (c Config) step(r layout.Resolution) time.Duration {
	if r == layout.Daily {
		return c.DailyStep
	}
	return c.HourlyStep
}

func validLabelName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
