package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/internal/fleettest"
	"github.com/fedcost/fedcost/shared/cost"
)

func TestAccumulatePeriods(t *testing.T) {
	t.Parallel()
	cfg := fleettest.Small(time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)) // Sunday
	cfg.Windows = 21                                                      // Oct 25 .. Nov 14
	f := fleettest.Generate(cfg)
	cases := []struct {
		acc    Accumulate
		starts []string
	}{
		{AccumulateNone, nil},
		{AccumulateAll, []string{"2026-10-25"}},
		{AccumulateDay, nil},
		{AccumulateWeek, []string{"2026-10-25", "2026-11-01", "2026-11-08"}},
		{AccumulateMonth, []string{"2026-10-25", "2026-11-01"}},
		{AccumulateQuarter, []string{"2026-10-25"}},
	}
	for _, c := range cases {
		t.Run(time.Duration(c.acc).String(), func(t *testing.T) {
			t.Parallel()
			o := &Options{AggregateBy: []string{"cluster"}, IncludeIdle: true}
			got := AccumulateSets(aggregateAll(t, f.Allocations, o), c.acc)
			want := c.starts
			if want == nil {
				if len(got) != 21 {
					t.Errorf("%d sets, want 21", len(got))
				}
			} else if len(got) != len(want) {
				t.Fatalf("%d sets, want %d", len(got), len(want))
			}
			for i, w := range want {
				if s := got[i].Window.Start.Format(time.DateOnly); s != w {
					t.Errorf("set %d starts %s, want %s", i, s, w)
				}
			}
			near(t, "total", total(got), inputTotal(f.Allocations))
		})
	}
}

func TestParseAccumulate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Accumulate{"": AccumulateNone, "false": AccumulateNone, "true": AccumulateAll,
		"all": AccumulateAll, "hour": AccumulateHour, "day": AccumulateDay, "week": AccumulateWeek, "month": AccumulateMonth, "quarter": AccumulateQuarter} {
		got, err := ParseAccumulate(in)
		if err != nil || got != want {
			t.Errorf("ParseAccumulate(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseAccumulate("fortnight"); err == nil {
		t.Error("fortnight accepted")
	}
}

func TestQueryFoldsLikeStepThenAccumulate(t *testing.T) {
	t.Parallel()
	cfg := fleettest.Small(time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC))
	cfg.Resolution, cfg.Windows = time.Hour, 24*9
	f := fleettest.Generate(cfg)
	o := &Options{AggregateBy: []string{"namespace"}, IncludeIdle: true, ShareIdle: true, LabelConfig: cost.DefaultLabelConfig()}
	start := cfg.Start.Add(5 * time.Hour)
	for _, fold := range []Fold{
		{}, {Accumulate: AccumulateAll}, {Accumulate: AccumulateDay}, {Accumulate: AccumulateWeek},
		{Step: 6 * time.Hour, StepStart: start}, {Step: 24 * time.Hour, StepStart: start, Accumulate: AccumulateWeek},
	} {
		t.Run(fmt.Sprintf("%+v", fold), func(t *testing.T) {
			t.Parallel()
			got, err := Query(context.Background(), f.Allocations, o, fold)
			if err != nil {
				t.Fatal(err)
			}
			want := AccumulateSets(StepSets(aggregateAll(t, f.Allocations, o), fold.StepStart, fold.Step), fold.Accumulate)
			if len(got) != len(want) {
				t.Fatalf("%d sets, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].Window != want[i].Window || len(got[i].Allocations) != len(want[i].Allocations) {
					t.Fatalf("set %d: %s with %d rows, want %s with %d", i, got[i].Window, len(got[i].Allocations), want[i].Window, len(want[i].Allocations))
				}
				for name, a := range want[i].Allocations {
					b := got[i].Allocations[name]
					if b == nil {
						t.Fatalf("set %d: %s missing", i, name)
					}
					near(t, name, b.TotalCost(), a.TotalCost())
				}
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Query(ctx, f.Allocations, o, Fold{}); err == nil {
		t.Error("canceled query returned no error")
	}
}
