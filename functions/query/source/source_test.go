package source

import (
	"context"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func win(start time.Time, d time.Duration) cost.Window { return cost.NewWindow(start, start.Add(d)) }

func TestChooseResolution(t *testing.T) {
	t.Parallel()
	daily := win(t0, 20*24*time.Hour)
	hourly := win(t0.Add(18*24*time.Hour), 49*time.Hour)
	cases := []struct {
		name        string
		w           cost.Window
		preferDaily bool
		want        Resolution
	}{
		{"old range", win(t0.Add(24*time.Hour), 7*24*time.Hour), false, Daily},
		{"recent range", win(t0.Add(19*24*time.Hour), 3*time.Hour), false, Hourly},
		{"recent day, folded by day", win(t0.Add(19*24*time.Hour), 24*time.Hour), true, Daily},
		{"recent hours, folded by day but not aligned", win(t0.Add(19*24*time.Hour+time.Hour), 2*time.Hour), true, Hourly},
		{"no hourly store", win(t0.Add(19*24*time.Hour), 3*time.Hour), false, Daily},
		{"open day exists only hourly", win(t0.Add(20*24*time.Hour), 24*time.Hour), true, Hourly},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := hourly
			if c.name == "no hourly store" {
				h = cost.Window{}
			}
			if got := ChooseResolution(c.w, h, daily, c.preferDaily); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestMemory(t *testing.T) {
	t.Parallel()
	m := NewMemory()
	for i := 2; i >= 0; i-- {
		m.AddAllocationSets(Daily, cost.NewAllocationSet(win(t0.AddDate(0, 0, i), 24*time.Hour)))
		m.AddAssetSets(Daily, cost.NewAssetSet(win(t0.AddDate(0, 0, i), 24*time.Hour)))
	}
	ctx := context.Background()
	sets, err := m.AllocationSets(ctx, AllocationQuery{Window: win(t0.Add(12*time.Hour), 24*time.Hour), Resolution: Daily})
	if err != nil || len(sets) != 2 || !sets[0].Window.Start.Equal(t0) {
		t.Fatalf("AllocationSets = %d sets, %v", len(sets), err)
	}
	as, _ := m.AssetSets(ctx, AssetQuery{Window: win(t0, 72*time.Hour), Resolution: Daily})
	if len(as) != 3 {
		t.Errorf("AssetSets = %d sets", len(as))
	}
	if h, d := m.Coverage(); !h.IsZero() || d != win(t0, 72*time.Hour) {
		t.Errorf("Coverage = %s, %s", h, d)
	}
	m.SetReady(false)
	if m.Ready() {
		t.Error("Ready after SetReady(false)")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.AllocationSets(cctx, AllocationQuery{}); err == nil {
		t.Error("canceled context not honoured")
	}
}
