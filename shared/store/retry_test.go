package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

var errFlaky = errors.New("503 slow down")

// flaky fails the next `failures` calls of every operation with failWith, then passes them on.
// List fails after delivering `listBefore` keys.
type flaky struct {
	store.Store
	mu         sync.Mutex
	failures   int
	failWith   error
	listBefore int
	calls      int
}

func (f *flaky) fail() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failures > 0 {
		f.failures--
		return f.failWith
	}
	return nil
}

func (f *flaky) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	if err := f.fail(); err != nil {
		return nil, store.ObjectInfo{}, fmt.Errorf("get %s: %w", key, err)
	}
	return f.Store.Get(ctx, key)
}

func (f *flaky) Put(ctx context.Context, key string, data []byte) (store.Version, error) {
	if err := f.fail(); err != nil {
		return "", fmt.Errorf("put %s: %w", key, err)
	}
	return f.Store.Put(ctx, key, data)
}

func (f *flaky) List(ctx context.Context, prefix, startAfter string, fn func(store.ObjectInfo) error) error {
	delivered := 0
	return f.Store.List(ctx, prefix, startAfter, func(info store.ObjectInfo) error {
		if delivered == f.listBefore {
			if err := f.fail(); err != nil {
				return err
			}
		}
		delivered++
		return fn(info)
	})
}

// recorder is an injected Sleep that records the waits without waiting.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func policy(r *recorder) store.RetryPolicy {
	return store.RetryPolicy{
		MaxAttempts: 4, InitialBackoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond,
		Sleep: r.sleep, Rand: func() float64 { return 0.5 },
	}
}

func TestRetryTransientThenSuccess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := &flaky{Store: memory.New("r"), failures: 3, failWith: errFlaky}
	rec := &recorder{}
	s := store.WithRetry(f, policy(rec))
	if _, err := s.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatalf("put: %v", err)
	}
	if f.calls != 4 {
		t.Errorf("calls = %d, want 4 (3 failures + success)", f.calls)
	}
	// Upper bounds 100, 200, 300 (capped) ms; jitter 0.5.
	want := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond}
	if !slices.Equal(rec.waits, want) {
		t.Errorf("waits = %v, want %v", rec.waits, want)
	}
}

func TestRetryGivesUp(t *testing.T) {
	t.Parallel()
	f := &flaky{Store: memory.New("r"), failures: 100, failWith: errFlaky}
	rec := &recorder{}
	_, err := store.WithRetry(f, policy(rec)).Put(context.Background(), "k", []byte("v"))
	if !errors.Is(err, errFlaky) || !strings.Contains(err.Error(), "4 attempts") {
		t.Errorf("err = %v, want the last error and the attempt count", err)
	}
	if f.calls != 4 || len(rec.waits) != 3 {
		t.Errorf("calls %d waits %d, want 4 and 3", f.calls, len(rec.waits))
	}
}

func TestRetryNotForPermanentErrors(t *testing.T) {
	t.Parallel()
	for _, failWith := range []error{
		store.ErrNotFound, store.ErrPreconditionFailed, store.ErrAccessDenied, store.ErrInvalidKey,
		context.Canceled, context.DeadlineExceeded, store.Permanent(errors.New("bad request")),
	} {
		t.Run(failWith.Error(), func(t *testing.T) {
			t.Parallel()
			f := &flaky{Store: memory.New("r"), failures: 1, failWith: failWith}
			rec := &recorder{}
			_, _, err := store.WithRetry(f, policy(rec)).Get(context.Background(), "k")
			if !errors.Is(err, failWith) {
				t.Errorf("err = %v, want %v", err, failWith)
			}
			if f.calls != 1 || len(rec.waits) != 0 {
				t.Errorf("retried a non-transient error: calls %d waits %v", f.calls, rec.waits)
			}
		})
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	f := &flaky{Store: memory.New("r"), failures: 100, failWith: errFlaky}
	ctx, cancel := context.WithCancel(context.Background())
	p := store.RetryPolicy{MaxAttempts: 10, Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}}
	_, err := store.WithRetry(f, p).Put(ctx, "k", nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errFlaky) {
		t.Errorf("err = %v, want it to wrap both context.Canceled and the last error", err)
	}
	if f.calls != 1 {
		t.Errorf("calls = %d after cancellation, want 1", f.calls)
	}
}

func TestRetryDefaultSleepHonoursContext(t *testing.T) {
	t.Parallel()
	f := &flaky{Store: memory.New("r"), failures: 100, failWith: errFlaky}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	p := store.RetryPolicy{MaxAttempts: 100, InitialBackoff: time.Hour, MaxBackoff: time.Hour, Rand: func() float64 { return 1 }}
	_, err := store.WithRetry(f, p).Put(ctx, "k", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
}

func TestRetryListResumesWithoutDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := memory.New("r")
	var want []string
	for i := range 10 {
		k := fmt.Sprintf("k%02d", i)
		want = append(want, k)
		if _, err := inner.Put(ctx, k, nil); err != nil {
			t.Fatal(err)
		}
	}
	f := &flaky{Store: inner, failures: 2, failWith: errFlaky, listBefore: 4}
	var got []string
	err := store.WithRetry(f, policy(&recorder{})).List(ctx, "", "", func(i store.ObjectInfo) error {
		got = append(got, i.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("List with retries delivered %q, want %q", got, want)
	}
}

func TestRetryNeverRetriesCallerError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := memory.New("r")
	if _, err := inner.Put(ctx, "k", nil); err != nil {
		t.Fatal(err)
	}
	mine := errors.New("caller stops") // transient-looking: not a sentinel
	calls := 0
	rec := &recorder{}
	err := store.WithRetry(inner, policy(rec)).List(ctx, "", "", func(store.ObjectInfo) error {
		calls++
		return mine
	})
	if err != mine || calls != 1 || len(rec.waits) != 0 {
		t.Errorf("err %v calls %d waits %v: fn's error must come back unchanged, unretried", err, calls, rec.waits)
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	p := store.RetryPolicy{InitialBackoff: 10 * time.Millisecond, MaxBackoff: time.Second, Rand: func() float64 { return 0.999999 }}
	prev := time.Duration(0)
	for n := 1; n <= 20; n++ {
		d := p.Backoff(n)
		if d < prev || d > time.Second {
			t.Fatalf("Backoff(%d) = %v (previous %v): must grow and stay under MaxBackoff", n, d, prev)
		}
		prev = d
	}
	p.Rand = func() float64 { return 0 }
	if d := p.Backoff(3); d != 0 {
		t.Errorf("full jitter with rand 0: %v, want 0", d)
	}
}
