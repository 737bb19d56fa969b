// Package message binds what a message asks for — a BindAxg or a
// BindBatchAxg body, told apart by AxgBindList — exactly once per message ID,
// however often the queue delivers it, and records the result where the
// sender can read it.
package message

import (
	"bytes"
	"context"
	"encoding/base64"
	"time"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/metrics"
	"github.com/axg-binder/binder/core/validate"
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
	Finished      time.Time         `json:"Finished"`
}

// Record is what the store keeps per message ID.
type Record struct {
	// State is "sending" from just before the upstream call until the result
	// is saved as "done".
	State  string `json:"State"`
	Result Result `json:"Result"`
}

// Store keeps records by message ID: an OSS prefix, a folder.
type Store interface {
	// Load returns the record, or nil.
	Load(ctx context.Context, id string) (*Record, error)
	Save(ctx context.Context, id string, r Record) error
	// Claim writes r only if the message has no record yet, and says whether
	// it did: of two deliveries running at once, one claims the message.
	Claim(ctx context.Context, id string, r Record) (bool, error)
	// Forget removes a record: the message was not acted on and will come again.
	Forget(ctx context.Context, id string) error
}

// Retry says the upstream did not act on the message (throttled, or not
// reachable before the deadline): nothing was bound, so the message should be
// delivered again. Return it to the platform.
type Retry struct{ Result Result }

func (r Retry) Error() string {
	return "message " + r.Result.MessageId + ": " + string(r.Result.Code) + ", to be retried"
}

// Handler binds messages.
type Handler struct {
	Service     *core.Service
	Validator   *validate.Validator
	Store       Store
	DefaultPool string
	// Metrics counts what the messages bound (none when nil).
	Metrics metrics.Sink
}

// Handle binds the message id with body once. A message seen before answers
// from its record; one whose earlier delivery died while sending answers
// UpstreamTimeout (outcome unknown) and is not sent again. It returns Retry
// when the message should come again, and a plain error when the store fails.
// A message without an ID is answered invalid and not bound.
func (h *Handler) Handle(ctx context.Context, id string, body []byte) (Result, error) {
	if id == "" {
		// Records are kept per ID: without one, "once" cannot be kept.
		return Result{Kind: "invalid", Code: core.CodeInvalidParameters,
			Message: "the message has no ID, so it cannot be bound exactly once: not bound"}, nil
	}
	rec, err := h.Store.Load(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if rec != nil && rec.State == "done" {
		return rec.Result, nil
	}
	resend := false
	if rec != nil && rec.State == "sending" && (rec.Result.Kind == kindUnbind || rec.Result.Kind == kindUpdate) {
		// An unbind or update may go again after an unknown outcome.
		resend, ctx = true, core.AfterUnknown(ctx)
	} else if rec != nil && rec.State == "sending" {
		res := Result{MessageId: id, Kind: rec.Result.Kind, Code: core.CodeUpstreamTimeout,
			Message: "an earlier delivery stopped while this message was being sent: its outcome is unknown, and it was not sent again"}
		return h.finish(ctx, id, res)
	}
	task, batch, isBatch, e := h.Validator.DecodeMessage(decodeBody(body), h.DefaultPool)
	switch {
	case isBatch:
		return h.batch(ctx, id, batch, e)
	case task.Action == core.ActionUnbind:
		return h.operate(ctx, id, kindUnbind, e, resend, func() error { return h.Service.Unbind(ctx, task.Unbind) })
	case task.Action == core.ActionUpdate:
		return h.operate(ctx, id, kindUpdate, e, resend, func() error { return h.Service.Update(ctx, task.Update) })
	}
	return h.bind(ctx, id, task.Bind, e)
}

const (
	kindUnbind = "unbind"
	kindUpdate = "update"
)

// operate runs an unbind or update message; resend says an earlier
// delivery died while sending it (the record says "sending" already).
func (h *Handler) operate(ctx context.Context, id, kind string, e *core.Error, resend bool, call func() error) (Result, error) {
	res := Result{MessageId: id, Kind: kind}
	if e != nil {
		res.Code, res.Message, res.Errors = e.Code, e.Message, e.Fields
		return h.finish(ctx, id, res)
	}
	if !resend {
		if claimed, err := h.Store.Claim(ctx, id, Record{State: "sending", Result: res}); err != nil || !claimed {
			return h.claimedElsewhere(ctx, id, res, err)
		}
	}
	res.Code, res.Message = core.CodeOK, "OK"
	if err := call(); err != nil {
		ce := core.AsError(err)
		res.Code, res.Message = ce.Code, ce.Message
		if ce.Outcome == core.NotSent || (ce.Outcome == core.Answered && ce.Retryable()) {
			return res, h.retry(ctx, id, res)
		}
	}
	return h.finish(ctx, id, res)
}

func (h *Handler) bind(ctx context.Context, id string, req core.BindRequest, e *core.Error) (Result, error) {
	res := Result{MessageId: id, Kind: "bind"}
	if e != nil {
		if len(e.Fields) == 0 {
			res.Kind = "invalid"
		}
		res.Code, res.Message, res.Errors = e.Code, e.Message, e.Fields
		return h.finish(ctx, id, res)
	}
	if claimed, err := h.Store.Claim(ctx, id, Record{State: "sending", Result: res}); err != nil || !claimed {
		return h.claimedElsewhere(ctx, id, res, err)
	}
	b, err := h.Service.Bind(ctx, req)
	if err != nil {
		ce := core.AsError(err)
		res.Code, res.Message = ce.Code, ce.Message
		if ce.Outcome == core.NotSent || (ce.Outcome == core.Answered && ce.Retryable()) {
			return res, h.retry(ctx, id, res)
		}
		return h.finish(ctx, id, res)
	}
	res.Code, res.Message, res.SecretBindDTO = core.CodeOK, "OK", &b
	return h.finish(ctx, id, res)
}

func (h *Handler) batch(ctx context.Context, id string, req core.BatchRequest, e *core.Error) (Result, error) {
	res := Result{MessageId: id, Kind: "batch-bind"}
	if e != nil {
		res.Code, res.Message, res.Errors = e.Code, e.Message, e.Fields
		return h.finish(ctx, id, res)
	}
	if claimed, err := h.Store.Claim(ctx, id, Record{State: "sending", Result: res}); err != nil || !claimed {
		return h.claimedElsewhere(ctx, id, res, err)
	}
	res.Code, res.Message, res.SecretBind = core.CodeOK, "OK", h.Service.BatchBind(ctx, req)
	// Nothing bound and every sendable item refused before acting: the whole
	// message can come again.
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
		return res, h.retry(ctx, id, res)
	}
	return h.finish(ctx, id, res)
}

// claimedElsewhere answers a delivery that lost the claim to another one
// running at the same time: from the record if it is done, else by asking to
// come again, when it will be.
func (h *Handler) claimedElsewhere(ctx context.Context, id string, res Result, err error) (Result, error) {
	if err != nil {
		return Result{}, err
	}
	if rec, err := h.Store.Load(ctx, id); err != nil || rec != nil && rec.State == "done" {
		if err != nil {
			return Result{}, err
		}
		return rec.Result, nil
	}
	res.Code, res.Message = core.CodeUpstreamUnavailable, "another delivery of this message is being sent"
	return res, Retry{Result: res}
}

func (h *Handler) finish(ctx context.Context, id string, res Result) (Result, error) {
	res.Finished = time.Now().UTC()
	if n := res.bound(); n > 0 {
		metrics.Or(h.Metrics).Add(&metrics.Bound, float64(n), "message")
	}
	return res, h.Store.Save(ctx, id, Record{State: "done", Result: res})
}

func (h *Handler) retry(ctx context.Context, id string, res Result) error {
	if err := h.Store.Forget(ctx, id); err != nil {
		return err
	}
	return Retry{Result: res}
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
