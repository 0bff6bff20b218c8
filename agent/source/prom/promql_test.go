package prom

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestScopeSelector(t *testing.T) {
	t.Parallel()
	cl := []matcher{{"cluster_id", "=", "prod-1"}}
	tests := []struct {
		name      string
		s         scope
		podScoped bool
		extra     []matcher
		want      string
	}{
		{"bare", scope{}, true, nil, `m{}`},
		{"cluster", scope{cluster: cl}, true, nil, `m{cluster_id="prod-1"}`},
		{"one namespace", scope{cluster: cl, chunk: chunk{Namespaces: []string{"web"}}}, true, nil, `m{cluster_id="prod-1",namespace="web"}`},
		{"namespaces quoted", scope{chunk: chunk{Namespaces: []string{"a.b", "c"}}}, true, nil, `m{namespace=~"a\\.b|c"}`},
		{"pod prefixes", scope{chunk: chunk{Namespaces: []string{"big"}, PodFirst: []string{"a", "b"}}}, true, nil, `m{namespace="big",pod=~"(?:a|b).*"}`},
		{"pod prefixes skipped without pod label", scope{chunk: chunk{Namespaces: []string{"big"}, PodFirst: []string{"a"}}}, false, nil, `m{namespace="big"}`},
		{"extra", scope{cluster: cl}, false, []matcher{{"resource", "=~", "cpu|memory"}, {"container", "!=", "POD"}}, `m{cluster_id="prod-1",resource=~"cpu|memory",container!="POD"}`},
		{"value escaping", scope{cluster: []matcher{{"cluster", "=", `a"b\c`}}}, false, nil, `m{cluster="a\"b\\c"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.sel("m", tt.podScoped, tt.extra...); got != tt.want {
				t.Errorf("sel = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPlanChunks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		units []unitCount
		max   int
		want  []chunk
	}{
		{"empty", nil, 10, nil},
		{"packed in name order", []unitCount{{"b", "x", 3}, {"a", "x", 4}, {"c", "x", 3}}, 10,
			[]chunk{{Namespaces: []string{"a", "b", "c"}, Series: 10}}},
		{"new chunk when full", []unitCount{{"a", "x", 6}, {"b", "x", 5}, {"c", "y", 4}}, 10,
			[]chunk{{Namespaces: []string{"a"}, Series: 6}, {Namespaces: []string{"b", "c"}, Series: 9}}},
		{"namespace counted over its prefixes", []unitCount{{"a", "x", 3}, {"a", "y", 3}, {"b", "z", 5}}, 10,
			[]chunk{{Namespaces: []string{"a"}, Series: 6}, {Namespaces: []string{"b"}, Series: 5}}},
		{"big namespace split by pod prefix", []unitCount{{"small", "s", 2}, {"big", "c", 4}, {"big", "a", 4}, {"big", "b", 4}, {"tiny", "t", 1}}, 8,
			[]chunk{
				{Namespaces: []string{"big"}, PodFirst: []string{"a", "b"}, Series: 8, firstOfSplit: true},
				{Namespaces: []string{"big"}, PodFirst: []string{"c"}, Series: 4},
				{Namespaces: []string{"small", "tiny"}, Series: 3},
			}},
		{"one prefix larger than max stays one chunk", []unitCount{{"big", "a", 50}, {"big", "b", 1}}, 10,
			[]chunk{
				{Namespaces: []string{"big"}, PodFirst: []string{"a"}, Series: 50, firstOfSplit: true},
				{Namespaces: []string{"big"}, PodFirst: []string{"b"}, Series: 1},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := planChunks(tt.units, tt.max)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("planChunks:\n got %+v\nwant %+v", got, tt.want)
			}
			for _, c := range got {
				if c.Series > tt.max && len(c.PodFirst) != 1 {
					t.Errorf("chunk %+v exceeds max %d and is splittable", c, tt.max)
				}
			}
		})
	}
}

func TestPlanChunksNamespaceCap(t *testing.T) {
	t.Parallel()
	var units []unitCount
	for i := range 1200 {
		units = append(units, unitCount{Namespace: strings.Repeat("n", 1+i%7) + string(rune('a'+i%26)) + time.Duration(i).String(), First: "a", N: 1})
	}
	got := planChunks(units, 1<<30)
	if len(got) != 3 {
		t.Fatalf("chunks = %d, want 3 (500 namespaces each at most)", len(got))
	}
	total := 0
	for _, c := range got {
		if len(c.Namespaces) > maxNamespacesPerChunk {
			t.Errorf("chunk with %d namespaces", len(c.Namespaces))
		}
		total += len(c.Namespaces)
	}
	if total != 1200 {
		t.Errorf("namespaces covered = %d, want 1200", total)
	}
}

func TestNSChunk(t *testing.T) {
	t.Parallel()
	whole := chunk{Namespaces: []string{"a", "b"}, Series: 3}
	if c, ok := whole.nsChunk(); !ok || !reflect.DeepEqual(c, chunk{Namespaces: []string{"a", "b"}}) {
		t.Errorf("whole chunk: %+v %v", c, ok)
	}
	first := chunk{Namespaces: []string{"big"}, PodFirst: []string{"a"}, firstOfSplit: true}
	rest := chunk{Namespaces: []string{"big"}, PodFirst: []string{"b"}}
	if c, ok := first.nsChunk(); !ok || len(c.PodFirst) != 0 {
		t.Errorf("first of split: %+v %v", c, ok)
	}
	if _, ok := rest.nsChunk(); ok {
		t.Error("second chunk of a split namespace must not repeat namespace-level queries")
	}
}

// TestQueriesGolden pins every rendered query (go test -update rewrites the golden file).
func TestQueriesGolden(t *testing.T) {
	t.Parallel()
	cl := []matcher{{"cluster_id", "=", "prod-1"}}
	var b strings.Builder
	section := func(title string, qs []namedQuery) {
		b.WriteString("## " + title + "\n")
		for _, q := range qs {
			b.WriteString(q.Name + "\n\t" + q.Expr + "\n")
		}
	}
	hourly := newQueries(scope{cluster: cl}, time.Hour, time.Minute, 5*time.Minute)
	section("plan (1h window, 1m step)", []namedQuery{hourly.planQuery()})
	section("cluster (1h window, 1m step)", hourly.clusterQueries())
	chunked := newQueries(scope{cluster: cl, chunk: chunk{Namespaces: []string{"big"}, PodFirst: []string{"a", "b"}}}, time.Hour, time.Minute, 5*time.Minute)
	section("containers (chunk: namespace big, pods a*|b*)", chunked.containerQueries())
	nsq := newQueries(scope{cluster: cl, chunk: chunk{Namespaces: []string{"web", "data"}}}, time.Hour, time.Minute, 5*time.Minute)
	section("namespaces (chunk: web|data)", nsq.namespaceQueries())
	daily := newQueries(scope{}, 24*time.Hour, 5*time.Minute, time.Minute)
	section("containers (1d window, 5m step, rate window raised to the step, no cluster filter)", daily.containerQueries()[:7])
	got := b.String()

	path := filepath.Join("testdata", "queries.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("rendered queries differ from %s (run go test -update and review the diff):\n%s", path, got)
	}
	// Every query must carry the cluster matcher when one is configured.
	for _, qs := range [][]namedQuery{hourly.clusterQueries(), chunked.containerQueries(), nsq.namespaceQueries()} {
		for _, q := range qs {
			if n := strings.Count(q.Expr, "{"); n == 0 || strings.Count(q.Expr, `cluster_id="prod-1"`) != n {
				t.Errorf("%s: not every selector has the cluster matcher: %s", q.Name, q.Expr)
			}
		}
	}
	for _, q := range chunked.containerQueries() {
		if !strings.Contains(q.Expr, `pod=~"(?:a|b).*"`) {
			t.Errorf("%s: missing the chunk's pod matcher: %s", q.Name, q.Expr)
		}
	}
}
