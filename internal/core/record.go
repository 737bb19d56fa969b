package core

import (
	"context"
	"time"
)

// Recorder is told of every binding the Service makes, unmakes, or loses
// track of (a bind whose outcome is unknown), whichever path it came by
// (HTTP, files, messages): the ledger's bindings (internal/core/ledger.Bindings).
// It keeps its own failures to itself: the binding stands either way.
type Recorder interface {
	// Bound records the bindings of one call or batch at once.
	Bound(ctx context.Context, pool string, made []Made)
	Unbound(ctx context.Context, r UnbindRequest)
}

// Made is one bind's end: the binding made, or, when Unknown, a bind whose
// outcome is not known.
type Made struct {
	Item    *Item
	Binding Binding
	Unknown bool
}

// recordCtx bounds a record by the request's deadline (2 s where there is
// none), but gives it at least a moment when the call took the deadline to
// its end.
func recordCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		dl = time.Now().Add(2 * time.Second)
	}
	dl = later(dl, time.Now().Add(250*time.Millisecond))
	return context.WithDeadline(context.WithoutCancel(ctx), dl)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// recordBound tells the recorder of a bind's end: made, or unknown.
func (s *Service) recordBound(ctx context.Context, pool string, it *Item, b Binding, e *Error) {
	r := s.opts.Recorder
	if r == nil || e != nil && e.Outcome != Unknown {
		return
	}
	ctx, cancel := recordCtx(ctx)
	defer cancel()
	r.Bound(ctx, pool, []Made{{Item: it, Binding: b, Unknown: e != nil}})
}

// recordBatch tells the recorder of a chunk's bindings (the items at idx),
// made or unknown.
func (s *Service) recordBatch(ctx context.Context, req BatchRequest, idx []int, out []ItemResult) {
	r := s.opts.Recorder
	if r == nil {
		return
	}
	var made []Made
	for _, i := range idx {
		it := &req.Items[i].Item
		switch {
		case out[i].Code == CodeOK:
			made = append(made, Made{Item: it, Binding: Binding{SecretNo: out[i].SecretNo, SubsId: out[i].SubsId}})
		case out[i].Code == CodeUpstreamTimeout:
			made = append(made, Made{Item: it, Unknown: true})
		}
	}
	if len(made) == 0 {
		return
	}
	ctx, cancel := recordCtx(ctx)
	defer cancel()
	r.Bound(ctx, req.PoolKey, made)
}
