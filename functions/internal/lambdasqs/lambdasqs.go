// Package lambdasqs binds what SQS messages ask for on AWS Lambda, the twin of
// the MNS path: each record's body is a BindAxg or BindBatchAxg request, bound
// once per message ID, its result written to S3. A message the upstream did
// not act on is reported in batchItemFailures (ReportBatchItemFailures), so
// SQS redelivers it alone, not the whole batch.
package lambdasqs

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/axg-binder/binder/core/message"
	"github.com/axg-binder/binder/core/request"
)

// Handler handles SQS events.
type Handler struct {
	Messages *message.Handler
	Log      *slog.Logger
}

// Invoke binds the batch's messages.
func (h *Handler) Invoke(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var out events.SQSEventResponse
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		ctx = request.With(ctx, request.Info{ID: lc.AwsRequestID})
	}
	for _, rec := range ev.Records {
		res, err := h.Messages.Handle(ctx, rec.MessageId, []byte(rec.Body))
		var retry message.Retry
		if err != nil {
			out.BatchItemFailures = append(out.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
		if err != nil && !errors.As(err, &retry) {
			h.Log.ErrorContext(ctx, "sqs message", "message_id", rec.MessageId, "error", err.Error())
			continue
		}
		h.Log.InfoContext(ctx, "sqs message", "message_id", rec.MessageId, "kind", res.Kind, "code", string(res.Code), "retry", err != nil)
	}
	return out, nil
}
