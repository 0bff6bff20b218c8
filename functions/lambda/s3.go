package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/aws/aws-lambda-go/events"
)

// s3 ingests every record of a direct S3 notification. Any transient failure fails the whole
// invocation (Lambda retries it; records already done are then duplicates, which are no-ops).
func (h *Handler) s3(ctx context.Context, log *slog.Logger, raw []byte) error {
	var ev events.S3Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		log.Error("malformed S3 event ignored", "err", err)
		return nil
	}
	return h.s3Records(ctx, log, ev.Records)
}

func (h *Handler) s3Records(ctx context.Context, log *slog.Logger, recs []events.S3EventRecord) error {
	var errs []error
	for _, r := range recs {
		l := log
		if r.S3.Object.Sequencer != "" {
			l = log.With("sequencer", r.S3.Object.Sequencer)
		}
		if err := h.ingestKey(ctx, l, r.S3.Bucket.Name, r.S3.Object.URLDecodedKey); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// eventBridgeDetail is the part of an S3 "Object Created" EventBridge event we need.
type eventBridgeDetail struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key string `json:"key"`
	} `json:"object"`
}

// eventBridge ingests the object of an S3 event delivered through EventBridge.
func (h *Handler) eventBridge(ctx context.Context, log *slog.Logger, raw []byte) error {
	var ev events.EventBridgeEvent
	var d eventBridgeDetail
	if err := json.Unmarshal(raw, &ev); err != nil {
		log.Error("malformed EventBridge event ignored", "err", err)
		return nil
	}
	if err := json.Unmarshal(ev.Detail, &d); err != nil || d.Object.Key == "" {
		log.Error("EventBridge S3 event without an object key ignored", "id", ev.ID, "err", err)
		return nil
	}
	key, err := url.QueryUnescape(d.Object.Key) // encoded as in S3 notifications
	if err != nil {
		key = d.Object.Key
	}
	if err := h.ingestKey(ctx, log.With("eventbridge_id", ev.ID), d.Bucket.Name, key); err != nil {
		return fmt.Errorf("eventbridge event %s: %w", ev.ID, err)
	}
	return nil
}
