package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// RetryPolicy configures WithRetry. The zero value of a field means its default.
type RetryPolicy struct {
	// MaxAttempts is the number of tries including the first. Default 5.
	MaxAttempts int
	// InitialBackoff is the upper bound of the first wait. Default 100ms.
	InitialBackoff time.Duration
	// MaxBackoff caps the upper bound of any wait. Default 5s.
	MaxBackoff time.Duration
	// Multiplier grows the upper bound after each failure. Default 2.
	Multiplier float64
	// Retryable decides which errors are retried. Default IsTransient.
	Retryable func(error) bool
	// Sleep waits d or until ctx ends (then it returns ctx's error). Default: a timer. Tests
	// inject a fake that records the waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for the jitter. Default math/rand/v2.
	Rand func() float64
}

// DefaultRetryPolicy returns the policy with every default filled in.
func DefaultRetryPolicy() RetryPolicy { return RetryPolicy{}.withDefaults() }

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.InitialBackoff <= 0 {
		p.InitialBackoff = 100 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 5 * time.Second
	}
	if p.Multiplier < 1 {
		p.Multiplier = 2
	}
	if p.Retryable == nil {
		p.Retryable = IsTransient
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff returns the wait before retry number n (1 for the first retry): "full jitter", a
// uniformly random duration up to min(MaxBackoff, InitialBackoff·Multiplier^(n-1)).
func (p RetryPolicy) Backoff(n int) time.Duration {
	p = p.withDefaults()
	limit := float64(p.InitialBackoff)
	for i := 1; i < n && limit < float64(p.MaxBackoff); i++ {
		limit *= p.Multiplier
	}
	limit = min(limit, float64(p.MaxBackoff))
	return time.Duration(p.Rand() * limit)
}

// WithRetry retries failed operations of s whose error p.Retryable accepts (by default the
// transient ones, see IsTransient), waiting a jittered exponential backoff between attempts. The
// final error says how many attempts were made and wraps the last one.
//
// Conditional writes are retried too; as the Store contract warns, a retried PutIfAbsent or
// PutIfMatch whose first attempt did succeed reports ErrPreconditionFailed. List resumes after
// the last key it delivered, so fn never sees a key twice, and an error from fn is never retried.
// GetReader retries opening the object, not reading it.
func WithRetry(s Store, p RetryPolicy) Store {
	return &retrying{s: s, p: p.withDefaults()}
}

type retrying struct {
	s Store
	p RetryPolicy
}

func (r *retrying) do(ctx context.Context, op func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if err = op(); err == nil || !r.p.Retryable(err) {
			return err
		}
		if _, fromCaller := errors.AsType[*callerError](err); fromCaller {
			return err
		}
		if attempt >= r.p.MaxAttempts {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		}
		if serr := r.p.Sleep(ctx, r.p.Backoff(attempt)); serr != nil {
			return fmt.Errorf("retry interrupted after %d attempts (%w): %w", attempt, serr, err)
		}
	}
}

func (r *retrying) Get(ctx context.Context, key string) (data []byte, info ObjectInfo, err error) {
	err = r.do(ctx, func() error { data, info, err = r.s.Get(ctx, key); return err })
	return data, info, err
}

func (r *retrying) GetReader(ctx context.Context, key string) (rc io.ReadCloser, info ObjectInfo, err error) {
	err = r.do(ctx, func() error { rc, info, err = r.s.GetReader(ctx, key); return err })
	return rc, info, err
}

func (r *retrying) Stat(ctx context.Context, key string) (info ObjectInfo, err error) {
	err = r.do(ctx, func() error { info, err = r.s.Stat(ctx, key); return err })
	return info, err
}

func (r *retrying) Put(ctx context.Context, key string, data []byte) (v Version, err error) {
	err = r.do(ctx, func() error { v, err = r.s.Put(ctx, key, data); return err })
	return v, err
}

func (r *retrying) PutIfAbsent(ctx context.Context, key string, data []byte) (v Version, err error) {
	err = r.do(ctx, func() error { v, err = r.s.PutIfAbsent(ctx, key, data); return err })
	return v, err
}

func (r *retrying) PutIfMatch(ctx context.Context, key string, data []byte, match Version) (v Version, err error) {
	err = r.do(ctx, func() error { v, err = r.s.PutIfMatch(ctx, key, data, match); return err })
	return v, err
}

func (r *retrying) Delete(ctx context.Context, key string) error {
	return r.do(ctx, func() error { return r.s.Delete(ctx, key) })
}

// callerError carries an error returned by List's fn through the retry loop untouched.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }

func (r *retrying) List(ctx context.Context, prefix, startAfter string, fn func(ObjectInfo) error) error {
	after := startAfter
	err := r.do(ctx, func() error {
		return r.s.List(ctx, prefix, after, func(info ObjectInfo) error {
			if err := fn(info); err != nil {
				return &callerError{err}
			}
			after = info.Key
			return nil
		})
	})
	if ce, ok := errors.AsType[*callerError](err); ok {
		return ce.err
	}
	return err
}

func (r *retrying) Name() string { return r.s.Name() }
func (r *retrying) Close() error { return r.s.Close() }
