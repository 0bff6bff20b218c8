package prom_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/pricing"
	"github.com/fedcost/fedcost/agent/source/prom"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
)

// TestEndToEndPrometheusDaily runs the same scenario in the last hour of yesterday (UTC) and
// builds yesterday's 1d window at the default 5m step. The synthetic scrapes start 30 minutes
// before that hour, so at 5m steps: always-running containers, nodes, volumes and the load
// balancer are present 18 steps (1.5h); the Job finishing 30 minutes into the hour 12 steps (1h);
// the CronJob's Job starting 40 minutes into it 4 steps (20 min).
func TestEndToEndPrometheusDaily(t *testing.T) {
	dayEnd := time.Now().UTC().Truncate(24 * time.Hour)
	ws, we := dayEnd.Add(-time.Hour), dayEnd
	url := startPrometheus(t, scenario(ws, we))
	table, err := pricing.Parse("e2e.json", []byte(e2ePricing))
	if err != nil {
		t.Fatal(err)
	}
	src, err := prom.New(prom.Config{URL: url, ClusterLabel: "cluster_id", ClusterFilter: "e2e", Pricing: table}, nil)
	if err != nil {
		t.Fatal(err)
	}
	day := layout.WindowFor(layout.Daily, ws)
	allocs, assets, err := src.Build(context.Background(), "e2e", layout.Daily, day)
	if err != nil {
		t.Fatal(err)
	}
	checkUploadable(t, "e2e", layout.Daily, day, allocs, assets)
	const (
		aCPU, aRAM       = 0.05, 0.006
		bCPU, bRAM, bGPU = 0.04, 0.001, 0.3
		storage          = 0.073 / 730
	)
	type want struct {
		name               string
		hours              float64
		cores, gib         float64 // max(request, usage)
		cpuPrice, ramPrice float64
		gpuCost, pvCost    float64
		lbCost             float64
	}
	wants := []want{
		{"e2e/node-a/web/frontend-7d9f8-abcde/nginx", 1.5, 0.5, 700.0 / 1024, aCPU, aRAM, 0, 0, 0.03 * 1.5 / 2},
		{"e2e/node-b/web/frontend-7d9f8-fghij/nginx", 1.5, 0.8, 0.5, bCPU, bRAM, 0, 0, 0.03 * 1.5 / 2},
		{"e2e/node-a/data/db-0/postgres", 1.5, 1, 2, aCPU, aRAM, 0, 100 * 1.5 * storage / 2, 0},
		{"e2e/node-a/data/db-0/exporter", 1.5, 0.15, 64.0 / 1024, aCPU, aRAM, 0, 100 * 1.5 * storage / 2, 0},
		{"e2e/node-a/ops/log-agent-aaaaa/agent", 1.5, 0.1, 0.125, aCPU, aRAM, 0, 0, 0},
		{"e2e/node-b/ops/log-agent-bbbbb/agent", 1.5, 0.1, 0.125, bCPU, bRAM, 0, 0, 0},
		{"e2e/node-a/ops/migrate-x7k2p/migrate", 1, 1.0, 300.0 / 1024, aCPU, aRAM, 0, 0, 0},
		{"e2e/node-b/ops/report-28000000-q8w9e/report", 1.0 / 3, 0.5, 1, bCPU, bRAM, 1.0 / 3 * bGPU, 0, 0},
	}
	if got := allocs.Len(); got != len(wants)+2 {
		t.Errorf("allocations = %d (%q), want %d", got, allocs.Names(), len(wants)+2)
	}
	for _, w := range wants {
		a := allocs.Allocations[w.name]
		if a == nil {
			t.Errorf("missing %s", w.name)
			continue
		}
		t.Run(strings.TrimPrefix(w.name, "e2e/"), func(t *testing.T) {
			if a.Window.Start != day.Start || a.Window.End != day.End {
				t.Errorf("window = %s, want %s", a.Window, day)
			}
			approx(t, "minutes", a.Minutes(), w.hours*60)
			approx(t, "cpuCoreHours", a.CPUCoreHours, w.cores*w.hours)
			approx(t, "cpuCost", a.CPUCost, w.cores*w.hours*w.cpuPrice)
			approx(t, "ramByteHours", a.RAMByteHours, w.gib*gib*w.hours)
			approx(t, "ramCost", a.RAMCost, w.gib*w.hours*w.ramPrice)
			approx(t, "gpuCost", a.GPUCost, w.gpuCost)
			approx(t, "pvCost", a.PVCost(), w.pvCost)
			approx(t, "loadBalancerCost", a.LoadBalancerCost, w.lbCost)
		})
	}
	approx(t, "unmounted pv-orphan", allocs.Allocations["e2e//__unmounted__/__unmounted__/__unmounted__"].PVCost(), 50*1.5*0.0002)
	byName := map[string]*cost.Asset{}
	for _, a := range assets.Assets {
		byName[a.Type.String()+"/"+a.Properties.Name] = a
	}
	approx(t, "node-a cpuCost", byName["Node/node-a"].CPUCost, 4*1.5*aCPU)
	approx(t, "node-b gpuCost", byName["Node/node-b"].GPUCost, 1*1.5*bGPU)
	approx(t, "pvc-123 cost", byName["Disk/pvc-123"].Cost, 100*1.5*storage)
	approx(t, "lb cost", byName["LoadBalancer/web/frontend"].Cost, 0.03*1.5)
	approx(t, "cluster management (whole closed day)", byName["ClusterManagement/cluster-management"].Cost, 24*0.1)
}
