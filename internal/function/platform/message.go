package platform

import (
	"context"
	"errors"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/message"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/objstore"
)

// Message is one message a queue or topic delivers (MNS, SQS): the
// message path's neutral event.
type Message struct {
	ID   string `json:"id"`
	Body string `json:"body"`
}

// Handled is what became of one message.
type Handled struct {
	MessageId string    `json:"messageId"`
	Kind      string    `json:"kind"`
	Code      core.Code `json:"code"`
	Result    string    `json:"result,omitempty"` // the record's object key
	// Again says the message must be delivered again: the upstream did not
	// act on it (throttled, unreachable), or Err, the ledger or the results'
	// store failed.
	Again bool  `json:"-"`
	Err   error `json:"-"`
}

// HandleMessages is the message path's one pipeline, on every cloud: each
// message is acted on once by the ledger's rules (internal/core/message), its result
// written to results, where the sender reads it. Every message is handled,
// whatever became of the one before; the adapter tells its platform which
// must come again.
func HandleMessages(ctx context.Context, env *wiring.Env, queue string, results objstore.Records, msgs []Message) []Handled {
	cfg := env.Config.Messages
	mh := &message.Handler{Service: env.Service, Validator: env.Validator, Ledger: env.Ledger,
		Scope: cfg.ResultBucket + "/" + cfg.Prefix, Results: results, DefaultPool: cfg.PoolKey, Metrics: env.Metrics}
	out := make([]Handled, 0, len(msgs))
	for _, m := range msgs {
		res, err := mh.Handle(ctx, m.ID, []byte(m.Body))
		h := Handled{MessageId: m.ID, Kind: res.Kind, Code: res.Code, Result: results.Key(m.ID), Again: err != nil}
		var retry message.Retry
		if err != nil && !errors.As(err, &retry) {
			h.Err = err
			env.Log.ErrorContext(ctx, "message", "queue", queue, "message_id", m.ID, "error", err.Error())
		} else {
			env.Log.InfoContext(ctx, "message", "queue", queue, "message_id", m.ID, "kind", res.Kind, "code", string(res.Code), "retry", err != nil)
		}
		out = append(out, h)
	}
	return out
}
