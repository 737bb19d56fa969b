// Package benchmeter times the upstream's part of a benchmark (the emulator's
// round trips), so that benchmarks can report the binder's own share.
package benchmeter

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Meter is a RoundTripper that adds up the time its Inner transport takes: a
// benchmark reports the upstream's own cost measured in the same run, so that
// subtracting it does not mix two runs on a noisy machine.
type Meter struct {
	Inner http.RoundTripper
	spent atomic.Int64
}

// RoundTrip times Inner's round trip.
func (m *Meter) RoundTrip(req *http.Request) (*http.Response, error) {
	t := time.Now()
	resp, err := m.Inner.RoundTrip(req)
	m.spent.Add(int64(time.Since(t)))
	return resp, err
}

// Reset forgets the time spent so far.
func (m *Meter) Reset() { m.spent.Store(0) }

// NsPerOp is the time spent per operation over n operations.
func (m *Meter) NsPerOp(n int) float64 {
	if n <= 0 {
		return 0
	}
	return float64(m.spent.Load()) / float64(n)
}
