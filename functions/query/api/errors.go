package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/fedcost/fedcost/functions/query/source"
)

// kind classifies API errors; statusOf is the one place that maps kinds to HTTP statuses.
type kind int

const (
	kindInternal kind = iota
	kindBadRequest
	kindUnauthorized
	kindNotFound
	kindMethodNotAllowed
	kindURITooLong
	kindTooLarge
	kindUnavailable
	kindTimeout
)

func statusOf(k kind) int {
	switch k {
	case kindBadRequest:
		return http.StatusBadRequest
	case kindUnauthorized:
		return http.StatusUnauthorized
	case kindNotFound:
		return http.StatusNotFound
	case kindMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case kindURITooLong:
		return http.StatusRequestURITooLong
	case kindTooLarge:
		return http.StatusRequestEntityTooLarge
	case kindUnavailable, kindTimeout:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// apiError is an error with a kind and a message for the client.
type apiError struct {
	kind kind
	msg  string
	err  error // cause, for logs
}

func (e *apiError) Error() string { return e.msg }
func (e *apiError) Unwrap() error { return e.err }

func errorf(k kind, format string, args ...any) *apiError {
	return &apiError{kind: k, msg: fmt.Sprintf(format, args...)}
}

// paramError is a bad parameter: the message names it and says what is allowed.
func paramError(name string, err error) *apiError {
	return &apiError{kind: kindBadRequest, msg: fmt.Sprintf("parameter %s: %v", name, err), err: err}
}

// classify turns any error into an apiError: context deadlines are timeouts, an unready
// source is unavailable, anything unknown is internal (its text is not shown to clients).
func classify(err error) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, context.DeadlineExceeded):
		return &apiError{kind: kindTimeout, msg: "query timed out", err: err}
	case errors.Is(err, context.Canceled):
		return &apiError{kind: kindTimeout, msg: "query canceled", err: err}
	case errors.Is(err, source.ErrNotReady):
		return &apiError{kind: kindUnavailable, msg: "data is still loading; retry shortly", err: err}
	}
	return &apiError{kind: kindInternal, msg: "internal error", err: err}
}
