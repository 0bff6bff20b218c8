package sim_test

import (
	"context"
	"sync"
	"testing"

	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

// BenchmarkGenerate writes a 20-cluster fleet (7 days, 48 hours, 100 containers per cluster
// per day) to a memory store and reports files/s and MB/s of upload bytes.
func BenchmarkGenerate(b *testing.B) {
	opts := sim.Options{Clusters: 20, Days: 7, HourlyHours: 48, Seed: 1, ContainersPerDay: 100, End: testEnd}
	var files int
	var bytes int64
	for b.Loop() {
		sum, err := sim.Generate(context.Background(), memory.New("bench"), opts)
		if err != nil {
			b.Fatal(err)
		}
		files += sum.Files + sum.Heartbeats
		bytes += sum.Bytes
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(files)/sec, "files/s")
	b.ReportMetric(float64(bytes)/sec/1e6, "MB/s")
	b.ReportMetric(float64(bytes)/float64(files)/1e3, "kB/file")
}

// discard is a store that keeps nothing: Put only counts, so the benchmark measures generation
// and encoding, not the backend.
type discard struct {
	*memory.Store
	mu    sync.Mutex
	bytes int64
}

func (d *discard) Put(_ context.Context, _ string, data []byte) (store.Version, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.bytes += int64(len(data))
	return "v", nil
}

// BenchmarkGenerateFleet generates a 100-cluster, 30-day fleet with 48 hourly windows (10,000
// containers per day in total) without storing it: the throughput a 1,000-cluster, 90-day
// fleet scales from (about 18× the files).
func BenchmarkGenerateFleet(b *testing.B) {
	opts := sim.Options{Clusters: 100, Days: 30, HourlyHours: 48, Seed: 1, ContainersPerDay: 100, End: testEnd}
	var files int
	var bytes int64
	for b.Loop() {
		sum, err := sim.Generate(context.Background(), &discard{Store: memory.New("d")}, opts)
		if err != nil {
			b.Fatal(err)
		}
		files += sum.Files + sum.Heartbeats
		bytes += sum.Bytes
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(files)/sec, "files/s")
	b.ReportMetric(float64(bytes)/sec/1e6, "MB/s")
}
