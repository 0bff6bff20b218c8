package ui_test

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// What the browser test reads from the page and compares with direct API calls.

type tableRow struct {
	Name  string `json:"name"`
	Total string `json:"total"`
}

type summary struct {
	Sets []struct {
		Allocations map[string]struct {
			TotalCost float64 `json:"totalCost"`
		} `json:"allocations"`
	} `json:"sets"`
}

type topline struct {
	Combined struct {
		Allocations struct {
			Total struct {
				TotalCost float64 `json:"totalCost"`
			} `json:"total"`
		} `json:"allocations"`
	} `json:"combined"`
}

// allocQuery is what the allocations page asks the API for a view.
func allocQuery(window, aggregate, filter, idle string) url.Values {
	q := url.Values{"window": {window}, "aggregate": {aggregate}, "idle": {"true"}}
	if filter != "" {
		q.Set("filter", filter)
	}
	switch idle {
	case "share":
		q.Set("shareIdle", "true")
	case "split":
		q.Set("splitIdle", "true")
	case "hide":
		q.Set("idle", "false")
	}
	return q
}

func near(a, b float64) bool { return math.Abs(a-b) <= 0.001+1e-9*math.Abs(b) }

const tableRowsJS = `[...document.querySelectorAll("#alloc-table tbody tr")].filter(tr => !tr.querySelector("td.empty") && !tr.classList.contains("more"))
  .map(tr => ({name: tr.cells[0].textContent, total: tr.querySelector('td[data-key="total"]').dataset.value}))`

// checkAllocations compares the page's total and rows with direct API calls for the same view.
func checkAllocations(t *testing.T, p *page, base, window, aggregate, filter, idle string) []tableRow {
	t.Helper()
	q := allocQuery(window, aggregate, filter, idle)
	want := getAPI[topline](t, base, "/model/allocation/summary/topline", q).Combined.Allocations.Total.TotalCost
	got := eval[float64](p, `Number(document.getElementById("total-cost").dataset.value)`)
	if !near(got, want) {
		t.Errorf("%s by %s filter %q idle %s: page total %.5f, API topline %.5f", window, aggregate, filter, idle, got, want)
	}
	if text := eval[string](p, `document.getElementById("total-cost").textContent`); !strings.HasPrefix(text, "€") {
		t.Errorf("total %q is not in the configured currency €", text)
	}
	q.Set("accumulate", "true")
	api := getAPI[summary](t, base, "/model/allocation/summary", q)
	wantRows := map[string]float64{}
	for _, s := range api.Sets {
		for name, a := range s.Allocations {
			wantRows[name] += a.TotalCost
		}
	}
	rows := eval[[]tableRow](p, tableRowsJS)
	more := eval[bool](p, `!!document.querySelector("#alloc-table tr.more")`) // "Show all" pending
	if (!more && len(rows) != len(wantRows)) || (more && len(rows) >= len(wantRows)) {
		t.Errorf("%s by %s: %d table rows (more: %v), API has %d", window, aggregate, len(rows), more, len(wantRows))
	}
	for _, r := range rows {
		v, _ := strconv.ParseFloat(r.Total, 64)
		if w, ok := wantRows[r.Name]; !ok || !near(v, w) {
			t.Errorf("%s by %s: row %q total %s, API %v (present %v)", window, aggregate, r.Name, r.Total, w, ok)
		}
	}
	return rows
}

func legend(p *page) []string {
	return eval[[]string](p, `[...document.querySelectorAll(".legend-name")].map(e => e.textContent)`)
}

func bars(p *page) int {
	return eval[int](p, `new Set([...document.querySelectorAll("svg.chart-svg rect")].map(r => r.getAttribute("x"))).size`)
}

func hashParam(p *page, name string) string {
	h := eval[string](p, `location.hash`)
	_, qs, _ := strings.Cut(h, "?")
	v, _ := url.ParseQuery(qs)
	return v.Get(name)
}
