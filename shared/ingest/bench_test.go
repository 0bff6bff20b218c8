package ingest

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
)

// BenchmarkDerive10kContainers derives one hourly window of a 10,000-container cluster
// (allocations + assets uploads already in the bucket): read, gzip-decode, validate, idle,
// rollups, Parquet encode, conditional writes. Reports decompressed ETL MB/s, records/s and
// the peak Go heap during a derivation. Target: ≥ 50 MB/s per core, < 256 MiB.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func BenchmarkDerive10kContainers(b *testing.B) {
	ctx := context.Background()
	ad := allocDoc("big", testHour, 10000, 1, "i1")
	sd := assetDoc("big", testHour, 1, "i1")
	raw, err := etl.EncodeJSON(ad)
	if err != nil {
		b.Fatal(err)
	}
	st := newMemory()
	put(b, st, ad.Upload().Key(), encode(b, ad))
	put(b, st, sd.Upload().Key(), encode(b, sd))
	core, _ := New(Config{Store: st, StatusDisabled: true})

	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		// runtime/metrics reads without stopping the world (ReadMemStats would).
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
				metrics.Read(sample)
				if v := sample[0].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	runtime.GC()
	b.SetBytes(int64(len(raw)))
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		if _, err := core.DeriveWindow(ctx, "big", layout.Hourly, testHour, true); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuSeconds() - cpu0
	close(stop)
	// Per core: bytes per CPU-second of this process (robust on a shared, noisy machine).
	b.ReportMetric(float64(len(raw))*float64(b.N)/(1<<20)/cpu, "MiB/cpu-s")
	b.ReportMetric(float64(len(ad.Allocations))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(len(raw))/(1<<20), "etl-MiB")
}
