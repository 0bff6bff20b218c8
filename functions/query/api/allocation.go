package api

import (
	"net/http"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/cost"
)

// queryAllocations parses the request, reads the sets and runs the engine.
func (s *server) queryAllocations(r *http.Request, fl flavor) (*allocationQuery, []*engine.Set, error) {
	ctx := r.Context()
	q, err := parseAllocationQuery(params{r.URL.Query()}, s.opts.Now().UTC(), s.opts.LabelConfig, fl == openCost)
	if err != nil {
		return nil, nil, err
	}
	q.opts.Memo = s.memo
	hourly, daily := s.src.Coverage()
	res := source.ChooseResolution(q.window, hourly, daily, q.preferDaily())
	aq := source.AllocationQuery{Window: q.window, Resolution: res, Needs: q.opts.Needs()}
	if cl, ok := q.opts.Clusters(); ok {
		aq.Clusters = cl
	}
	if keys, ok := q.opts.LabelKeys(); ok {
		aq.LabelKeys = keys
	}
	var refs []engine.SetRef
	if rs, ok := s.src.(source.RefSource); ok {
		refs, err = rs.AllocationSetRefs(ctx, aq)
	} else {
		var sets []*cost.AllocationSet
		sets, err = s.src.AllocationSets(ctx, aq)
		refs = engine.Refs(sets)
	}
	if err != nil {
		return nil, nil, err
	}
	results, err := engine.QueryRefs(ctx, refs, &q.opts, engine.Fold{Accumulate: q.accumulate, StepStart: q.window.Start, Step: q.step})
	if err != nil {
		return nil, nil, err
	}
	return q, results, nil
}

// allocation serves /model/allocation and /allocation: {"code":200,"data":[{name:alloc}…]}.
func (s *server) allocation(fl flavor) handlerFunc {
	return func(r *http.Request) (response, error) {
		q, results, err := s.queryAllocations(r, fl)
		if err != nil {
			return nil, err
		}
		if q.format == "csv" {
			return allocationCSV(results, q.offset, q.limit), nil
		}
		return stream(func(b []byte, flush func([]byte) []byte) []byte {
			b = append(b, '[')
			for i, set := range results {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendAllocationSet(b, set, engine.Page(set.Sorted(), q.offset, q.limit), flush)
			}
			return append(b, ']')
		}), nil
	}
}

// allocationSummary serves the summary paths:
// {"code":200,"data":{"step":<ns>,"sets":[{"allocations":{…},"window":{…}}],"window":{…}}}.
func (s *server) allocationSummary(fl flavor) handlerFunc {
	return func(r *http.Request) (response, error) {
		q, results, err := s.queryAllocations(r, fl)
		if err != nil {
			return nil, err
		}
		if q.format == "csv" {
			return allocationCSV(results, q.offset, q.limit), nil
		}
		var step int64
		if len(results) > 0 {
			step = int64(results[0].Window.Duration())
		}
		return stream(func(b []byte, flush func([]byte) []byte) []byte {
			b = append(b, `{"step":`...)
			b = appendInt(b, step)
			b = append(b, `,"sets":[`...)
			for i, set := range results {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"allocations":{`...)
				for j, a := range engine.Page(set.Sorted(), q.offset, q.limit) {
					b = appendKey(b, a.Name, j == 0)
					b = flush(appendSummary(b, a, set.Idle[a.Name]))
				}
				b = append(b, `},"window":`...)
				b = appendWindow(b, set.Window)
				b = append(b, '}')
			}
			b = append(b, `],"window":`...)
			b = appendWindow(b, q.window)
			return append(b, '}')
		}), nil
	}
}

// allocationTopline serves /model/allocation/summary/topline: the whole window in one total,
// {"numResults":N,"combined":{"allocations":{"total":{…}},"window":{…}}}.
func (s *server) allocationTopline(r *http.Request) (response, error) {
	q, results, err := s.queryAllocations(r, kubecost)
	if err != nil {
		return nil, err
	}
	results = engine.AccumulateSets(results, engine.AccumulateAll)
	total := &cost.Allocation{Name: "total"}
	var idle cost.ResourceTotals
	n := 0
	first := true
	for _, set := range results {
		for _, a := range set.Allocations {
			n++
			if first {
				c := a.Clone()
				c.Name, c.Properties = "total", &cost.AllocationProperties{}
				total, first = c, false
			} else {
				engine.Add(total, a)
			}
			i := set.Idle[a.Name]
			idle.CPU, idle.GPU, idle.RAM = idle.CPU+i.CPU, idle.GPU+i.GPU, idle.RAM+i.RAM
		}
	}
	b := append([]byte(`{"numResults":`), appendInt(nil, int64(n))...)
	b = append(b, `,"combined":{"allocations":{"total":`...)
	b = appendSummary(b, total, idle)
	b = append(b, `},"window":`...)
	b = appendWindow(b, q.window)
	return jsonData(append(b, "}}"...)), nil
}
