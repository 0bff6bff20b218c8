package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

func TestIsTransientAndErrorKind(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("get k: %w", err) }
	cases := []struct {
		name      string
		err       error
		transient bool
		kind      string
	}{
		{"nil", nil, false, ""},
		{"not found", wrap(store.ErrNotFound), false, store.KindNotFound},
		{"precondition", wrap(store.ErrPreconditionFailed), false, store.KindPreconditionFailed},
		{"access denied", wrap(store.ErrAccessDenied), false, store.KindAccessDenied},
		{"invalid key", wrap(store.ErrInvalidKey), false, store.KindOther},
		{"canceled", wrap(context.Canceled), false, store.KindCanceled},
		{"deadline", wrap(context.DeadlineExceeded), false, store.KindCanceled},
		{"permanent", wrap(store.Permanent(errors.New("no such bucket"))), false, store.KindOther},
		{"other", wrap(errors.New("connection reset")), true, store.KindOther},
		{"503", errors.New("503 SlowDown"), true, store.KindOther},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := store.IsTransient(c.err); got != c.transient {
				t.Errorf("IsTransient(%v) = %v, want %v", c.err, got, c.transient)
			}
			if got := store.ErrorKind(c.err); got != c.kind {
				t.Errorf("ErrorKind(%v) = %q, want %q", c.err, got, c.kind)
			}
		})
	}
	if store.Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
	base := errors.New("x")
	if p := store.Permanent(base); !errors.Is(p, base) || p.Error() != "x" || !store.IsPermanent(fmt.Errorf("a: %w", p)) {
		t.Error("Permanent must wrap transparently and be detectable through wrapping")
	}
}
