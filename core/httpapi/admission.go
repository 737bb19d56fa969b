package httpapi

import (
	"context"
	"sync"
)

// admission admits requests only while the memory their bodies take fits
// a budget (contract.md, "Memory holds under concurrency"): an instance
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
// while it is decoded, sent and answered: 100 concurrent 1 MiB batch-binds
// held 268-275 MB resident (issue 25), about 2.6 bytes a byte above the
// idle instance; four leaves room for the garbage collector's headroom.
const bodyCost = 4

// acquire takes n bytes of the budget, waiting until ctx ends; a request
// larger than the whole budget is admitted alone.
func (a *admission) acquire(ctx context.Context, n int64) bool {
	n = min(n, a.max)
	for {
		a.mu.Lock()
		if a.used+n <= a.max {
			a.used += n
			a.mu.Unlock()
			return true
		}
		wake := a.wake
		a.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return false
		}
	}
}

func (a *admission) release(n int64) {
	n = min(n, a.max)
	a.mu.Lock()
	a.used -= n
	close(a.wake)
	a.wake = make(chan struct{})
	a.mu.Unlock()
}
