package store

import (
	"context"
	"errors"
)

// Permanent marks err as not worth retrying: WithRetry returns it at once and IsTransient reports
// false. errors.Is and errors.As still see through it. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// IsPermanent reports whether err (or an error it wraps) was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// IsTransient reports whether retrying the operation could succeed. Everything is transient except
// nil, the sentinel outcomes (ErrNotFound, ErrPreconditionFailed, ErrAccessDenied, ErrInvalidKey),
// context cancellation and deadlines, and errors marked Permanent. Backends therefore need to mark
// only their own permanent failures (a bad request, a missing bucket).
func IsTransient(err error) bool {
	switch {
	case err == nil,
		errors.Is(err, ErrNotFound),
		errors.Is(err, ErrPreconditionFailed),
		errors.Is(err, ErrAccessDenied),
		errors.Is(err, ErrInvalidKey),
		errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded),
		IsPermanent(err):
		return false
	}
	return true
}
