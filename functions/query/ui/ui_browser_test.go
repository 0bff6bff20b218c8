package ui_test

import (
	"encoding/csv"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUIInBrowser drives every page in headless Chromium over a simulated, ingested fleet and
// checks what it shows against direct calls of the same API.
func TestUIInBrowser(t *testing.T) {
	chromium(t) // before the minutes of simulation and ingest
	f := newFleet(t)
	p := newPage(t, f.url)

	t.Run("allocations", func(t *testing.T) {
		p := p.in(t)
		if st := p.open("#/allocations"); st != "ready" {
			t.Fatalf("allocations page: state %s", st)
		}
		p.noConsoleErrors("allocations page")
		p.screenshot("allocations-1280")
		rows := checkAllocations(t, p, f.url, "7d", "cluster", "", "separate")
		names := []string{}
		for _, r := range rows {
			names = append(names, r.Name)
		}
		for _, c := range []string{"sim-0001", "sim-0002", "sim-0003", "sim-0004", "__idle__"} {
			if !slices.Contains(names, c) {
				t.Errorf("cluster table lacks %s: %v", c, names)
			}
		}
		if n := bars(p); n != 7 { // 7d: six closed days and today's open one
			t.Errorf("chart has %d bars for 7d, want 7", n)
		}
		if l := legend(p); !slices.Contains(l, "sim-0004") {
			t.Errorf("legend %v lacks the clusters", l)
		}
	})

	t.Run("aggregation", func(t *testing.T) {
		p := p.in(t)
		p.click(`button[data-aggregate="namespace"]`)
		if got := hashParam(p, "aggregate"); got != "cluster,namespace" {
			t.Fatalf("aggregate %q after adding namespace", got)
		}
		rows := checkAllocations(t, p, f.url, "7d", "cluster,namespace", "", "separate")
		if len(rows) == 0 || !strings.Contains(rows[0].Name, "/") {
			t.Errorf("cluster,namespace rows are not cluster/namespace: %v", rows)
		}
		p.click(`button[data-aggregate="cluster"]`)
		checkAllocations(t, p, f.url, "7d", "namespace", "", "separate")
		if l := legend(p); !slices.Contains(l, "kube-system") || slices.Contains(l, "sim-0004") {
			t.Errorf("legend %v does not follow the namespace aggregation", l)
		}
		// A label typed by the user.
		p.act(`(() => { const i = document.getElementById("aggregate-custom"); i.value = "label:team"; i.dispatchEvent(new Event("change")); })()`)
		rows = checkAllocations(t, p, f.url, "7d", "namespace,label:team", "", "separate")
		if len(rows) < 2 {
			t.Errorf("namespace,label:team gave %d rows", len(rows))
		}
		p.noConsoleErrors("aggregation")
	})

	t.Run("window", func(t *testing.T) {
		p := p.in(t)
		p.goTo("#/allocations?aggregate=namespace")
		p.act(`(() => { const s = document.getElementById("window"); s.value = "30d"; s.dispatchEvent(new Event("change")); })()`)
		if got := hashParam(p, "window"); got != "30d" {
			t.Fatalf("window %q after choosing 30d", got)
		}
		checkAllocations(t, p, f.url, "30d", "namespace", "", "separate")
		if n := bars(p); n != 9 {
			t.Errorf("chart has %d bars for 30d, want the 8 simulated days and today", n)
		}
		// Today: hourly bars.
		p.act(`(() => { const s = document.getElementById("window"); s.value = "today"; s.dispatchEvent(new Event("change")); })()`)
		checkAllocations(t, p, f.url, "today", "namespace", "", "separate")
		if n, want := bars(p), f.now.Hour()+1; n != want {
			t.Errorf("chart has %d bars for today, want %d hours", n, want)
		}
		// A custom range of two days: [from, to] inclusive.
		from := f.now.AddDate(0, 0, -3).Format("2006-01-02")
		to := f.now.AddDate(0, 0, -2).Format("2006-01-02")
		p.act(`(() => { const s = document.getElementById("window"); s.value = "custom"; s.dispatchEvent(new Event("change"));
			document.getElementById("window-from").value = "` + from + `"; document.getElementById("window-to").value = "` + to + `";
			document.getElementById("window-apply").click(); })()`)
		want := from + "T00:00:00Z," + f.now.AddDate(0, 0, -1).Format("2006-01-02") + "T00:00:00Z"
		if got := hashParam(p, "window"); got != want {
			t.Fatalf("custom window %q, want %q", got, want)
		}
		checkAllocations(t, p, f.url, want, "namespace", "", "separate")
		if got := eval[string](p, `document.getElementById("window-range").textContent`); got != from+" – "+to {
			t.Errorf("custom window shown as %q, want %q", got, from+" – "+to)
		}
		if n := bars(p); n < 2 {
			t.Errorf("chart has %d bars for a two-day custom range", n)
		}
		p.screenshot("allocations-custom-1280")
		p.noConsoleErrors("window")
	})

	t.Run("filter", func(t *testing.T) {
		p := p.in(t)
		p.goTo("#/allocations?window=7d&aggregate=namespace")
		p.act(`(() => { document.getElementById("filter").value = 'namespace:"kube-system","monitoring"'; document.getElementById("filter-apply").click(); })()`)
		rows := checkAllocations(t, p, f.url, "7d", "namespace", `namespace:"kube-system","monitoring"`, "separate")
		for _, r := range rows {
			if r.Name != "kube-system" && r.Name != "monitoring" && r.Name != "__idle__" {
				t.Errorf("filtered table shows %q", r.Name)
			}
		}
		if l := legend(p); slices.Contains(l, "checkout") {
			t.Errorf("chart legend %v ignores the filter", l)
		}
		p.noConsoleErrors("filter")

		bad := `namespace:kube-system`
		if st := p.act(`(() => { document.getElementById("filter").value = '` + bad + `'; document.getElementById("filter-apply").click(); })()`); st != "error" {
			t.Errorf("bad filter: state %s, want error", st)
		}
		code, msg := apiError(t, f.url, "/model/allocation/summary", allocQuery("7d", "namespace", bad, "separate"))
		if code != 400 || msg == "" {
			t.Fatalf("API answers the bad filter with %d %q", code, msg)
		}
		shown := eval[string](p, `(() => { const e = document.getElementById("filter-error"); return e.hidden ? "" : e.textContent; })()`)
		if shown != msg {
			t.Errorf("inline filter error %q, API says %q", shown, msg)
		}
		p.screenshot("allocations-bad-filter-1280")
		// The browser logs both failed requests (table and chart); nothing else may be logged.
		failed := func(m chromedp.ConsoleMessage) bool { return m.Source == "network" && strings.Contains(m.Text, "400") }
		p.waitConsole(2, failed)
		if errs := p.problems(failed); len(errs) > 0 {
			t.Errorf("bad filter: console errors %v", errs)
		}
	})

	t.Run("idle", func(t *testing.T) {
		p := p.in(t)
		p.goTo("#/allocations?window=7d&aggregate=cluster")
		p.act(`(() => { const s = document.getElementById("idle"); s.value = "share"; s.dispatchEvent(new Event("change")); })()`)
		rows := checkAllocations(t, p, f.url, "7d", "cluster", "", "share")
		if eval[int](p, `document.querySelectorAll('#alloc-table th button[data-sort="idle"]').length`) != 1 {
			t.Error("shared idle: no Idle column")
		}
		for _, r := range rows {
			if strings.Contains(r.Name, "__idle__") {
				t.Errorf("shared idle still shows %s", r.Name)
			}
		}
		p.act(`(() => { const s = document.getElementById("idle"); s.value = "hide"; s.dispatchEvent(new Event("change")); })()`)
		checkAllocations(t, p, f.url, "7d", "cluster", "", "hide")
		p.act(`(() => { const s = document.getElementById("idle"); s.value = "split"; s.dispatchEvent(new Event("change")); })()`)
		rows = checkAllocations(t, p, f.url, "7d", "cluster", "", "split")
		if !slices.ContainsFunc(rows, func(r tableRow) bool { return r.Name == "sim-0001/__idle__" }) {
			t.Errorf("split idle rows missing: %v", rows)
		}
		p.noConsoleErrors("idle")
	})

	t.Run("sort", func(t *testing.T) {
		p := p.in(t)
		p.goTo("#/allocations?window=7d&aggregate=namespace")
		p.click(`#alloc-table th button[data-sort="name"]`)
		rows := eval[[]tableRow](p, tableRowsJS)
		names := make([]string, len(rows))
		for i, r := range rows {
			names[i] = r.Name
		}
		if !sort.SliceIsSorted(names, func(i, j int) bool { return names[i] > names[j] }) {
			t.Errorf("name sort (descending first) gave %v", names)
		}
		p.noConsoleErrors("sort")
	})

	t.Run("drilldown", func(t *testing.T) {
		p := p.in(t)
		p.goTo("#/allocations?window=7d&aggregate=cluster")
		cluster := eval[string](p, `document.querySelector("#alloc-table tbody tr.drill td").textContent`)
		p.click(`#alloc-table tbody tr.drill`)
		wantFilter := `cluster:"` + cluster + `"`
		if a, fl := hashParam(p, "aggregate"), hashParam(p, "filter"); a != "namespace" || fl != wantFilter {
			t.Fatalf("drill into %s: aggregate %q filter %q", cluster, a, fl)
		}
		checkAllocations(t, p, f.url, "7d", "namespace", wantFilter, "separate")
		ns := eval[string](p, `document.querySelector("#alloc-table tbody tr.drill td").textContent`)
		p.click(`#alloc-table tbody tr.drill`)
		wantFilter += `+namespace:"` + ns + `"`
		if a, fl := hashParam(p, "aggregate"), hashParam(p, "filter"); a != "controller" || fl != wantFilter {
			t.Fatalf("drill into %s: aggregate %q filter %q", ns, a, fl)
		}
		checkAllocations(t, p, f.url, "7d", "controller", wantFilter, "separate")
		p.click(`#alloc-table tbody tr.drill`)
		if a := hashParam(p, "aggregate"); a != "pod" {
			t.Fatalf("drill from controller: aggregate %q", a)
		}
		checkAllocations(t, p, f.url, "7d", "pod", hashParam(p, "filter"), "separate")
		if n := eval[int](p, `document.querySelectorAll("#alloc-table tbody tr.drill").length`); n != 0 {
			t.Errorf("pods are the finest level, yet %d rows drill further", n)
		}
		// The browser's back button returns to the previous level.
		p.act(`history.back()`)
		if a := hashParam(p, "aggregate"); a != "controller" {
			t.Errorf("back: aggregate %q", a)
		}
		p.noConsoleErrors("drilldown")
	})

	t.Run("csv", func(t *testing.T) {
		p := p.in(t)
		p.goTo("#/allocations?window=7d&aggregate=namespace&idle=share&sort=cpu&dir=desc")
		got := p.download("#download-csv")
		if exposed := eval[string](p, `window.fedcostLastCSV`); got != exposed {
			t.Errorf("downloaded CSV differs from the page's CSV")
		}
		recs, err := csv.NewReader(strings.NewReader(got)).ReadAll()
		if err != nil {
			t.Fatalf("CSV: %v\n%s", err, got)
		}
		header := eval[[]string](p, `[...document.querySelectorAll("#alloc-table thead th")].map(th => th.textContent.replace(/ [▲▼]$/, ""))`)
		if !slices.Equal(recs[0], header) {
			t.Errorf("CSV header %v, table header %v", recs[0], header)
		}
		cells := eval[[][]string](p, `[...document.querySelectorAll("#alloc-table tbody tr")].map(tr => [...tr.cells].map((td, i) => i === 0 ? td.textContent : td.dataset.value))`)
		if len(recs)-1 != len(cells) {
			t.Fatalf("CSV has %d rows, table %d", len(recs)-1, len(cells))
		}
		for i, row := range cells {
			if !slices.Equal(recs[i+1], row) {
				t.Errorf("CSV row %d %v, table row %v", i, recs[i+1], row)
			}
		}
		p.noConsoleErrors("csv")
	})

	t.Run("long table", func(t *testing.T) {
		p := p.in(t)
		p.goTo("#/allocations?window=30d&aggregate=pod&rows=100")
		rows := checkAllocations(t, p, f.url, "30d", "pod", "", "separate") // totals cover every row
		if len(rows) != 100 {
			t.Fatalf("rows=100 renders %d rows", len(rows))
		}
		all := len(getAPI[summary](t, f.url, "/model/allocation/summary", url.Values{"window": {"30d"}, "aggregate": {"pod"}, "accumulate": {"true"}}).Sets[0].Allocations)
		if csvRows := eval[int](p, `window.fedcostLastCSV.trim().split("\n").length - 1`); csvRows != all {
			t.Errorf("CSV of a long table has %d rows, want all %d", csvRows, all)
		}
		eval[chromedp.Void](p, `document.querySelector("#alloc-table button.show-all").click()`)
		if n := len(checkAllocations(t, p, f.url, "30d", "pod", "", "separate")); n != all {
			t.Errorf("show all: %d rows, want %d", n, all)
		}
		p.noConsoleErrors("long table")
	})

	t.Run("assets", func(t *testing.T) {
		p := p.in(t)
		if st := p.open("#/assets?window=7d"); st != "ready" {
			t.Fatalf("assets page: state %s", st)
		}
		p.noConsoleErrors("assets page")
		p.screenshot("assets-1280")
		want := getAPI[struct {
			TotalCost float64 `json:"totalCost"`
		}](t, f.url, "/model/assets/topline", url.Values{"window": {"7d"}}).TotalCost
		if got := eval[float64](p, `Number(document.getElementById("assets-total").dataset.value)`); math.Abs(got-want) > 0.001 {
			t.Errorf("assets total %.6f, API topline %.6f", got, want)
		}
		nodes := getAPI[[]map[string]any](t, f.url, "/model/assets", url.Values{"window": {"7d"}, "filter": {`assetType:"node"`}, "accumulate": {"true"}})
		if got := eval[int](p, `document.querySelectorAll("#node-table tbody tr").length`); len(nodes) != 1 || got != len(nodes[0]) {
			t.Errorf("node table has %d rows, API %d nodes", got, len(nodes[0]))
		}
		if eval[int](p, `[...document.querySelectorAll('#node-table td[data-key="idle"]')].filter(td => Number(td.dataset.value) > 0).length`) == 0 {
			t.Error("no node shows idle cost")
		}
		for _, group := range []string{"cluster", "provider", "category", "account", "type"} {
			p.act(`(() => { const s = document.getElementById("group"); s.value = "` + group + `"; s.dispatchEvent(new Event("change")); })()`)
			api := getAPI[[]map[string]struct {
				TotalCost float64 `json:"totalCost"`
			}](t, f.url, "/model/assets", url.Values{"window": {"7d"}, "aggregate": {group}, "accumulate": {"true"}})
			rows := eval[[]tableRow](p, `[...document.querySelectorAll("#asset-table tbody tr")].map(tr => ({name: tr.cells[0].textContent, total: tr.querySelector('td[data-key="total"]').dataset.value}))`)
			if len(api) != 1 || len(rows) != len(api[0]) {
				t.Errorf("assets by %s: %d rows, API %v", group, len(rows), api)
				continue
			}
			for _, r := range rows {
				v, _ := strconv.ParseFloat(r.Total, 64)
				key := r.Name
				if key == "(none)" { // the page's name for assets without the property
					key = ""
				}
				if a, ok := api[0][key]; !ok || math.Abs(a.TotalCost-v) > 1e-6 {
					t.Errorf("assets by %s: row %q %s, API %v", group, r.Name, r.Total, a.TotalCost)
				}
			}
			if group == "cluster" && len(rows) != 4 {
				t.Errorf("assets by cluster: %v", rows)
			}
		}
		p.noConsoleErrors("assets groups")
	})

	t.Run("clusters", func(t *testing.T) {
		p := p.in(t)
		if st := p.open("#/clusters"); st != "ready" {
			t.Fatalf("clusters page: state %s", st)
		}
		p.noConsoleErrors("clusters page")
		p.screenshot("clusters-1280")
		if got := eval[string](p, `document.getElementById("sum-stale").textContent`); got != "1" {
			t.Errorf("stale count %q", got)
		}
		if !eval[bool](p, `!!document.querySelector('tr[data-cluster="`+f.stale+`"].stale [data-flag="stale"]')`) {
			t.Errorf("%s is not flagged stale", f.stale)
		}
		if n := eval[int](p, `document.querySelectorAll('#cluster-table [data-flag="stale"]').length`); n != 1 {
			t.Errorf("%d clusters flagged stale, want 1", n)
		}
		if !eval[bool](p, `!!document.querySelector('tr[data-cluster="`+f.quarantine+`"] [data-flag="quarantined"]')`) {
			t.Errorf("%s is not flagged as having quarantined uploads", f.quarantine)
		}
		if got := eval[string](p, `document.getElementById("sum-duplicates").textContent`); got != "1" {
			t.Errorf("duplicate count %q", got)
		}
		if !eval[bool](p, `!!document.querySelector('tr[data-cluster="`+f.duplicate+`"] [data-flag="duplicate"]') && !!document.getElementById("duplicate-warning")`) {
			t.Errorf("%s is not flagged as a duplicate id", f.duplicate)
		}
		q := eval[[][]string](p, `[...document.querySelectorAll("#quarantine-table tbody tr")].map(tr => [...tr.cells].map(td => td.textContent))`)
		if len(q) != 1 || q[0][0] != f.quarantine || q[0][1] != f.badKey || !strings.Contains(q[0][2], "gzip") {
			t.Errorf("quarantine table %v, want %s %s (not gzip)", q, f.quarantine, f.badKey)
		}
		// A cluster row opens that cluster's allocations.
		p.click(`tr[data-cluster="sim-0003"]`)
		if fl := hashParam(p, "filter"); fl != `cluster:"sim-0003"` {
			t.Errorf("cluster row opened filter %q", fl)
		}
		p.noConsoleErrors("cluster link")
	})

	t.Run("narrow", func(t *testing.T) {
		p := p.in(t)
		p.do(chromedp.EmulateViewport(400, 860))
		for _, v := range []struct{ name, hash string }{
			{"allocations-400", "#/allocations?window=7d&aggregate=namespace"},
			{"assets-400", "#/assets?window=7d"},
			{"clusters-400", "#/clusters"},
		} {
			if st := p.open(v.hash); st != "ready" {
				t.Fatalf("%s: state %s", v.name, st)
			}
			// Wide tables scroll inside their box; the page itself must not scroll sideways.
			if w := eval[int](p, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
				t.Errorf("%s: page is %dpx wider than the 400px screen", v.name, w)
			}
			p.screenshot(v.name)
			p.noConsoleErrors(v.name)
		}
		p.do(chromedp.EmulateViewport(1280, 800))
	})
}
