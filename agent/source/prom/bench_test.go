package prom

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/source"
	"github.com/fedcost/fedcost/shared/layout"
)

func fakeWindow() layout.Window {
	return layout.WindowFor(layout.Hourly, time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC))
}

func newFakeSource(t testing.TB, f *fakeCluster, cfg Config) *Source {
	srv := httptest.NewServer(newFakeProm(f))
	t.Cleanup(srv.Close)
	cfg.URL = srv.URL
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return f.end.Add(time.Hour) }
	}
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBuildFake checks the counts and chunking of a synthetic cluster served by the fake.
func TestBuildFake(t *testing.T) {
	t.Parallel()
	w := fakeWindow()
	f := &fakeCluster{namespaces: 7, podsPerNS: 40, nodes: 5, start: w.Start, end: w.End, step: time.Minute}
	s := newFakeSource(t, f, Config{MaxSeriesPerQuery: 50})
	allocs, assets, err := s.Build(context.Background(), "c1", layout.Hourly, w)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := allocs.Len(), 7*40*2; got != want {
		t.Errorf("allocations = %d, want %d", got, want)
	}
	a := allocs.Allocations["c1/node-0/ns-0/"+f.podName(0, 0)+"/app"]
	if a == nil {
		t.Fatalf("missing allocation; have e.g. %v", allocs.Names()[:3])
	}
	if a.Properties.ControllerKind != "deployment" || a.Properties.Controller != "app0" || len(a.PVs) != 1 || a.Properties.Services[0] != "svc-0" {
		t.Errorf("allocation = %+v pvs %v", a.Properties, a.PVs)
	}
	// 5 nodes, 28 PVs, 7 LBs, 1 cluster management.
	if got, want := len(assets.Assets), 5+28+7+1; got != want {
		t.Errorf("assets = %d, want %d", got, want)
	}
}

func TestBuildErrNoData(t *testing.T) {
	t.Parallel()
	w := fakeWindow()
	empty := &fakeCluster{start: w.Start, end: w.End, step: time.Minute}
	s := newFakeSource(t, empty, Config{})
	if _, _, err := s.Build(context.Background(), "c1", layout.Hourly, w); !errors.Is(err, source.ErrNoData) {
		t.Errorf("empty cluster: err = %v, want ErrNoData", err)
	}
	future := newFakeSource(t, empty, Config{Now: func() time.Time { return w.Start.Add(30 * time.Second) }})
	if _, _, err := future.Build(context.Background(), "c1", layout.Hourly, w); !errors.Is(err, source.ErrNoData) {
		t.Errorf("window not started: err = %v, want ErrNoData", err)
	}
}

// TestBuildOpenWindow: an open window is queried up to now (truncated to the step).
func TestBuildOpenWindow(t *testing.T) {
	t.Parallel()
	w := fakeWindow()
	now := w.Start.Add(25*time.Minute + 20*time.Second)
	f := &fakeCluster{namespaces: 1, podsPerNS: 2, nodes: 1, start: w.Start, end: w.Start.Add(25 * time.Minute), step: time.Minute}
	s := newFakeSource(t, f, Config{Now: func() time.Time { return now }})
	allocs, assets, err := s.Build(context.Background(), "c1", layout.Hourly, w)
	if err != nil {
		t.Fatal(err) // the fake only answers queries rendered for [start, start+25m)
	}
	for _, a := range allocs.Allocations {
		if a.Window.Start != w.Start || a.Window.End != w.End || a.End.After(f.end) {
			t.Errorf("%s: window %s, end %s", a.Name, a.Window, a.End)
		}
	}
	for _, a := range assets.Assets {
		if a.End.After(f.end) {
			t.Errorf("%s ends %s after now", a.Key(), a.End)
		}
	}
}

// BenchmarkBuild10kPods builds one 1h window of a 10,000-pod (20,000-container) cluster
// served by the fake API. Reported: ms per window, peak Go heap (and its growth over the
// heap before the loop) while building, the heap the finished sets retain, and the process's
// peak RSS (which includes the fake server and its cached responses, fake-cache-MiB).
func BenchmarkBuild10kPods(b *testing.B) {
	w := fakeWindow()
	f := &fakeCluster{namespaces: 100, podsPerNS: 100, nodes: 250, start: w.Start, end: w.End, step: time.Minute}
	fake := newFakeProm(f)
	srv := httptest.NewServer(fake)
	b.Cleanup(srv.Close)
	s, err := New(Config{URL: srv.URL, Now: func() time.Time { return f.end.Add(time.Hour) }}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := s.Build(ctx, "c1", layout.Hourly, w); err != nil { // warms the fake's cache
		b.Fatal(err)
	}
	runtime.GC()
	base := heapBytes()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if h := heapBytes(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	b.ResetTimer()
	var n int
	for b.Loop() {
		allocs, _, err := s.Build(ctx, "c1", layout.Hourly, w)
		if err != nil {
			b.Fatal(err)
		}
		n = allocs.Len()
	}
	b.StopTimer()
	close(done)
	keep, keepAs, err := s.Build(ctx, "c1", layout.Hourly, w)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	if after := heapBytes(); after > base {
		b.ReportMetric(float64(after-base)/(1<<20), "result-heap-MiB")
	}
	runtime.KeepAlive(keep)
	runtime.KeepAlive(keepAs)
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/window")
	b.ReportMetric(float64(peak.Load()-min(base, peak.Load()))/(1<<20), "peak-heap-growth-MiB")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(rss/(1<<20), "process-peak-RSS-MiB")
	}
	b.ReportMetric(float64(n), "allocations")
	var cached int
	for _, body := range fake.cache {
		cached += len(body)
	}
	b.ReportMetric(float64(cached)/(1<<20), "fake-cache-MiB")
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// peakRSS reads VmHWM from /proc/self/status (Linux), in bytes; 0 elsewhere.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}
