package prom

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// matcher is one PromQL label matcher.
type matcher struct{ Name, Op, Value string }

func (m matcher) String() string { return m.Name + m.Op + strconv.Quote(m.Value) }

// scope is what every selector of one query is restricted to: the cluster (for a shared
// Prometheus) and the chunk's namespaces and pod-name prefixes.
type scope struct {
	cluster []matcher // cluster_id="x", or none
	chunk   chunk
}

// sel renders metric{cluster, chunk, extra}. podScoped says the metric has a pod label, so
// the chunk's pod-prefix matcher applies; for other metrics only the namespace matcher does.
func (s scope) sel(metric string, podScoped bool, extra ...matcher) string {
	ms := append([]matcher(nil), s.cluster...)
	ms = append(ms, s.chunk.matchers(podScoped)...)
	ms = append(ms, extra...)
	var b strings.Builder
	b.WriteString(metric)
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(m.String())
	}
	b.WriteByte('}')
	return b.String()
}

// dur renders a duration in PromQL (whole seconds).
func dur(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) + "s" }

// chunk is the part of a cluster one query covers: whole namespaces, or one namespace and the
// pods whose names start with one of podFirst. The zero chunk is the whole cluster.
type chunk struct {
	Namespaces []string
	PodFirst   []string // only with exactly one namespace
	Series     int      // containers counted when planning
	// firstOfSplit marks the first chunk of a namespace split by pod prefix.
	firstOfSplit bool
}

func (c chunk) matchers(podScoped bool) []matcher {
	var ms []matcher
	switch len(c.Namespaces) {
	case 0:
	case 1:
		ms = append(ms, matcher{"namespace", "=", c.Namespaces[0]})
	default:
		ms = append(ms, matcher{"namespace", "=~", alternation(c.Namespaces)})
	}
	if podScoped && len(c.PodFirst) > 0 {
		ms = append(ms, matcher{"pod", "=~", "(?:" + alternation(c.PodFirst) + ").*"})
	}
	return ms
}

func alternation(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = regexp.QuoteMeta(v)
	}
	return strings.Join(q, "|")
}

// nsChunk is the namespace-only part of the chunk (for metrics without a pod label), and
// whether this chunk is the one that should run namespace-level queries for it: of the chunks
// splitting one namespace by pod prefix, only the first does.
func (c chunk) nsChunk() (chunk, bool) {
	if len(c.PodFirst) == 0 {
		return chunk{Namespaces: c.Namespaces}, true
	}
	return chunk{Namespaces: c.Namespaces}, c.firstOfSplit
}

// maxNamespacesPerChunk keeps regexes (and request bodies) small.
const maxNamespacesPerChunk = 500

// unitCount is the number of containers of one namespace whose pods start with First.
type unitCount struct {
	Namespace, First string
	N                int
}

// planChunks packs namespaces into chunks of at most max containers. A namespace larger than
// max is split by the first character of its pod names; a single first character larger than
// max still becomes one chunk (the smallest unit the planner can express). The result is
// deterministic: namespaces and characters in ascending order.
func planChunks(units []unitCount, max int) []chunk {
	byNS := map[string][]unitCount{}
	var names []string
	for _, u := range units {
		if _, ok := byNS[u.Namespace]; !ok {
			names = append(names, u.Namespace)
		}
		byNS[u.Namespace] = append(byNS[u.Namespace], u)
	}
	slices.Sort(names)
	var out []chunk
	var cur chunk
	flush := func() {
		if len(cur.Namespaces) > 0 {
			out = append(out, cur)
		}
		cur = chunk{}
	}
	for _, ns := range names {
		us := byNS[ns]
		total := 0
		for _, u := range us {
			total += u.N
		}
		if total > max {
			flush()
			slices.SortFunc(us, func(a, b unitCount) int { return strings.Compare(a.First, b.First) })
			part := chunk{Namespaces: []string{ns}, firstOfSplit: true}
			for _, u := range us {
				if part.Series > 0 && part.Series+u.N > max {
					out = append(out, part)
					part = chunk{Namespaces: []string{ns}}
				}
				part.PodFirst = append(part.PodFirst, u.First)
				part.Series += u.N
			}
			out = append(out, part)
			continue
		}
		if cur.Series+total > max || len(cur.Namespaces) >= maxNamespacesPerChunk {
			flush()
		}
		cur.Namespaces = append(cur.Namespaces, ns)
		cur.Series += total
	}
	flush()
	return out
}
