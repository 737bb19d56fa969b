package core

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestCeilingHoldsInEveryWindow drives the limiter on a virtual clock, as
// fast as it lets calls through, and counts the calls in every one-second
// window, calendar-aligned or not: none may hold more than the ceiling.
func TestCeilingHoldsInEveryWindow(t *testing.T) {
	for _, qps := range []float64{1, 2, 10, 50, 99, 200, 5000} {
		at := admitted(NewLocalBudget(qps).lim, 5*time.Second)
		most := busiest(at)
		if float64(most) > qps {
			t.Errorf("qps %v: %d calls in one second", qps, most)
		}
		if got := float64(len(at)) / 5; got < 0.95*qps {
			t.Errorf("qps %v: %.1f calls a second on average, want at least 95 %% of the ceiling", qps, got)
		}
	}
}

// TestSharesAddUpToTheCeiling: each instance's fallback share, however many
// instances share the ceiling, admits so few in any one-second window that
// all of them together keep to it (300 instances of 5,000 admitted 5,100).
func TestSharesAddUpToTheCeiling(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 64, 300, 1000, 3000, 5000} {
		share := 1 / float64(n)
		at := admitted(NewLocalShare(5000, share).lim, 5*time.Second)
		if most := busiest(at); most*n > 5000 {
			t.Errorf("%d instances: %d calls each in one second, %d together", n, most, most*n)
		}
		if got, want := float64(len(at))/5, 0.5*5000*share; n <= 1000 && got < want {
			t.Errorf("%d instances: %.2f calls a second each, want at least half the share (%.2f)", n, got, want)
		}
	}
}

// TestAPICeilings: under AXG_UPSTREAM_QPS 5000, QuerySubscriptionDetail keeps
// to its own 1,000 a second in every window as well; BindAxg has only the
// shared rate; a qps below every ceiling leaves no API a rate of its own;
// an instance's share divides both.
func TestAPICeilings(t *testing.T) {
	b := NewLocalBudget(5000)
	if b.per["BindAxg"] != nil || b.per["QuerySubscriptionDetail"] == nil {
		t.Fatalf("APIs with a rate of their own: %v", b.per)
	}
	if most := busiest(admitted(b.per["QuerySubscriptionDetail"], 3*time.Second)); most > 1000 || most < 950 {
		t.Errorf("QuerySubscriptionDetail: %d calls in the busiest second, want at most 1,000 and near it", most)
	}
	if len(NewLocalBudget(500).per) != 0 {
		t.Error("a qps under every ceiling still gave an API a rate of its own")
	}
	if got := float64(NewLocalShare(5000, 0.25).per["QuerySubscriptionDetail"].Limit()); got != 245 {
		t.Errorf("a quarter share of QuerySubscriptionDetail's ceiling: %v a second, want 245 (98 %% of 250)", got)
	}
	// A raised AXG_UPSTREAM_QPS (a raised bind quota) lifts the binds, not the query's own ceiling.
	if CeilingFor("UpdateSubscription", 5000) != 5000 || CeilingFor("QuerySubscriptionDetail", 5000) != 1000 ||
		CeilingFor("BindAxg", 20000) != 20000 || CeilingFor("QuerySubscriptionDetail", 20000) != 1000 || NewLocalBudget(1e6).per["BindAxg"] != nil {
		t.Error("CeilingFor")
	}
}

// admitted drives l on a virtual clock for d, as fast as it lets calls
// through, and returns when it admitted each.
func admitted(l *rate.Limiter, d time.Duration) []time.Duration {
	start := time.Unix(1_700_000_000, 0)
	var at []time.Duration
	for t := time.Duration(0); t < d; t += 100 * time.Microsecond {
		for l.AllowN(start.Add(t), 1) {
			at = append(at, t)
		}
	}
	return at
}

// busiest is the most admissions in any one-second window, sliding;
// calendar windows are among them.
func busiest(at []time.Duration) int {
	most, j := 0, 0
	for i := range at {
		for at[i]-at[j] >= time.Second {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}
