// Package testclock is a settable clock for tests: what a binding's expiry
// runs on, moved forward by hand.
package testclock

import (
	"sync"
	"time"
)

// Clock starts at a time and moves only when told. Safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// At returns a clock at t.
func At(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time; give it as a clock option (WithClock).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
