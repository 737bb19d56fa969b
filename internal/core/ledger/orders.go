package ledger

import (
	"context"
	"errors"

	"github.com/axg-binder/binder/internal/core"
)

var _ core.OrderBook = (*Bindings)(nil)

// UnbindOrder unbinds every live binding of an order, in turn, and answers
// one result per binding, newest first. It is idempotent: a binding found
// unbound or expired answers OK, and a repeat finds them so. A binding of
// unknown outcome is reported as such and never guessed at.
func (b *Bindings) UnbindOrder(ctx context.Context, u core.Unbinder, pool, order string) ([]core.OrderResult, error) {
	bs, err := b.Order(ctx, pool, order)
	if err != nil {
		return nil, err
	}
	out := make([]core.OrderResult, 0, len(bs))
	for _, x := range bs {
		r := core.OrderResult{SubsId: x.SubsId, SecretNo: x.SecretNo, PhoneNoA: x.PhoneNoA, State: x.State, Code: core.CodeOK, Message: "OK"}
		switch x.State {
		case BindingUnbound:
			r.Message = "unbound before"
		case BindingExpired:
			r.Message = "expired at its Expiration: the upstream released it"
		case BindingUnknown:
			r.Code = core.CodeUpstreamTimeout
			r.Message = "this bind's outcome is unknown: nothing was unbound (query-subs-id on its X tells whether it was made)"
		case BindingLive:
			err := u.Unbind(ctx, core.UnbindRequest{PoolKey: pool, SubsId: x.SubsId, SecretNo: x.SecretNo})
			var ce *core.Error
			switch {
			case err == nil:
				r.State = BindingUnbound
			case errors.As(err, &ce) && ce.Code == core.CodeSubsNotExist:
				// Gone upstream (unbound elsewhere): so it is, for the order too.
				b.Unbound(ctx, core.UnbindRequest{PoolKey: pool, SubsId: x.SubsId, SecretNo: x.SecretNo})
				r.State, r.Message = BindingUnbound, "the upstream no longer had it"
			default:
				ce = core.AsError(err)
				r.Code, r.Message = ce.Code, ce.Message
			}
		}
		out = append(out, r)
	}
	return out, nil
}
