package core

import (
	"context"
	"sync"
)

// Call is one upstream call, for the request's log line.
type Call struct {
	Action    string  `json:"action"`
	RequestID string  `json:"request_id,omitempty"`
	Code      Code    `json:"code"`
	Items     int     `json:"items,omitempty"`
	Ms        float64 `json:"ms"`
}

// Trace collects the upstream calls made for one request. It is safe for
// concurrent use (a batch's chunks are sent concurrently).
type Trace struct {
	mu    sync.Mutex
	calls []Call
}

type traceKey struct{}

// WithTrace returns a context whose upstream calls are recorded in the Trace.
func WithTrace(ctx context.Context) (context.Context, *Trace) {
	t := &Trace{}
	return context.WithValue(ctx, traceKey{}, t), t
}

// RecordCall adds c to the context's Trace, if it has one.
func RecordCall(ctx context.Context, c Call) {
	if t, ok := ctx.Value(traceKey{}).(*Trace); ok {
		t.mu.Lock()
		t.calls = append(t.calls, c)
		t.mu.Unlock()
	}
}

// Calls returns the calls recorded so far.
func (t *Trace) Calls() []Call {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Call(nil), t.calls...)
}
