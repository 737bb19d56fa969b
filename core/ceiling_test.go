package core

import (
	"testing"
	"time"
)

// TestCeilingHoldsInEveryWindow drives the limiter on a virtual clock, as
// fast as it lets calls through, and counts the calls in every one-second
// window, calendar-aligned or not: none may hold more than the ceiling.
func TestCeilingHoldsInEveryWindow(t *testing.T) {
	for _, qps := range []float64{1, 2, 10, 50, 99, 200, 5000} {
		l := NewLocalBudget(qps).lim
		start := time.Unix(1_700_000_000, 0)
		var at []time.Duration
		const step = 100 * time.Microsecond
		for d := time.Duration(0); d < 5*time.Second; d += step {
			for l.AllowN(start.Add(d), 1) {
				at = append(at, d)
			}
		}
		// A sliding window over the admission times; calendar windows are among them.
		most, j := 0, 0
		for i := range at {
			for at[i]-at[j] >= time.Second {
				j++
			}
			most = max(most, i-j+1)
		}
		if float64(most) > qps {
			t.Errorf("qps %v: %d calls in one second", qps, most)
		}
		if got := float64(len(at)) / 5; got < 0.95*qps {
			t.Errorf("qps %v: %.1f calls a second on average, want at least 95 %% of the ceiling", qps, got)
		}
	}
}
