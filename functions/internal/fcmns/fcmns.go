// Package fcmns binds what MNS messages ask for: the handler of Function
// Compute's MNS queue trigger, which EventBridge delivers as a CloudEvent, or
// an array of them in event-stream mode, and of its MNS topic trigger (JSON or
// STREAM format). Each message's
// result is written to OSS under its message ID, where the sender reads it.
package fcmns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/message"
	"github.com/axg-binder/binder/core/request"
	"github.com/axg-binder/binder/functions/internal/binder"
	"github.com/axg-binder/binder/functions/internal/fcrole"
	"github.com/axg-binder/binder/store/ossstore"
)

// Handler handles MNS queue and topic events, as env's message part says.
type Handler struct {
	env *binder.Env
	// HTTPClient carries OSS requests (nil: the SDK's own).
	HTTPClient *http.Client
}

// New returns the handler.
func New(env *binder.Env) *Handler { return &Handler{env: env} }

// Outcome lists each message's result by ID and code: no numbers, which the
// records under ResultPrefix hold.
type Outcome struct {
	Messages []Brief `json:"messages"`
}

// Brief is one message's outcome.
type Brief struct {
	MessageId string    `json:"messageId"`
	Kind      string    `json:"kind"`
	Code      core.Code `json:"code"`
	Result    string    `json:"result,omitempty"` // the record's object key
}

// Invoke binds the messages of one delivery. It fails the invocation when a
// message must come again (throttled, or the upstream unreachable: nothing was
// bound); messages already done answer from their records on redelivery.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (Outcome, error) {
	var out Outcome
	msgs, err := messages(payload)
	if err != nil {
		return out, err
	}
	cfg := h.env.Config.Messages
	inv := fcrole.FromContext(ctx, h.env.Config.Core.Credentials())
	ctx = request.With(ctx, inv.Info)
	if inv.Region == "" && len(msgs) > 0 && msgs[0].region != nil {
		inv.Region = *msgs[0].region
	}
	store := ossstore.Records(fcrole.OSS(inv, cfg.OSSEndpoint, h.HTTPClient), cfg.ResultBucket, cfg.Prefix)
	mh := &message.Handler{Service: h.env.Service, Validator: h.env.Validator, Ledger: h.env.Ledger,
		Scope: cfg.ResultBucket + "/" + cfg.Prefix, Results: store, DefaultPool: cfg.PoolKey, Metrics: h.env.Metrics}
	retries := 0
	for _, m := range msgs {
		id := m.id
		res, err := mh.Handle(ctx, id, []byte(m.body))
		var retry message.Retry
		switch {
		case errors.As(err, &retry):
			retries++
		case err != nil:
			return out, fmt.Errorf("message %s: %w", id, err) // the ledger or OSS failed: deliver again
		}
		h.env.Log.InfoContext(ctx, "mns message", "message_id", id, "kind", res.Kind, "code", string(res.Code), "retry", err != nil)
		out.Messages = append(out.Messages, Brief{MessageId: id, Kind: res.Kind, Code: res.Code, Result: store.Key(id)})
	}
	if retries > 0 {
		return out, fmt.Errorf("%d of %d messages were not acted on upstream (throttled or unreachable) and must come again", retries, len(msgs))
	}
	return out, nil
}

// parse reads one CloudEvent, or an array of them (event-stream mode).
func parse(payload []byte) ([]events.MnsQueueEvent, error) {
	p := bytes.TrimSpace(payload)
	if len(p) > 0 && p[0] == '[' {
		var evs []events.MnsQueueEvent
		if err := json.Unmarshal(p, &evs); err != nil {
			return nil, fmt.Errorf("not MNS queue events: %w", err)
		}
		return evs, nil
	}
	var ev events.MnsQueueEvent
	if err := json.Unmarshal(p, &ev); err != nil {
		return nil, fmt.Errorf("not an MNS queue event: %w", err)
	}
	return []events.MnsQueueEvent{ev}, nil
}

func messageOf(ev events.MnsQueueEvent) (id, body string) {
	if ev.Data != nil {
		if ev.Data.MessageID != nil {
			id = *ev.Data.MessageID
		}
		if ev.Data.MessageBody != nil {
			body = *ev.Data.MessageBody
		}
	}
	if id == "" && ev.ID != nil {
		id = *ev.ID
	}
	return id, body
}
