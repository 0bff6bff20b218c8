package prom_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// openMetrics collects synthetic scrapes and writes them as an OpenMetrics file for
// `promtool tsdb create-blocks-from openmetrics`: families grouped, counters declared without
// _total, samples in time order per series, a final # EOF.
type openMetrics struct {
	types  map[string]string // family → gauge|counter
	series map[string][]string
}

func newOpenMetrics() *openMetrics {
	return &openMetrics{types: map[string]string{}, series: map[string][]string{}}
}

// labels renders {k="v",…} from alternating keys and values.
func labels(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", kv[i], kv[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

// add scrapes metric{lbls} every interval in [from, to) with value f(t); f returning ok=false
// skips the scrape. Counters are named with their _total suffix.
func (o *openMetrics) add(typ, metric, lbls string, from, to time.Time, every time.Duration, f func(time.Time) (float64, bool)) {
	family := metric
	if typ == "counter" {
		family = strings.TrimSuffix(metric, "_total")
	}
	if t, ok := o.types[family]; ok && t != typ {
		panic("type conflict for " + family)
	}
	o.types[family] = typ
	for t := from; t.Before(to); t = t.Add(every) {
		v, ok := f(t)
		if !ok {
			continue
		}
		o.series[family] = append(o.series[family], fmt.Sprintf("%s%s %s %d", metric, lbls, strconv.FormatFloat(v, 'g', -1, 64), t.Unix()))
	}
}

func (o *openMetrics) write(t *testing.T, dir string) string {
	t.Helper()
	fams := make([]string, 0, len(o.types))
	for f := range o.types {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	var b strings.Builder
	for _, f := range fams {
		fmt.Fprintf(&b, "# TYPE %s %s\n", f, o.types[f])
		lines := o.series[f]
		// Group by series (stable: time order within a series is kept).
		slices.SortStableFunc(lines, func(x, y string) int {
			return strings.Compare(x[:strings.LastIndexByte(x[:strings.LastIndexByte(x, ' ')], ' ')], y[:strings.LastIndexByte(y[:strings.LastIndexByte(y, ' ')], ' ')])
		})
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	b.WriteString("# EOF\n")
	p := filepath.Join(dir, "data.om")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
