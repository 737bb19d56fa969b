package core

import (
	"context"
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

// LocalBudget is one instance's budget, every API drawing on it alike.
type LocalBudget struct{ lim *rate.Limiter }

// NewLocalBudget keeps qps calls a second so that no one-second window,
// however it is aligned, holds more: a token bucket lets through its rate
// plus its burst in a second, so the rate is 98 % of qps and the burst 1 %,
// leaving 1 % for calls that the network delivers a little later or sooner
// than they left (the upstream counts them as they arrive).
func NewLocalBudget(qps float64) LocalBudget {
	return LocalBudget{rate.NewLimiter(rate.Limit(qps*0.98), max(1, int(qps/100)))}
}

func (b LocalBudget) Take(ctx context.Context, _ string, latest time.Time) (bool, error) {
	r := b.lim.Reserve()
	delay := r.Delay()
	if !latest.IsZero() && time.Now().Add(delay).After(latest) {
		r.Cancel()
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
		r.Cancel()
		return false, ctx.Err()
	}
}
