package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// snsEnvelope is an SNS notification as SQS receives it (S3 → SNS → SQS).
type snsEnvelope struct {
	Type    string `json:"Type"`
	Message string `json:"Message"`
}

// sqs ingests the S3 events the messages carry and reports the messages that failed, so that
// only those return to the queue.
func (h *Handler) sqs(ctx context.Context, log *slog.Logger, raw []byte) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	var ev events.SQSEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		// Not even the message ids can be read: fail the whole batch.
		return resp, errors.New("malformed SQS event")
	}
	for _, m := range ev.Records {
		l := log.With("sqs_message_id", m.MessageId)
		if err := h.sqsMessage(ctx, l, m.Body); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

func (h *Handler) sqsMessage(ctx context.Context, log *slog.Logger, body string) error {
	raw := []byte(body)
	var env snsEnvelope
	if json.Unmarshal(raw, &env) == nil && env.Type == "Notification" && env.Message != "" {
		raw = []byte(env.Message)
	}
	switch Detect(raw) {
	case KindTest:
		log.Info("s3 test event ignored")
		return nil
	case KindS3:
		var ev events.S3Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			log.Error("malformed S3 event in SQS message", "err", err)
			return err
		}
		return h.s3Records(ctx, log, ev.Records)
	}
	// Not an S3 event: let the queue's redrive policy move it to the dead-letter queue, where
	// someone can look at it.
	log.Error("SQS message is not an S3 event notification", "size", len(body))
	return errors.New("SQS message is not an S3 event notification")
}
