package api

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/filter"
	"github.com/fedcost/fedcost/functions/query/window"
	"github.com/fedcost/fedcost/shared/cost"
)

// params reads query parameters; every error names the parameter and what it allows.
type params struct{ q url.Values }

func (p params) has(name string) bool { return p.q.Has(name) }
func (p params) str(name string) string {
	return strings.TrimSpace(p.q.Get(name))
}

func (p params) boolean(name string, def bool) (bool, error) {
	s := p.str(name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return false, paramError(name, fmt.Errorf("want true or false, got %q", s))
	}
	return v, nil
}

func (p params) nonNegInt(name string) (int, error) {
	s := p.str(name)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, paramError(name, fmt.Errorf("want a non-negative integer, got %q", s))
	}
	return v, nil
}

func (p params) list(name string) []string {
	var out []string
	for _, v := range strings.Split(p.q.Get(name), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (p params) window(now time.Time) (cost.Window, error) {
	if !p.has("window") || p.str("window") == "" {
		return cost.Window{}, paramError("window", fmt.Errorf("required; accepted forms: %s", window.Accepted))
	}
	w, err := window.Parse(p.q.Get("window"), now)
	if err != nil {
		return cost.Window{}, paramError("window", err)
	}
	return w, nil
}

var stepRE = regexp.MustCompile(`^(\d+)(m|h|d|w)$`)

// duration parses 1d, 6h, 30m, 1w or a Go duration (90m, 1h30m).
func (p params) duration(name string) (time.Duration, error) {
	s := p.str(name)
	if s == "" {
		return 0, nil
	}
	bad := paramError(name, fmt.Errorf("want a positive duration such as 1h, 1d or 1w, got %q", s))
	if m := stepRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		if err != nil || n <= 0 || n > int64(100*365*24*time.Hour/unit) {
			return 0, bad
		}
		return time.Duration(n) * unit, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return d, nil
}

func (p params) accumulate() (engine.Accumulate, error) {
	name := "accumulate"
	if p.str("accumulateBy") != "" {
		name = "accumulateBy"
	}
	acc, err := engine.ParseAccumulate(strings.ToLower(p.str(name)))
	if err != nil {
		return 0, paramError(name, errors.New(strings.TrimPrefix(err.Error(), "unknown accumulate ")))
	}
	return acc, nil
}

func (p params) pagination() (offset, limit int, err error) {
	if offset, err = p.nonNegInt("offset"); err != nil {
		return 0, 0, err
	}
	if limit, err = p.nonNegInt("limit"); err != nil {
		return 0, 0, err
	}
	return offset, limit, nil
}

func (p params) format() (string, error) {
	switch f := strings.ToLower(p.str("format")); f {
	case "", "json":
		return "json", nil
	case "csv":
		return "csv", nil
	default:
		return "", paramError("format", fmt.Errorf("unsupported format %q: allowed are json, csv", f))
	}
}

// v1Filters are the legacy filterX parameters and the v2 fields they stand for.
var v1Filters = []struct{ param, field string }{
	{"filterClusters", "cluster"}, {"filterNodes", "node"}, {"filterNamespaces", "namespace"},
	{"filterControllerKinds", "controllerKind"}, {"filterControllers", "controllerName"},
	{"filterPods", "pod"}, {"filterContainers", "container"}, {"filterServices", "services"},
	{"filterLabels", "label"}, {"filterAnnotations", "annotation"},
}

// allocationFilter parses filter (v2), or, when it is absent, the v1 filterX parameters.
func (p params) allocationFilter(lc cost.LabelConfig) (filter.Node, filter.AllocationMatcher, error) {
	if s := p.q.Get("filter"); strings.TrimSpace(s) != "" {
		n, m, err := filter.ParseAllocation(s, lc)
		if err != nil {
			return nil, nil, paramError("filter", err)
		}
		return n, m, nil
	}
	var and []filter.Node
	for _, f := range v1Filters {
		values := p.list(f.param)
		if len(values) == 0 {
			continue
		}
		var or []filter.Node
		for _, v := range values {
			c := &filter.Comparison{Field: f.field, Op: filter.Equals, Values: []string{v}}
			if f.field == "label" || f.field == "annotation" {
				k, val, ok := strings.Cut(v, ":")
				if !ok {
					return nil, nil, paramError(f.param, fmt.Errorf("want <name>:<value>, got %q", v))
				}
				c.Key, c.Keyed, c.Values = strings.TrimSpace(k), true, []string{strings.TrimSpace(val)}
			}
			if f.field == "controllerName" {
				// v1 controllers may be written kind:name.
				if _, name, ok := strings.Cut(v, ":"); ok {
					c.Values = []string{name}
				}
			}
			or = append(or, c)
		}
		and = append(and, &filter.Or{Children: or})
	}
	if len(and) == 0 {
		return nil, nil, nil
	}
	n := filter.Node(&filter.And{Children: and})
	m, err := filter.CompileAllocation(n, lc)
	if err != nil {
		return nil, nil, paramError("filter", err)
	}
	return n, m, nil
}

func (p params) assetFilter(lc cost.LabelConfig) (filter.AssetMatcher, error) {
	s := p.q.Get("filter")
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	_, m, err := filter.ParseAsset(s, lc)
	if err != nil {
		return nil, paramError("filter", err)
	}
	return m, nil
}
