package s3

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/fedcost/fedcost/shared/store"
)

// classify maps an S3 error to the store sentinel it means, or nil for any other error.
// NoSuchBucket is deliberately not ErrNotFound: a missing bucket is a configuration error, not an
// empty key space.
func classify(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return store.ErrNotFound
		case "NoSuchBucket":
			return nil
		case "PreconditionFailed":
			return store.ErrPreconditionFailed
		case "AccessDenied", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch":
			return store.ErrAccessDenied
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return store.ErrNotFound
		case http.StatusPreconditionFailed:
			return store.ErrPreconditionFailed
		case http.StatusForbidden:
			return store.ErrAccessDenied
		}
	}
	return nil
}

// wrap names the operation and key, and adds the sentinel the S3 error means while keeping the
// backend's own message and error chain.
func (s *Store) wrap(op, key string, err error) error {
	if sentinel := classify(err); sentinel != nil {
		return fmt.Errorf("s3 %s s3://%s/%s: %w: %w", op, s.bucket, key, sentinel, err)
	}
	return fmt.Errorf("s3 %s s3://%s/%s: %w", op, s.bucket, key, err)
}

// isConflict reports a 409 ConditionalRequestConflict: a concurrent conditional write to the
// same key was in flight. AWS asks the client to retry; the SDK's retryer does not.
func isConflict(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ConditionalRequestConflict" {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusConflict
}

// conflictRetry bounds the 409 retries of one conditional write.
type conflictRetry struct {
	attempts int           // total attempts, at least 1
	base     time.Duration // first backoff; doubles each attempt
	max      time.Duration // backoff cap
}

var defaultConflictRetry = conflictRetry{attempts: 6, base: 50 * time.Millisecond, max: 2 * time.Second}

// do runs write until it returns something other than a 409 conflict, sleeping a jittered,
// exponentially growing delay between attempts. When the attempts are used up the last conflict
// is reported as ErrPreconditionFailed: the write did not take effect against a concurrent one.
func (r conflictRetry) do(ctx context.Context, write func() error) error {
	delay := r.base
	var err error
	for attempt := 1; ; attempt++ {
		err = write()
		if !isConflict(err) {
			return err
		}
		if attempt >= r.attempts {
			return fmt.Errorf("%w: still conflicting after %d attempts: %w", store.ErrPreconditionFailed, attempt, err)
		}
		sleep := delay/2 + rand.N(delay/2+1) // jitter in [delay/2, delay]
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (after a 409 conflict: %w)", ctx.Err(), err)
		case <-t.C:
		}
		delay = min(2*delay, r.max)
	}
}
