package engine

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

// Fold says how Query folds per-window results: first into steps of Step from StepStart
// (Step 0: no stepping), then by Accumulate.
type Fold struct {
	Accumulate Accumulate
	StepStart  time.Time
	Step       time.Duration
}

// folder folds results arriving in time order, like AccumulateSets(StepSets(…)).
type folder struct {
	f        Fold
	out      []*Set
	step     *Set // the step being filled
	stepKey  time.Time
	acc      *Set // the accumulation period being filled (also in out)
	accStart time.Time
}

func (fo *folder) add(s *Set) {
	if fo.f.Step <= 0 {
		fo.emit(s)
		return
	}
	k := stepBucket(s.Window.Start, fo.f.StepStart, fo.f.Step)
	if fo.step != nil && k.Equal(fo.stepKey) {
		fo.step = fo.step.own()
		fo.step.merge(s)
		return
	}
	if fo.step != nil {
		fo.emit(fo.step)
	}
	fo.step, fo.stepKey = s, k
}

// emit takes a complete step (or set) into its accumulation period.
func (fo *folder) emit(s *Set) {
	if fo.f.Accumulate == AccumulateNone {
		fo.out = append(fo.out, s)
		return
	}
	k := fo.f.Accumulate.bucket(s.Window.Start)
	if fo.acc != nil && k.Equal(fo.accStart) {
		if fo.acc.shared {
			fo.acc = fo.acc.own()
			fo.out[len(fo.out)-1] = fo.acc
		}
		fo.acc.merge(s)
		return
	}
	fo.acc, fo.accStart = s, k
	fo.out = append(fo.out, s)
}

func (fo *folder) done() []*Set {
	if fo.step != nil {
		fo.emit(fo.step)
		fo.step = nil
	}
	return fo.out
}

// SetRef is an allocation set that is loaded only when needed: QueryRefs asks the Memo for a
// ref's result by its ID first. A Source gives a ref an ID when the set's content is fully
// determined by it (for as long as the Memo may remember it); "" means no ID (the set is then
// remembered by identity, as in Query).
type SetRef struct {
	ID     string
	Window cost.Window
	Load   func(ctx context.Context) (*cost.AllocationSet, error)
	set    *cost.AllocationSet
}

func (r SetRef) load(ctx context.Context) (*cost.AllocationSet, error) {
	if r.set != nil {
		return r.set, nil
	}
	return r.Load(ctx)
}

// Refs wraps loaded sets as refs without IDs.
func Refs(sets []*cost.AllocationSet) []SetRef {
	refs := make([]SetRef, len(sets))
	for i, s := range sets {
		refs[i] = SetRef{Window: s.Window, set: s}
	}
	return refs
}

// Query aggregates sets (in parallel, up to GOMAXPROCS) and folds the results in time order as
// they come, so that at most a few per-set results are held besides the folded ones: a 30-day
// accumulate=true query over container rows never holds 30 aggregated copies. It stops with
// ctx's error when ctx is done. The result equals AccumulateSets(StepSets(AggregateSets(…))).
func Query(ctx context.Context, sets []*cost.AllocationSet, o *Options, f Fold) ([]*Set, error) {
	return QueryRefs(ctx, Refs(sets), o, f)
}

// QueryRefs is Query over refs: each set is loaded by the worker that aggregates it, when the
// Memo does not already hold its result, so at most a few sets are loaded at a time besides
// what the Source keeps. The first load error stops the query.
func QueryRefs(ctx context.Context, refs []SetRef, o *Options, f Fold) ([]*Set, error) {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(refs)))
	type result struct {
		s   *Set
		err error
	}
	slots := make([]chan result, len(refs))
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inflight := make(chan struct{}, 2*workers) // results computed but not yet folded
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				s, err := o.aggregateRef(ctx, refs[i])
				slots[i] <- result{s, err}
			}
		})
	}
	wg.Go(func() {
		defer close(next)
		for i := range refs {
			select {
			case inflight <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	})

	fo := &folder{f: f}
	var err error
	for i := range refs {
		var r result
		select {
		case r = <-slots[i]:
			err = r.err
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			break
		}
		<-inflight
		fo.add(r.s)
	}
	cancel() // stops the feeder; workers never block (each slot is buffered)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return fo.done(), nil
}

// AggregateSets aggregates every set and returns the results in the same order.
func AggregateSets(ctx context.Context, sets []*cost.AllocationSet, o *Options) ([]*Set, error) {
	return Query(ctx, sets, o, Fold{})
}
