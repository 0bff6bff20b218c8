package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
)

// BenchmarkLocalFreshness measures, on the local path (filesystem bucket, watcher, ingest,
// cache, API), the time from an upload written to the bucket until the API shows it.
// Target: p95 ≤ 5 s with the defaults (--poll 1s, --refresh 2s).
func BenchmarkLocalFreshness(b *testing.B) {
	data := b.TempDir()
	base, stop := startLocal(b, data, "--poll", "1s", "--refresh", "2s")
	defer stop()
	bucket := filepath.Join(data, "bucket")
	var lat []time.Duration
	day := layout.WindowFor(layout.Daily, time.Now().UTC().Add(-24*time.Hour))
	for i := 0; b.Loop(); i++ {
		cluster := fmt.Sprintf("fresh-%04d", i)
		u := layout.Upload{Cluster: cluster, Kind: layout.Allocations, Resolution: layout.Daily, Window: day}
		d := etl.NewDocument(u, etl.Producer{Agent: "bench", Version: "1", InstallID: cluster, BuiltAt: time.Now().UTC()})
		a := &cost.Allocation{Name: cluster + "/n/ns/p/c", Start: day.Start, End: day.End,
			Properties: &cost.AllocationProperties{Node: "n", Namespace: "ns", Pod: "p", Container: "c"}, CPUCoreHours: 24, CPUCost: 1}
		d.Allocations[a.Name] = a
		z, err := etl.Encode(d)
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(bucket, filepath.FromSlash(u.Key()))
		os.MkdirAll(filepath.Dir(p), 0o755)
		tmp := p + ".tmp"
		os.WriteFile(tmp, z, 0o644)
		written := time.Now()
		os.Rename(tmp, p) // appears atomically, as an agent's upload would
		url := base + "/model/allocation?window=" + fmt.Sprint(day.Start.Unix()) + "," + fmt.Sprint(day.End.Unix()) +
			"&aggregate=cluster&accumulate=true&idle=false&filter=cluster:%22" + cluster + "%22"
		for {
			var r allocResponse
			if getJSON(b, url, &r) == 200 && len(r.Data) == 1 && r.Data[0][cluster].TotalCost > 0 {
				break
			}
			if time.Since(written) > time.Minute {
				b.Fatalf("upload %d not visible after a minute", i)
			}
			time.Sleep(50 * time.Millisecond)
		}
		lat = append(lat, time.Since(written))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))].Seconds() }
	b.ReportMetric(q(0.5), "p50-s")
	b.ReportMetric(q(0.95), "p95-s")
	b.ReportMetric(0, "ns/op")
}
