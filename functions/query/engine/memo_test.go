package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/internal/fleettest"
	"github.com/fedcost/fedcost/shared/cost"
)

func TestMemoGivesSameResults(t *testing.T) {
	t.Parallel()
	cfg := fleettest.Small(day0)
	cfg.Resolution, cfg.Windows = time.Hour, 48
	f := fleettest.Generate(cfg)
	memo := NewMemo(64 << 20)
	n, m := mustFilter(t, `namespace!:"batch"`)
	folds := []Fold{{}, {Accumulate: AccumulateAll}, {Accumulate: AccumulateDay}, {Step: 6 * time.Hour, StepStart: day0}}
	for round := range 3 {
		for _, fold := range folds {
			t.Run(fmt.Sprintf("round %d %+v", round, fold), func(t *testing.T) {
				plain := &Options{AggregateBy: []string{"namespace"}, IncludeIdle: true, ShareIdle: true,
					ShareNamespaces: []string{"kube-system"}, Filter: m, FilterNode: n, LabelConfig: cost.DefaultLabelConfig()}
				memoized := *plain
				memoized.Memo = memo
				want, err := Query(context.Background(), f.Allocations, plain, fold)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Query(context.Background(), f.Allocations, &memoized, fold)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%d sets, want %d", len(got), len(want))
				}
				for i := range want {
					if len(got[i].Allocations) != len(want[i].Allocations) {
						t.Fatalf("set %d: %d rows, want %d", i, len(got[i].Allocations), len(want[i].Allocations))
					}
					for name, a := range want[i].Allocations {
						near(t, name, got[i].Allocations[name].TotalCost(), a.TotalCost())
						near(t, name+" idle", got[i].Idle[name].CPU, want[i].Idle[name].CPU)
					}
				}
			})
		}
	}
	if memo.Len() != 48 {
		t.Errorf("memo holds %d results, want 48 (one per set)", memo.Len())
	}
	// Other options are other entries.
	o := &Options{AggregateBy: []string{"cluster"}, Memo: memo}
	if _, err := Query(context.Background(), f.Allocations[:2], o, Fold{}); err != nil {
		t.Fatal(err)
	}
	if memo.Len() != 50 {
		t.Errorf("memo holds %d results, want 50", memo.Len())
	}
}

func TestMemoEvicts(t *testing.T) {
	t.Parallel()
	f := smallFleet()
	f.Allocations = f.Allocations[:7]
	o := &Options{AggregateBy: []string{"cluster"}, IncludeIdle: true}
	other := &Options{AggregateBy: []string{"cluster"}, SplitIdle: true, IncludeIdle: true} // another key, a bit larger
	per := sizeOf(AggregateSet(f.Allocations[0], other))
	memo := NewMemo(10 * per) // room for about 10 results
	other.Memo = memo
	o.Memo = memo
	if _, err := Query(context.Background(), f.Allocations, o, Fold{}); err != nil {
		t.Fatal(err)
	}
	if memo.Len() != 7 {
		t.Errorf("memo holds %d results, want 7", memo.Len())
	}
	big := &Options{Memo: memo} // no aggregation: too many rows to remember
	if _, err := Query(context.Background(), f.Allocations, big, Fold{}); err != nil {
		t.Fatal(err)
	}
	if memo.Len() != 7 {
		t.Errorf("memo holds %d results after big results, want 7", memo.Len())
	}
	if _, err := Query(context.Background(), f.Allocations, other, Fold{}); err != nil {
		t.Fatal(err)
	}
	memo.mu.Lock()
	size := memo.bytes
	memo.mu.Unlock()
	if size > 10*per {
		t.Errorf("memo holds %d bytes, more than its %d", size, 10*per)
	}
	if memo.Len() >= 14 {
		t.Errorf("memo holds %d results: nothing was evicted", memo.Len())
	}
}
