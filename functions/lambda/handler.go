// Package lambda hosts the ingest core on AWS Lambda. One handler takes every event the
// deployment wires to the function and tells them apart from the raw JSON:
//
//   - S3 event notifications (S3 → Lambda, asynchronous): every record's URL-decoded key is
//     ingested; a transient failure of any record fails the invocation so that Lambda retries it
//     (ingesting is idempotent, so the records that succeeded cost only a re-read).
//   - SQS messages carrying S3 events (S3 → SQS → Lambda): the answer lists the failed
//     messages in batchItemFailures, so only those return to the queue. A body that is not an
//     S3 event is a failure too: it ends in the queue's dead-letter queue, not silently dropped.
//   - s3:TestEvent (sent when a notification is configured): ignored.
//   - EventBridge events: a "Scheduled Event" runs a reconcile pass within a time budget below
//     the function timeout; an S3 "Object Created" event (S3 → EventBridge) is ingested.
//
// Refused uploads are a success (the core quarantined them; retrying cannot help). Keys outside
// the configured prefix, or of another bucket, are ignored.
package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fedcost/fedcost/shared/ingest"
	"github.com/fedcost/fedcost/shared/layout"
)

// Defaults of Config.
const (
	DefaultReconcileBudget = 4 * time.Minute
	// DeadlineMargin is kept free before the invocation deadline so that a reconcile cut short
	// by its budget still returns (and logs) before Lambda kills the function.
	DeadlineMargin = 10 * time.Second
)

// Config configures a Handler.
type Config struct {
	Core *ingest.Core // required; its store is scoped to Prefix
	// Bucket, if set, is the only bucket whose events are ingested.
	Bucket string
	// Prefix is the store prefix; event keys carry it and it is stripped before ingesting.
	Prefix string
	// ReconcileBudget bounds a scheduled reconcile pass (default DefaultReconcileBudget); the
	// pass never runs past the invocation deadline minus DeadlineMargin.
	ReconcileBudget time.Duration
	// ReconcileConcurrency is passed to the core (default: the core's).
	ReconcileConcurrency int
	Logger               *slog.Logger // default: discard
	Now                  func() time.Time
}

// Handler handles Lambda invocations. It is safe for concurrent use.
type Handler struct {
	c Config
}

// New returns a Handler.
func New(c Config) (*Handler, error) {
	if c.Core == nil {
		return nil, errors.New("lambda: a core is required")
	}
	if c.ReconcileBudget <= 0 {
		c.ReconcileBudget = DefaultReconcileBudget
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Handler{c: c}, nil
}

// probe holds the fields that tell the event types apart.
type probe struct {
	Records []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
	Event      string `json:"Event"` // s3:TestEvent
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

// Kind is an event type the handler recognises.
type Kind string

// Event kinds.
const (
	KindS3          Kind = "s3"
	KindSQS         Kind = "sqs"
	KindTest        Kind = "s3-test"
	KindSchedule    Kind = "schedule"
	KindEventBridge Kind = "eventbridge-s3"
	KindUnknown     Kind = "unknown"
)

// Detect names the type of a raw event.
func Detect(raw []byte) Kind {
	var p probe
	if err := json.Unmarshal(raw, &p); err != nil {
		return KindUnknown
	}
	switch {
	case p.Event == "s3:TestEvent":
		return KindTest
	case len(p.Records) > 0 && p.Records[0].EventSource == "aws:sqs":
		return KindSQS
	case len(p.Records) > 0 && p.Records[0].EventSource == "aws:s3":
		return KindS3
	case p.DetailType == "Scheduled Event":
		return KindSchedule
	case p.Source == "aws.s3" && p.DetailType == "Object Created":
		return KindEventBridge
	}
	return KindUnknown
}

// Invoke handles one invocation: the signature lambda.Start takes. The response is nil except
// for SQS batches (an events.SQSEventResponse).
func (h *Handler) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	kind := Detect(raw)
	log := h.c.Logger.With("event", string(kind))
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("aws_request_id", lc.AwsRequestID)
	}
	switch kind {
	case KindS3:
		return nil, h.s3(ctx, log, raw)
	case KindSQS:
		return h.sqs(ctx, log, raw)
	case KindSchedule:
		return nil, h.reconcile(ctx, log)
	case KindEventBridge:
		return nil, h.eventBridge(ctx, log, raw)
	case KindTest:
		log.Info("s3 test event ignored")
		return nil, nil
	}
	// Retrying an event we cannot read would only repeat this; say so loudly instead.
	log.Error("unrecognised event ignored", "size", len(raw))
	return nil, nil
}

// ingestKey ingests one key from an event (bucket, prefixed key) and logs the host's line.
// A nil error means done (derived, unchanged, refused, ignored).
func (h *Handler) ingestKey(ctx context.Context, log *slog.Logger, bucket, key string) error {
	if h.c.Bucket != "" && bucket != "" && bucket != h.c.Bucket {
		log.Warn("event of another bucket ignored", "bucket", bucket, "key", key)
		return nil
	}
	rel, ok := layout.StripPrefix(h.c.Prefix, key)
	if !ok {
		log.Info("key outside the prefix ignored", "key", key, "prefix", h.c.Prefix)
		return nil
	}
	start := h.c.Now()
	res, err := h.c.Core.Ingest(ctx, rel)
	attrs := []any{"key", rel, "cluster", res.Cluster, "window", res.Window, "outcome", string(res.Outcome),
		"duration", h.c.Now().Sub(start)}
	if err != nil {
		log.Error("ingest failed", append(attrs, "err", err)...)
		return fmt.Errorf("ingest %s: %w", rel, err)
	}
	if res.Reason != "" {
		attrs = append(attrs, "reason", res.Reason)
	}
	log.Info("ingest", attrs...)
	return nil
}
