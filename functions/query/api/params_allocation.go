package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/shared/cost"
)

// allocationQuery is a parsed allocation request.
type allocationQuery struct {
	window     cost.Window
	opts       engine.Options
	accumulate engine.Accumulate
	step       time.Duration
	offset     int
	limit      int
	format     string
}

// ignoredBools are accepted for compatibility and validated, but have no effect: reconciliation
// and tenancy sharing happen at ingest, and shared-cost breakdowns are not produced.
var ignoredBools = []string{"reconcile", "shareTenancyCosts", "includeSharedCostBreakdown", "includeProportionalAssetResourceCosts", "includeAggregatedMetadata", "sharelb"}

// parseAllocationQuery reads the Kubecost /model/allocation parameters (openCost: the OpenCost
// /allocation defaults: idle off unless includeIdle, one set for the window unless step or
// accumulate say otherwise).
func parseAllocationQuery(p params, now time.Time, lc cost.LabelConfig, openCost bool) (*allocationQuery, error) {
	q := &allocationQuery{}
	var err error
	if q.window, err = p.window(now); err != nil {
		return nil, err
	}
	o := &q.opts
	o.LabelConfig, o.Now = lc, now
	if agg := p.list("aggregate"); len(agg) > 0 {
		if err := engine.ValidateAggregateBy(agg); err != nil {
			return nil, paramError("aggregate", err)
		}
		o.AggregateBy = agg
	}
	if q.accumulate, err = p.accumulate(); err != nil {
		return nil, err
	}
	if q.step, err = p.duration("step"); err != nil {
		return nil, err
	}
	if openCost && q.step == 0 && !p.has("accumulate") && !p.has("accumulateBy") {
		q.accumulate = engine.AccumulateAll
	}
	idleName, idleDefault := "idle", !openCost
	if !p.has("idle") && p.has("includeIdle") {
		idleName = "includeIdle"
	}
	if o.IncludeIdle, err = p.boolean(idleName, idleDefault); err != nil {
		return nil, err
	}
	if o.ShareIdle, err = shareIdle(p); err != nil {
		return nil, err
	}
	if openCost && !o.IncludeIdle {
		o.ShareIdle = false // OpenCost only computes idle with includeIdle, so there is none to share
	}
	for name, dst := range map[string]*bool{"splitIdle": &o.SplitIdle, "idleByNode": &o.IdleByNode, "external": &o.IncludeExternal} {
		if *dst, err = p.boolean(name, false); err != nil {
			return nil, err
		}
	}
	for _, name := range ignoredBools {
		if _, err := p.boolean(name, true); err != nil {
			return nil, err
		}
	}
	if cm := p.str("costMetric"); cm != "" && cm != "cumulative" {
		return nil, paramError("costMetric", fmt.Errorf("%q is not supported: allowed is cumulative", cm))
	}
	if o.FilterNode, o.Filter, err = p.allocationFilter(lc); err != nil {
		return nil, err
	}
	if err := parseSharing(p, o); err != nil {
		return nil, err
	}
	if q.offset, q.limit, err = p.pagination(); err != nil {
		return nil, err
	}
	if q.format, err = p.format(); err != nil {
		return nil, err
	}
	return q, nil
}

// shareIdle accepts a boolean or the legacy weighted/even (even is not supported for idle
// and means false, as in OpenCost).
func shareIdle(p params) (bool, error) {
	switch strings.ToLower(p.str("shareIdle")) {
	case "weighted":
		return true, nil
	case "even":
		return false, nil
	}
	return p.boolean("shareIdle", false)
}

func parseSharing(p params, o *engine.Options) error {
	o.ShareNamespaces = p.list("shareNamespaces")
	for _, lv := range p.list("shareLabels") {
		k, v, ok := strings.Cut(lv, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return paramError("shareLabels", fmt.Errorf("want <label>:<value>[,…], got %q", lv))
		}
		o.ShareLabels = append(o.ShareLabels, engine.LabelValue{Key: cost.SanitizeLabelName(strings.TrimSpace(k)), Value: strings.TrimSpace(v)})
	}
	if s := p.str("shareCost"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || v != v || v > 1e15 {
			return paramError("shareCost", fmt.Errorf("want a non-negative monthly cost, got %q", s))
		}
		o.SharedHourlyCost = v / cost.HoursPerMonth
	}
	split, err := engine.ParseShareSplit(strings.ToLower(p.str("shareSplit")))
	if err != nil {
		return paramError("shareSplit", fmt.Errorf("%q is not allowed: allowed are weighted, even", p.str("shareSplit")))
	}
	o.ShareSplit = split
	return nil
}

// preferDaily reports whether the query folds by a day or longer.
func (q *allocationQuery) preferDaily() bool {
	return foldsDaily(q.accumulate, q.step)
}

func foldsDaily(acc engine.Accumulate, step time.Duration) bool {
	switch acc {
	case engine.AccumulateAll, engine.AccumulateDay, engine.AccumulateWeek, engine.AccumulateMonth, engine.AccumulateQuarter:
		return true
	}
	return step >= 24*time.Hour && step%(24*time.Hour) == 0
}
