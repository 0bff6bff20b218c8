package engine

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/internal/fleettest"
	"github.com/fedcost/fedcost/shared/cost"
)

// benchFleet is 1,000 clusters × 10 namespaces × podsPerNamespace×2 containers over days
// daily sets (podsPerNamespace=5: 100,000 containers a day).
func benchFleet(b *testing.B, days, podsPerNamespace int) *fleettest.Fleet {
	b.Helper()
	return fleettest.Generate(fleettest.Config{Clusters: 1000, NodesPerCluster: 5, Namespaces: 10, PodsPerNamespace: podsPerNamespace,
		ContainersPerPod: 2, Start: day0.AddDate(0, 0, -days), Windows: days, Resolution: 24 * time.Hour, Seed: 3,
		WithoutExtraAsset: true})
}

func benchAggregate(b *testing.B, sets []*cost.AllocationSet, o *Options) {
	b.Helper()
	rows := 0
	for _, s := range sets {
		rows += s.Len()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		res, err := Query(context.Background(), sets, o, Fold{Accumulate: AccumulateAll})
		if err != nil {
			b.Fatal(err)
		}
		_ = res[0].Sorted()
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}

// BenchmarkAggregateNamespace30d: window=30d&aggregate=namespace&accumulate=true over 1,000
// clusters from per-(cluster, namespace) rollups (what the cache serves such a query from), and,
// with FEDCOST_BENCH_FULL=1 (about 4 GiB of memory), from 100,000 container rows a day.
func BenchmarkAggregateNamespace30d(b *testing.B) {
	pods := 1
	if os.Getenv("FEDCOST_BENCH_FULL") == "1" {
		pods = 5
	}
	f := benchFleet(b, 30, pods)
	o := &Options{AggregateBy: []string{"namespace"}, IncludeIdle: true, LabelConfig: cost.DefaultLabelConfig()}
	if pods == 5 {
		b.Run("containers", func(b *testing.B) { benchAggregate(b, f.Allocations, o) })
	}
	need := o.Needs()
	rolled := make([]*cost.AllocationSet, len(f.Allocations))
	for i, s := range f.Allocations {
		rolled[i] = Rollup(s, need)
	}
	b.Run("rollups", func(b *testing.B) { benchAggregate(b, rolled, o) })
	memoized := *o
	memoized.Memo = NewMemo(256 << 20)
	if _, err := Query(context.Background(), rolled, &memoized, Fold{}); err != nil {
		b.Fatal(err)
	}
	b.Run("rollups, memoized", func(b *testing.B) { benchAggregate(b, rolled, &memoized) })
	shared := *o
	shared.ShareIdle, shared.ShareNamespaces = true, []string{"kube-system"}
	b.Run("rollups+shareIdle+shareNamespaces", func(b *testing.B) { benchAggregate(b, rolled, &shared) })
}
