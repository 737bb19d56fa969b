package ledger

import (
	"context"
	"errors"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/redact"
)

// Query reads a binding upstream (core.Service.Query).
type Query func(ctx context.Context, r core.QueryRequest) (core.BindingDetail, error)

// reuseWait is how often a bind waiting for another of its order and
// number looks again.
const reuseWait = 25 * time.Millisecond

// Reuse is AXG_ORDER_BINDINGS=reuse (core.Options.Reuse): a bind naming an
// OutOrderId is answered by a live binding of that order and A number when
// there is one, and sends nothing; else it binds. The check and the bind
// run under a lock in the ledger, of the order and A's masked number, so
// that two binds at once, on any instances, make one binding. The ledger
// keeps A only masked, so the upstream says whether a live binding of the
// order is this A's (QuerySubscriptionDetail, one call a candidate: those
// whose masked A matches).
func (b *Bindings) Reuse(query Query) func(ctx context.Context, pool string, it *core.Item, bind func() (core.Binding, error)) (core.Binding, error) {
	return func(ctx context.Context, pool string, it *core.Item, bind func() (core.Binding, error)) (core.Binding, error) {
		masked := redact.Phone(it.PhoneNoA)
		deadline, ok := ctx.Deadline()
		if !ok {
			deadline = b.l.now().Add(15 * time.Second)
		}
		op := Op{Key: "reuse:" + pool + ":" + it.OutOrderId + ":" + masked, Fingerprint: "reuse", Resend: true,
			Deadline: deadline, TTL: time.Minute}
		var lock Claim
		for {
			c, err := b.l.Begin(ctx, op)
			if err != nil {
				return core.Binding{}, &core.Error{Code: core.CodeLedgerUnavailable, Origin: core.OriginBinder, Outcome: core.NotSent,
					Message: "AXG_ORDER_BINDINGS=reuse: the ledger cannot be reached to check the order: nothing was sent; try again"}
			}
			if c.Outcome == Run {
				lock = c
				break
			}
			// Another bind of this order and number runs: its binding may
			// be the answer. Wait for it, within the deadline.
			t := time.NewTimer(reuseWait)
			select {
			case <-ctx.Done():
				t.Stop()
				return core.Binding{}, &core.Error{Code: core.CodeIdempotencyKeyInFlight, Origin: core.OriginBinder, Outcome: core.NotSent,
					Message: "another bind of this order and number was still running at the deadline: nothing was sent; try again"}
			case <-t.C:
			}
		}
		// The lock only: its record holds no answer, and goes once the bind
		// (and its binding's record) is done.
		defer func() { _ = b.l.Abandon(ctx, lock) }()
		found, err := b.live(ctx, query, pool, it, masked)
		if err != nil || found.SubsId != "" {
			return found, err
		}
		return bind()
	}
}

// live finds a live binding of the item's order whose A is the item's A.
func (b *Bindings) live(ctx context.Context, query Query, pool string, it *core.Item, masked string) (core.Binding, error) {
	bs, err := b.Order(ctx, pool, it.OutOrderId)
	if err != nil {
		return core.Binding{}, &core.Error{Code: core.CodeLedgerUnavailable, Origin: core.OriginBinder, Outcome: core.NotSent,
			Message: "AXG_ORDER_BINDINGS=reuse: the order's bindings cannot be read: nothing was sent; try again"}
	}
	for _, x := range bs {
		if x.State != BindingLive || x.PhoneNoA != masked || x.SubsId == "" || x.SecretNo == "" {
			continue
		}
		d, err := query(ctx, core.QueryRequest{PoolKey: pool, SubsId: x.SubsId, PhoneNoX: x.SecretNo})
		var ce *core.Error
		switch {
		case errors.As(err, &ce) && ce.Outcome == core.Answered && !ce.Retryable():
			continue // the upstream no longer has it
		case err != nil:
			return core.Binding{}, &core.Error{Code: core.CodeUpstreamUnavailable, Origin: core.OriginTransport, Outcome: core.NotSent,
				Message: "AXG_ORDER_BINDINGS=reuse: the order's live binding could not be checked upstream: nothing was bound; try again"}
		case d.Status == 1 && d.PhoneNoA == it.PhoneNoA:
			return core.Binding{SecretNo: x.SecretNo, SubsId: x.SubsId, Extension: d.Extension, Reused: true}, nil
		}
	}
	return core.Binding{}, nil
}
