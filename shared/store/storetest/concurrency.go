package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

// testCreateRace: of 20 concurrent PutIfAbsent calls on one key exactly one wins; the others get
// ErrPreconditionFailed and the winner's content stays.
func testCreateRace(t *testing.T, s store.Store, base string, _ Options) {
	const n = 20
	key := base + "race"
	var wg sync.WaitGroup
	versions := make([]store.Version, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			versions[i], errs[i] = s.PutIfAbsent(context.Background(), key, []byte(strconv.Itoa(i)))
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("both writer %d and writer %d created the object", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrPreconditionFailed):
			t.Errorf("writer %d: %v, want ErrPreconditionFailed", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer created the object")
	}
	got, info := mustGet(t, s, key)
	if string(got) != strconv.Itoa(winner) || info.Version != versions[winner] {
		t.Errorf("content %q version %q, want the winner's %q %q", got, info.Version, strconv.Itoa(winner), versions[winner])
	}
}

// testCompareAndSwap: 10 goroutines each increment a counter object once with a Get +
// PutIfMatch retry loop; no increment may be lost.
func testCompareAndSwap(t *testing.T, s store.Store, base string, _ Options) {
	const n = 10
	key := base + "counter"
	mustPut(t, s, key, []byte("0"))
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = Increment(context.Background(), s, key, 1000)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("incrementer %d: %v", i, err)
		}
	}
	got, _ := mustGet(t, s, key)
	if string(got) != strconv.Itoa(n) {
		t.Fatalf("counter = %s after %d increments", got, n)
	}
}

// Increment adds one to the decimal counter stored under key with a Get + PutIfMatch loop of at
// most maxAttempts rounds. It is exported for cross-process tests of backends.
func Increment(ctx context.Context, s store.Store, key string, maxAttempts int) error {
	for range maxAttempts {
		data, info, err := s.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("increment %s: %w", key, err)
		}
		n, err := strconv.Atoi(string(data))
		if err != nil {
			return fmt.Errorf("increment %s: content %q: %w", key, data, err)
		}
		runtime.Gosched() // let competitors read the same version, as network latency would
		_, err = s.PutIfMatch(ctx, key, []byte(strconv.Itoa(n+1)), info.Version)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrPreconditionFailed) {
			return fmt.Errorf("increment %s: %w", key, err)
		}
	}
	return fmt.Errorf("increment %s: gave up after %d attempts", key, maxAttempts)
}
