package api

import (
	"net/http"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
)

type assetQuery struct {
	window     cost.Window
	opts       engine.AssetOptions
	accumulate engine.Accumulate
	offset     int
	limit      int
	format     string
}

func parseAssetQuery(p params, s *server) (*assetQuery, error) {
	q := &assetQuery{}
	var err error
	if q.window, err = p.window(s.opts.Now().UTC()); err != nil {
		return nil, err
	}
	q.opts.LabelConfig = s.opts.LabelConfig
	if agg := p.list("aggregate"); len(agg) > 0 {
		if err := engine.ValidateAssetAggregateBy(agg); err != nil {
			return nil, paramError("aggregate", err)
		}
		q.opts.AggregateBy = agg
	}
	if q.accumulate, err = p.accumulate(); err != nil {
		return nil, err
	}
	if q.opts.DisableAdjustments, err = p.boolean("disableAdjustments", false); err != nil {
		return nil, err
	}
	if q.opts.Filter, err = p.assetFilter(s.opts.LabelConfig); err != nil {
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

func (s *server) queryAssets(r *http.Request, fl flavor) (*assetQuery, []*cost.AssetSet, error) {
	q, err := parseAssetQuery(params{r.URL.Query()}, s)
	if err != nil {
		return nil, nil, err
	}
	if fl == openCost {
		q.accumulate = engine.AccumulateAll
	}
	hourly, daily := s.src.Coverage()
	res := source.ChooseResolution(q.window, hourly, daily, foldsDaily(q.accumulate, 0))
	sets, err := s.src.AssetSets(r.Context(), source.AssetQuery{Window: q.window, Resolution: res})
	if err != nil {
		return nil, nil, err
	}
	out := make([]*cost.AssetSet, len(sets))
	for i, set := range sets {
		if err := r.Context().Err(); err != nil {
			return nil, nil, err
		}
		out[i] = engine.AggregateAssetSet(set, &q.opts)
	}
	return q, engine.AccumulateAssetSets(out, q.accumulate), nil
}

// assets serves /model/assets ({"data":[{key:asset}…]}) and OpenCost /assets (data is one
// set for the whole window).
func (s *server) assets(fl flavor) handlerFunc {
	return func(r *http.Request) (response, error) {
		q, sets, err := s.queryAssets(r, fl)
		if err != nil {
			return nil, err
		}
		if q.format == "csv" {
			return assetCSV(sets, q.offset, q.limit), nil
		}
		if fl == openCost {
			if len(sets) == 0 {
				return jsonData("{}"), nil
			}
			return stream(func(b []byte, flush func([]byte) []byte) []byte {
				return appendAssetSet(b, sets[0], engine.Page(engine.SortedAssets(sets[0]), q.offset, q.limit), flush)
			}), nil
		}
		return stream(func(b []byte, flush func([]byte) []byte) []byte {
			b = append(b, '[')
			for i, set := range sets {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendAssetSet(b, set, engine.Page(engine.SortedAssets(set), q.offset, q.limit), flush)
			}
			return append(b, ']')
		}), nil
	}
}

// assetsTopline serves /model/assets/topline: {"totalCost":…,"adjustment":…,"numResults":N}.
func (s *server) assetsTopline(r *http.Request) (response, error) {
	_, sets, err := s.queryAssets(r, kubecost)
	if err != nil {
		return nil, err
	}
	sets = engine.AccumulateAssetSets(sets, engine.AccumulateAll)
	var totalCost, adj float64
	n := 0
	for _, set := range sets {
		for _, a := range set.Assets {
			n++
			totalCost += a.TotalCost()
			adj += a.Adjustment
		}
	}
	w := &fw{b: []byte{'{'}, first: true}
	w.anum("totalCost", totalCost)
	w.anum("adjustment", adj)
	w.key("numResults")
	w.b = appendInt(w.b, int64(n))
	return jsonData(append(w.b, '}')), nil
}
