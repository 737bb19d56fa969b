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
	"fmt"
	"net/http"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/function/platform"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/ossstore"
)

// Handler handles MNS queue and topic events, as env's message part says.
type Handler struct {
	env *wiring.Env
	// HTTPClient carries OSS requests (nil: the SDK's own).
	HTTPClient *http.Client
}

// New returns the handler.
func New(env *wiring.Env) *Handler { return &Handler{env: env} }

// Outcome lists each message's result by ID and code: no numbers, which the
// records under the result prefix hold.
type Outcome struct {
	Messages []platform.Handled `json:"messages"`
}

// Invoke binds the messages of one delivery. It fails the invocation when a
// message must come again (throttled, the upstream unreachable, the ledger
// or OSS failing); messages already done answer from their records on
// redelivery.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
	msgs, region, err := Messages(payload)
	if err != nil {
		return nil, err
	}
	cfg := h.env.Config.Messages
	inv := fcenv.FromContext(ctx, h.env.Config.Core.Credentials())
	if inv.Region == "" {
		inv.Region = region
	}
	store := ossstore.Records(fcenv.OSS(inv, cfg.OSSEndpoint, h.HTTPClient), cfg.ResultBucket, cfg.Prefix)
	out := Outcome{Messages: platform.HandleMessages(request.With(ctx, inv.Info), h.env, "mns", store, msgs)}
	b, _ := json.Marshal(out)
	again := 0
	for _, m := range out.Messages {
		if m.Err != nil {
			return b, fmt.Errorf("message %s: %w", m.MessageId, m.Err) // the ledger or OSS failed: deliver again
		}
		if m.Again {
			again++
		}
	}
	if again > 0 {
		return b, fmt.Errorf("%d of %d messages were not acted on upstream (throttled or unreachable) and must come again", again, len(msgs))
	}
	return b, nil
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
