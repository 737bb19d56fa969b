package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
)

// The order routes (docs/orders-and-receipts.md): an order's bindings
// as the ledger keeps them, looked up and unbound by the caller's own
// OutOrderId.

// OrderAnswer answers order/get: the order's bindings, newest first.
type OrderAnswer struct {
	core.Answer
	PoolKey    string           `json:"PoolKey"`
	OutOrderId string           `json:"OutOrderId"`
	Bindings   []ledger.Binding `json:"Bindings"`
}

// OrderUnbindAnswer answers order/unbind: one result per binding.
type OrderUnbindAnswer struct {
	core.Answer
	PoolKey    string             `json:"PoolKey"`
	OutOrderId string             `json:"OutOrderId"`
	Results    []core.OrderResult `json:"Results"`
}

func orderAttrs(q *core.OrderRequest) []slog.Attr {
	return []slog.Attr{pool(q.PoolKey), slog.String("out_order_id", given(q.OutOrderId))}
}

// orders is the ledger's bindings, or why there are none to read.
func (h *Handler) orders() (*ledger.Bindings, error) {
	if h.cfg.Orders == nil {
		return nil, core.OrdersNotKept()
	}
	return h.cfg.Orders, nil
}

// ledgerError is a ledger's failure as the caller is told it.
func ledgerError(err error) error {
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	return core.Errorf(core.CodeLedgerUnavailable, "the ledger cannot be reached: try again ("+redactText(err.Error())+")")
}

func (h *Handler) orderGet(w http.ResponseWriter, r *http.Request) {
	serveOp(h, w, r, h.v.DecodeOrder, orderAttrs, func(ctx context.Context, q *core.OrderRequest) (any, error) {
		o, err := h.orders()
		if err != nil {
			return nil, err
		}
		bs, err := o.Order(ctx, q.PoolKey, q.OutOrderId)
		if err != nil {
			return nil, ledgerError(err)
		}
		return OrderAnswer{Answer: h.ok(r), PoolKey: q.PoolKey, OutOrderId: q.OutOrderId, Bindings: bs}, nil
	})
}

func (h *Handler) orderUnbind(w http.ResponseWriter, r *http.Request) {
	serveOp(h, w, r, h.v.DecodeOrder, orderAttrs, func(ctx context.Context, q *core.OrderRequest) (any, error) {
		res, err := h.svc.UnbindOrder(ctx, *q)
		if err != nil {
			return nil, ledgerError(err)
		}
		a := OrderUnbindAnswer{Answer: h.ok(r), PoolKey: q.PoolKey, OutOrderId: q.OutOrderId, Results: res}
		failed := 0
		for _, x := range res {
			if x.Code != core.CodeOK {
				failed++
			}
		}
		if failed > 0 {
			// Each result says its own; the answer is 200, as batch-bind's.
			a.Message = fmt.Sprintf("%d of %d bindings not unbound: see Results", failed, len(res))
		}
		return a, nil
	})
}
