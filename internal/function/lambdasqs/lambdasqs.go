// Package lambdasqs binds what SQS messages ask for on AWS Lambda, the twin of
// the MNS path: it translates the SQS event into platform.Messages for the
// message path's one pipeline, results written to S3. A message that must
// come again is reported in batchItemFailures (ReportBatchItemFailures), so
// SQS redelivers it alone, not the whole batch.
package lambdasqs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/function/awsenv"
	"github.com/axg-binder/binder/internal/function/platform"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/s3store"
)

// Handler handles SQS events, as env's message part says.
type Handler struct {
	Env    *wiring.Env
	Client *s3.Client
}

// Invoke binds the batch's messages; its answer is an
// events.SQSEventResponse naming those that must come again.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("not an SQS event: %w", err)
	}
	ctx = request.With(ctx, awsenv.FromContext(ctx))
	cfg := h.Env.Config.Messages
	var out events.SQSEventResponse
	for _, m := range platform.HandleMessages(ctx, h.Env, "sqs", s3store.Records(h.Client, cfg.ResultBucket, cfg.Prefix), Messages(ev)) {
		if m.Again {
			out.BatchItemFailures = append(out.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return json.Marshal(out)
}

// Messages are the event's records as platform.Messages.
func Messages(ev events.SQSEvent) []platform.Message {
	out := make([]platform.Message, len(ev.Records))
	for i, rec := range ev.Records {
		out[i] = platform.Message{ID: rec.MessageId, Body: rec.Body}
	}
	return out
}
