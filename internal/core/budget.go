package core

import (
	"context"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Budget is the rate at which upstream calls may be made: this instance's
// own (the default), or one that every instance shares (Redis).
type Budget interface {
	// Take obtains a turn for one call of api, waiting for it as needed: true
	// once the call may be made, false at once when no turn comes before
	// latest. An error is the context's.
	Take(ctx context.Context, api string, latest time.Time) (bool, error)
}

// ceilings are the upstream's documented calls per second for each API, per
// account (the vendor's pages; QuerySubscriptionDetail's help page says
// 1,000 where an overview once said 5,000: the lower is kept).
var ceilings = map[string]float64{
	"BindAxg": 5000, "BindBatchAxg": 5000, "UnbindSubscription": 5000,
	"UpdateSubscription": 10000, "QuerySubscriptionDetail": 1000, "QuerySubsId": 1000,
}

// bindCeiling is BindAxg's documented ceiling, AXG_UPSTREAM_QPS's default.
const bindCeiling = 5000

// CeilingFor is api's rate under qps. AXG_UPSTREAM_QPS is the bind APIs'
// ceiling (raised with an account whose quota the vendor raised); an API
// documented below BindAxg's ceiling (QuerySubscriptionDetail) keeps to its
// own as well, whatever qps says: a raised bind quota does not raise it.
func CeilingFor(api string, qps float64) float64 {
	if c, ok := ceilings[api]; ok && c < bindCeiling && c < qps {
		return c
	}
	return qps
}

// LowerCeilings are the APIs whose own ceiling is below qps, with it: each
// keeps to its own rate as well as the shared one.
func LowerCeilings(qps float64) map[string]float64 {
	low := map[string]float64{}
	for api := range ceilings {
		if c := CeilingFor(api, qps); c < qps {
			low[api] = c
		}
	}
	return low
}

// LocalBudget is one instance's budget: every API draws on one rate, and an
// API whose own ceiling is lower (QuerySubscriptionDetail) on its own too.
type LocalBudget struct {
	lim *rate.Limiter
	per map[string]*rate.Limiter
}

// NewLocalBudget keeps qps calls a second so that no one-second window,
// however it is aligned, holds more: a token bucket lets through its rate
// plus its burst in a second, so the rate is 98 % of qps and the burst 1 %,
// leaving 1 % for calls that the network delivers a little later or sooner
// than they left (the upstream counts them as they arrive).
func NewLocalBudget(qps float64) LocalBudget { return NewLocalShare(qps, 1) }

// NewLocalShare is NewLocalBudget for one of several instances: share of
// qps, and of each API's own ceiling (the fallback of a shared budget).
func NewLocalShare(qps, share float64) LocalBudget {
	b := LocalBudget{lim: limiter(qps * share), per: map[string]*rate.Limiter{}}
	for api, c := range LowerCeilings(qps) {
		b.per[api] = limiter(c * share)
	}
	return b
}

// limiter keeps to qps in every one-second window: a full bucket admits its
// burst at once and its rate after, so the two together stay within the
// whole calls qps allows (an instance's share of 5,000 over 300 instances,
// 16.7, admits 16: with its rate at 98 % and a burst of 1 it admitted 17,
// and the 300 together 5,100). Under one call a second no bucket can.
func limiter(qps float64) *rate.Limiter {
	burst := max(1, int(qps/100))
	r := qps * 0.98
	if whole := math.Floor(qps); whole >= 1 {
		r = min(r, whole-float64(burst)+0.999)
	}
	return rate.NewLimiter(rate.Limit(r), burst)
}

func (b LocalBudget) Take(ctx context.Context, api string, latest time.Time) (bool, error) {
	r := b.lim.Reserve()
	delay := r.Delay()
	var own *rate.Reservation
	if l := b.per[api]; l != nil {
		own = l.Reserve()
		delay = max(delay, own.Delay())
	}
	cancel := func() {
		r.Cancel()
		if own != nil {
			own.Cancel()
		}
	}
	if !latest.IsZero() && time.Now().Add(delay).After(latest) {
		cancel()
		return false, nil
	}
	if delay == 0 {
		return true, nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true, nil
	case <-ctx.Done():
		cancel()
		return false, ctx.Err()
	}
}
