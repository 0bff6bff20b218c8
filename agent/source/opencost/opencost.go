// Package opencost is the agent source that reads an existing OpenCost (or Kubecost
// cost-model) API, so that free OpenCost users can federate without Prometheus access:
//
//	GET <url>/allocation?window=<startUnix>,<endUnix>&aggregate=&accumulate=true&step=<res>&includeIdle=false
//	    (or /allocation/compute, configurable) → {"code":200,"data":[{name: allocation}, …]}
//	GET <url>/assets?window=<startUnix>,<endUnix>&accumulate=true → {"code":200,"data":{key: asset}}
//
// Contracts:
//   - The OpenCost JSON is read leniently where OpenCost is quirky: computed keys (cpuCores,
//     totalCost, efficiencies, minutes…) are ignored, NaN/Inf emitted as null read as 0, and a
//     window bound emitted as the string "null" is accepted (record windows are not used).
//   - Records are rewritten to the agent's cluster id (OpenCost's own CLUSTER_ID is often
//     "default-cluster"): properties.cluster, default names and PV keys.
//   - Idle rows (__idle__) are dropped: the aggregator computes idle from the assets.
//   - start/end are clipped to the window; negative costs and quantities (not adjustments)
//     become 0 and are logged, since the upload format refuses them.
//   - Both sets empty is source.ErrNoData (OpenCost has nothing for the window, e.g. before
//     its retention), so the agent uploads nothing rather than an empty window.
package opencost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fedcost/fedcost/agent/source"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// Paths of the OpenCost API.
const (
	AllocationPath        = "/allocation"
	AllocationComputePath = "/allocation/compute"
	AssetsPath            = "/assets"
)

// Config configures the source.
type Config struct {
	// URL is the OpenCost API base, e.g. http://opencost.opencost.svc:9003.
	URL string
	// AllocationPath is /allocation (default) or /allocation/compute (older OpenCost).
	AllocationPath string
	// AssetsPath defaults to /assets.
	AssetsPath string
	// Client defaults to an http.Client with Timeout.
	Client *http.Client
	// Timeout of one request; default 2m.
	Timeout time.Duration
	// MaxResponseBytes bounds one response; default 1 GiB.
	MaxResponseBytes int64
}

// Source reads one OpenCost API.
type Source struct {
	base   *url.URL
	cfg    Config
	client *http.Client
	log    *slog.Logger
}

var _ source.Source = (*Source)(nil)

// New validates cfg and returns the source.
func New(cfg Config, log *slog.Logger) (*Source, error) {
	if cfg.URL == "" {
		return nil, errors.New("opencost: the OpenCost URL is required (e.g. http://opencost.opencost.svc:9003)")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("opencost: URL %q: want http(s)://host[:port][/path]", cfg.URL)
	}
	if cfg.AllocationPath == "" {
		cfg.AllocationPath = AllocationPath
	}
	if cfg.AssetsPath == "" {
		cfg.AssetsPath = AssetsPath
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = 1 << 30
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: cfg.Timeout}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{base: u, cfg: cfg, client: client, log: log.With("source", "opencost")}, nil
}

// Name implements source.Source.
func (s *Source) Name() string { return "opencost" }

// Build implements source.Source.
func (s *Source) Build(ctx context.Context, cluster string, r layout.Resolution, w layout.Window) (*cost.AllocationSet, *cost.AssetSet, error) {
	if err := layout.ValidateClusterID(cluster); err != nil {
		return nil, nil, fmt.Errorf("opencost: %w", err)
	}
	win := strconv.FormatInt(w.Start.Unix(), 10) + "," + strconv.FormatInt(w.End.Unix(), 10)
	step := "1h"
	if r == layout.Daily {
		step = "24h"
	}
	aq := url.Values{"window": {win}, "aggregate": {""}, "accumulate": {"true"}, "step": {step}, "includeIdle": {"false"}}
	var allocData []map[string]*ocAllocation
	if err := s.get(ctx, s.cfg.AllocationPath, aq, &allocData); err != nil {
		return nil, nil, err
	}
	var assetData assetsData
	if err := s.get(ctx, s.cfg.AssetsPath, url.Values{"window": {win}, "accumulate": {"true"}}, &assetData); err != nil {
		return nil, nil, err
	}
	cw := cost.NewWindow(w.Start, w.End)
	fix := &fixer{cluster: cluster, window: cw}
	allocs := cost.NewAllocationSet(cw)
	for _, set := range allocData {
		for name, oa := range set {
			if a := fix.allocation(name, oa); a != nil {
				allocs.Insert(a)
			}
		}
	}
	assets := cost.NewAssetSet(cw)
	for _, set := range assetData {
		for key, oa := range set {
			if a := fix.asset(key, oa); a != nil {
				assets.Insert(a.Key(), a)
			}
		}
	}
	if len(fix.notes) > 0 {
		s.log.Warn("adjusted OpenCost records the upload format would refuse", "cluster", cluster, "window", w.String(),
			"count", len(fix.notes), "examples", strings.Join(fix.notes[:min(len(fix.notes), 5)], "; "))
	}
	if allocs.Len() == 0 && len(assets.Assets) == 0 {
		return nil, nil, fmt.Errorf("opencost %s %s: %w", r, w, source.ErrNoData)
	}
	return allocs, assets, nil
}
