// Package message binds what a message asks for — a BindAxg or a
// BindBatchAxg body, told apart by AxgBindList, or an unbind or update —
// exactly once per message ID, however often the queue delivers it, by the
// ledger's rules, and writes the result where the sender can read it.
package message

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/core/validate"
)

// Result is what a message came to: the answer the HTTP API would give.
type Result struct {
	MessageId string `json:"MessageId"`
	// Kind is "bind", "batch-bind", "unbind", "update", or "invalid" for a
	// body that is none of them.
	Kind    string            `json:"Kind"`
	Code    core.Code         `json:"Code"`
	Message string            `json:"Message"`
	Errors  []core.FieldError `json:"Errors,omitempty"`
	// SecretBindDTO answers a bind; SecretBind a batch-bind, per item in order.
	SecretBindDTO *core.Binding     `json:"SecretBindDTO,omitempty"`
	SecretBind    []core.ItemResult `json:"SecretBind,omitempty"`
	// Results answers an unbind by order, one per binding of the order.
	Results  []core.OrderResult `json:"Results,omitempty"`
	Finished time.Time          `json:"Finished"`
}

// Record is what a message's result object holds, where its sender reads
// it: the result, done.
type Record struct {
	State  string `json:"State"` // "done"
	Result Result `json:"Result"`
}

// Results is where senders read each message's result: an OSS or S3
// prefix. A write replaces what is there (a redelivery writes the same).
type Results interface {
	Put(ctx context.Context, id string, r Record) error
}

// Retry says the upstream did not act on the message (throttled, or not
// reachable before the deadline): nothing was bound, so the message should be
// delivered again. Return it to the platform.
type Retry struct{ Result Result }

func (r Retry) Error() string {
	return "message " + r.Result.MessageId + ": " + string(r.Result.Code) + ", to be retried"
}

// TTL is how long the ledger keeps a message's answer: longer than any
// queue keeps a message for redelivery (MNS 7 days, SQS and a dead-letter
// queue 14).
const TTL = 15 * 24 * time.Hour

// defaultDeadline bounds a delivery whose context has no deadline.
const defaultDeadline = 15 * time.Minute

// Handler binds messages, each once per message ID, by the ledger's rules
// (internal/core/ledger): the same ones as an Idempotency-Key's.
type Handler struct {
	Service   *core.Service
	Validator *validate.Validator
	// Ledger records each message's answer under Scope and its ID.
	Ledger *ledger.Ledger
	// Scope keeps apart the message IDs of queues whose results go to
	// different places (the bucket and prefix, say).
	Scope string
	// Results is where the sender reads the result (nil: nowhere).
	Results     Results
	DefaultPool string
	// Metrics counts what the messages bound (none when nil).
	Metrics metrics.Sink
}

// Handle binds the message id with body once. A message seen before answers
// from its record; one whose earlier delivery died while sending answers
// UpstreamTimeout (outcome unknown) and is not sent again (an unbind or
// update is). It returns Retry when the message should come again, and a
// plain error when the ledger or the results' place fails. A message
// without an ID is answered invalid and not bound.
func (h *Handler) Handle(ctx context.Context, id string, body []byte) (Result, error) {
	if id == "" {
		// Records are kept per ID: without one, "once" cannot be kept.
		return Result{Kind: "invalid", Code: core.CodeInvalidParameters,
			Message: "the message has no ID, so it cannot be bound exactly once: not bound"}, nil
	}
	task, batch, isBatch, e := h.Validator.DecodeMessage(decodeBody(body), h.DefaultPool)
	kind := kindBind
	switch {
	case isBatch:
		kind = kindBatch
	case task.Action == core.ActionUnbind:
		kind = kindUnbind
	case task.Action == core.ActionUpdate:
		kind = kindUpdate
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultDeadline)
	}
	sum := sha256.Sum256(body)
	claim, err := h.Ledger.Begin(ctx, ledger.Op{Key: "message:" + h.Scope + ":" + id, Fingerprint: hex.EncodeToString(sum[:]),
		Resend: kind == kindUnbind || kind == kindUpdate, Deadline: deadline, TTL: TTL})
	if err != nil {
		return Result{}, err
	}
	res := Result{MessageId: id, Kind: kind}
	switch claim.Outcome {
	case ledger.Replay:
		if err := json.Unmarshal(claim.Record.Body, &res); err != nil {
			return Result{}, fmt.Errorf("message %s: its record: %w", id, err)
		}
		return res, h.put(ctx, id, res) // the first delivery's write may have failed
	case ledger.InFlight:
		res.Code, res.Message = core.CodeUpstreamUnavailable, "another delivery of this message is being sent"
		return res, Retry{Result: res}
	case ledger.Reused:
		res.Kind, res.Code = "invalid", core.CodeInvalidParameters
		res.Message = "this message ID came before with another body: not acted on (its first result stands)"
		return res, nil
	case ledger.Unknown:
		res.Code = core.CodeUpstreamTimeout
		res.Message = "an earlier delivery stopped while this message was being sent: its outcome is unknown, and it was not sent again"
		return h.finish(ctx, claim, res)
	}
	if claim.TookOver {
		ctx = core.AfterUnknown(ctx) // an unbind or update sent again: "gone" may be the first's doing
	}
	var again bool
	switch {
	case e != nil:
		res.Code, res.Message, res.Errors = e.Code, e.Message, e.Fields
		if kind == kindBind && len(e.Fields) == 0 {
			res.Kind = "invalid"
		}
	case kind == kindBatch:
		again = h.batch(ctx, batch, &res)
	case kind == kindUnbind && task.ByOrder:
		again = h.unbindOrder(ctx, task.Order, &res)
	case kind == kindUnbind:
		again = h.operate(&res, h.Service.Unbind(ctx, task.Unbind))
	case kind == kindUpdate:
		again = h.operate(&res, h.Service.Update(ctx, task.Update))
	default:
		b, err := h.Service.Bind(ctx, task.Bind)
		if again = h.operate(&res, err); err == nil {
			res.SecretBindDTO = &b
		}
	}
	if again {
		if err := h.Ledger.Abandon(ctx, claim); err != nil {
			return res, err
		}
		return res, Retry{Result: res}
	}
	return h.finish(ctx, claim, res)
}

const (
	kindBind   = "bind"
	kindBatch  = "batch-bind"
	kindUnbind = "unbind"
	kindUpdate = "update"
)

// operate sets res from a call's error, and says whether the message should
// come again: the upstream did not act on it.
func (h *Handler) operate(res *Result, err error) (again bool) {
	if err == nil {
		res.Code, res.Message = core.CodeOK, "OK"
		return false
	}
	ce := core.AsError(err)
	res.Code, res.Message = ce.Code, ce.Message
	return ce.Outcome == core.NotSent || (ce.Outcome == core.Answered && ce.Retryable())
}

// unbindOrder unbinds an order's live bindings, and says whether the
// message should come again: the order could not be read, or a binding's
// unbind was not acted on (an unbind by order is idempotent: those done
// answer OK again).
func (h *Handler) unbindOrder(ctx context.Context, q core.OrderRequest, res *Result) (again bool) {
	rs, err := h.Service.UnbindOrder(ctx, q)
	if err != nil {
		ce := core.AsError(err)
		res.Code, res.Message = ce.Code, ce.Message
		return ce.Code != core.CodeOrdersNotKept
	}
	res.Code, res.Message, res.Results = core.CodeOK, fmt.Sprintf("%d bindings of the order", len(rs)), rs
	for _, r := range rs {
		if r.Code == core.CodeOK {
			continue
		}
		if r.Code == core.CodeUpstreamUnavailable || r.Code.Transient() {
			again = true
		}
		res.Code, res.Message = r.Code, "not every binding of the order was unbound: see Results"
	}
	return again
}

// batch binds a batch, and says whether the whole message should come
// again: nothing bound, and every sendable item refused before acting.
func (h *Handler) batch(ctx context.Context, req core.BatchRequest, res *Result) (again bool) {
	res.Code, res.Message, res.SecretBind = core.CodeOK, "OK", h.Service.BatchBind(ctx, req)
	sendable, untouched := 0, 0
	for i, it := range res.SecretBind {
		if req.Items[i].Err != nil {
			continue
		}
		sendable++
		if it.Code == core.CodeUpstreamUnavailable || it.Code.Throttled() {
			untouched++
		}
	}
	if sendable > 0 && untouched == sendable {
		res.Code, res.Message = res.SecretBind[0].Code, "no item was bound: "+res.SecretBind[0].Message
		return true
	}
	return false
}

// finish records the answer in the ledger, then where the sender reads it.
func (h *Handler) finish(ctx context.Context, claim ledger.Claim, res Result) (Result, error) {
	res.Finished = time.Now().UTC()
	if n := res.bound(); n > 0 {
		metrics.Or(h.Metrics).Add(&metrics.Bound, float64(n), "message")
	}
	b, err := json.Marshal(res)
	if err != nil {
		return res, err
	}
	if err := h.Ledger.Finish(ctx, claim, ledger.Answer{Status: 200, ContentType: "application/json", Body: b}); err != nil {
		return res, err
	}
	return res, h.put(ctx, res.MessageId, res)
}

func (h *Handler) put(ctx context.Context, id string, res Result) error {
	if h.Results == nil {
		return nil
	}
	return h.Results.Put(ctx, id, Record{State: "done", Result: res})
}

// bound is how many bindings the result made.
func (r *Result) bound() int {
	switch {
	case r.Kind == "bind" && r.Code == core.CodeOK:
		return 1
	case r.Kind == "batch-bind":
		n := 0
		for _, it := range r.SecretBind {
			if it.Code == core.CodeOK {
				n++
			}
		}
		return n
	}
	return 0
}

// decodeBody accepts a JSON body as is, or base64 of one.
func decodeBody(b []byte) []byte {
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == '{' {
		return t
	}
	if d, err := base64.StdEncoding.DecodeString(string(t)); err == nil {
		return bytes.TrimSpace(d)
	}
	return t
}
