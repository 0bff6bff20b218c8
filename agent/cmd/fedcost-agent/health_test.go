package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fedcost/fedcost/agent/runner"
	"github.com/fedcost/fedcost/agent/sim"
	"github.com/fedcost/fedcost/agent/uploader"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store/memory"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	now := fixedNow
	clock := func() time.Time { return now }
	st := memory.New("h")
	up, err := uploader.New(uploader.Config{Store: st, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	r, err := runner.New(runner.Config{Cluster: "c1", Source: sim.NewSource(sim.Options{ContainersPerDay: 5, Now: clock}),
		Uploader: up, Store: st, Interval: time.Minute, Now: clock, Producer: etl.Producer{Agent: "a", Version: "v", InstallID: "i"},
		Backfill: map[layout.Resolution]time.Duration{layout.Hourly: 0, layout.Daily: 0}})
	if err != nil {
		t.Fatal(err)
	}
	h := handler(prometheus.NewRegistry(), r, fixedNow, clock)
	get := func() int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		return rec.Code
	}
	steps := []struct {
		name    string
		advance time.Duration
		tick    bool
		want    int
	}{
		{"starting", 0, false, 200},
		{"first tick still running after the grace", startupGrace + time.Minute, false, 503},
		{"ticked", 0, true, 200},
		{"three intervals and five minutes later", 3*time.Minute + 5*time.Minute + time.Second, false, 503},
		{"ticking again", 0, true, 200},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if s.tick {
			if err := r.Tick(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if got := get(); got != s.want {
			t.Errorf("%s: /healthz %d, want %d", s.name, got, s.want)
		}
	}
}
