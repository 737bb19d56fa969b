package core

import (
	"context"
	"time"
)

// Recorder is told of every binding the Service makes, unmakes, or loses
// track of (a bind whose outcome is unknown), whichever path it came by
// (HTTP, files, messages): the ledger's bindings (core/ledger.Bindings).
// It keeps its own failures to itself: the binding stands either way.
type Recorder interface {
	Bound(ctx context.Context, pool string, it *Item, b Binding)
	Unknown(ctx context.Context, pool string, it *Item)
	Unbound(ctx context.Context, r UnbindRequest)
}

// recordCtx bounds a record by the request's deadline, but gives it a
// moment even when the call took the deadline to its end.
func recordCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if least := time.Now().Add(250 * time.Millisecond); !ok || dl.Before(least) {
		dl = least
		if !ok {
			dl = time.Now().Add(2 * time.Second)
		}
	}
	return context.WithDeadline(context.WithoutCancel(ctx), dl)
}

// recordBound tells the recorder of a bind's end: made, or unknown.
func (s *Service) recordBound(ctx context.Context, pool string, it *Item, b Binding, e *Error) {
	r := s.opts.Recorder
	if r == nil || e != nil && e.Outcome != Unknown {
		return
	}
	ctx, cancel := recordCtx(ctx)
	defer cancel()
	if e != nil {
		r.Unknown(ctx, pool, it)
		return
	}
	r.Bound(ctx, pool, it, b)
}

// recordBatch tells the recorder of a batch's bindings, made or unknown.
func (s *Service) recordBatch(ctx context.Context, req BatchRequest, out []ItemResult) {
	r := s.opts.Recorder
	if r == nil {
		return
	}
	ctx, cancel := recordCtx(ctx)
	defer cancel()
	for i := range out {
		it := &req.Items[i].Item
		switch {
		case req.Items[i].Err != nil:
		case out[i].Code == CodeOK:
			r.Bound(ctx, req.PoolKey, it, Binding{SecretNo: out[i].SecretNo, SubsId: out[i].SubsId})
		case out[i].Code == CodeUpstreamTimeout:
			r.Unknown(ctx, req.PoolKey, it)
		}
	}
}
