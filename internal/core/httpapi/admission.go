package httpapi

import (
	"context"
	"net/http"
	"sync"
)

// admission admits requests only while the memory their bodies take fits
// a budget (docs/http-api.md): an instance
// serving many requests at once (FC web) answers 503 past it rather than
// be killed for memory.
type admission struct {
	mu   sync.Mutex
	max  int64
	used int64
	wake chan struct{} // closed, and replaced, when bytes are given back
}

func newAdmission(max int64) *admission {
	return &admission{max: max, wake: make(chan struct{})}
}

// bodyCost is what a request costs in memory for each byte of its body
// while it is decoded, sent and answered, the collector's headroom
// included: measured by axg-bench -only inflight (100 batch-binds of
// 0.87 MB at once at 256 MB), about 7.6 MB resident a request. With 4, 38
// were admitted and the peak was 188 MB; with 8, 19 and 160-170 MB;
// before any bound, 100 and 252 MB.
const bodyCost = 8

// acquire takes n bytes of the budget, waiting until ctx ends, and
// returns what it took (a request larger than the whole budget is admitted
// alone), or false.
func (a *admission) acquire(ctx context.Context, n int64) (int64, bool) {
	n = min(n, a.max)
	for {
		a.mu.Lock()
		if a.used+n <= a.max {
			a.used += n
			a.mu.Unlock()
			return n, true
		}
		wake := a.wake
		a.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return 0, false
		}
	}
}

func (a *admission) release(n int64) {
	a.mu.Lock()
	a.used -= n
	close(a.wake)
	a.wake = make(chan struct{})
	a.mu.Unlock()
}

// admit waits for r's body's share of the budget, at most AdmitWait, and
// returns the function that gives it back; false when it did not come.
func (h *Handler) admit(r *http.Request) (release func(), ok bool) {
	if h.admission == nil {
		return func() {}, true
	}
	n := h.cfg.MaxBodyBytes // chunked: as large as it may be
	if r.ContentLength >= 0 {
		n = min(r.ContentLength, h.cfg.MaxBodyBytes)
	}
	wait, cancel := context.WithTimeout(r.Context(), h.cfg.AdmitWait)
	defer cancel()
	took, ok := h.admission.acquire(wait, bodyCost*n)
	return func() { h.admission.release(took) }, ok
}
