package redisstore

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/metrics"
)

// Budget is one rate budget per upstream API that every instance shares: a
// GCRA bucket in Redis (redis_rate) whose rate and burst together stay under
// 99 % of the ceiling in any one-second window (its burst is at least 2:
// redis_rate's arithmetic refuses every call with a burst of 1). Turns are taken a few at a time (Batch), so
// most calls make no Redis round trip; a turn not used within Hold is
// dropped, so that a batch cannot bunch calls past a one-second window.
// Where Redis cannot be reached, each instance keeps its share of the
// ceiling (qps / instances), says so once, and goes back to the shared
// budget when Redis answers again.
type Budget struct {
	lim      *redis_rate.Limiter
	limit    redis_rate.Limit
	limits   map[string]redis_rate.Limit // APIs whose ceiling is below qps
	prefix   string
	batch    int
	hold     time.Duration
	fallback core.LocalBudget
	log      *slog.Logger
	// Metrics counts the falls back to this instance's share (none when nil).
	Metrics metrics.Sink

	mu    sync.Mutex
	turns map[string]*turns
	down  bool
	retry time.Time // when to ask Redis again, while down
}

type turns struct {
	n     int
	until time.Time
}

var _ core.Budget = (*Budget)(nil)

// gcra is the shared bucket for qps: 99 % of it, less the burst, in every
// second, so that no window holds more.
func gcra(qps float64) redis_rate.Limit {
	burst := max(2, int(qps/100))
	return redis_rate.Limit{Rate: max(1, int(qps*0.99)-burst), Burst: burst, Period: time.Second}
}

// NewBudget shares qps calls a second of each API among every instance that
// uses the same Redis; instances is the platform's cap (AXG_MAX_INSTANCES).
func NewBudget(c *redis.Client, qps float64, instances int, log *slog.Logger) *Budget {
	limits := map[string]redis_rate.Limit{}
	for api := range core.Ceilings {
		if r := core.CeilingFor(api, qps); r < qps {
			limits[api] = gcra(r) // an API whose own ceiling is lower
		}
	}
	return &Budget{
		lim:      redis_rate.NewLimiter(c),
		limit:    gcra(qps),
		limits:   limits,
		prefix:   "axg:rate:",
		batch:    max(1, min(10, int(qps/500))),
		hold:     20 * time.Millisecond,
		fallback: core.NewLocalShare(qps, 1/float64(max(1, instances))),
		log:      log,
		turns:    map[string]*turns{},
	}
}

func (b *Budget) Take(ctx context.Context, api string, latest time.Time) (bool, error) {
	for {
		b.mu.Lock()
		now := time.Now()
		if t := b.turns[api]; t != nil && t.n > 0 && now.Before(t.until) {
			t.n--
			b.mu.Unlock()
			return true, nil
		}
		if b.down && now.Before(b.retry) {
			b.mu.Unlock()
			return b.fallback.Take(ctx, api, latest)
		}
		b.mu.Unlock()

		limit, ok := b.limits[api]
		if !ok {
			limit = b.limit
		}
		res, err := b.lim.AllowAtMost(ctx, b.prefix+api, limit, b.batch)
		b.mu.Lock()
		if err != nil {
			if ctx.Err() != nil {
				b.mu.Unlock()
				return false, ctx.Err()
			}
			if !b.down {
				metrics.Or(b.Metrics).Add(&metrics.BudgetFallbacks, 1)
				b.log.Warn("rate budget: Redis cannot be reached; each instance keeps AXG_UPSTREAM_QPS / AXG_MAX_INSTANCES until it answers",
					"error", err.Error())
			}
			b.down, b.retry = true, time.Now().Add(time.Second)
			b.mu.Unlock()
			return b.fallback.Take(ctx, api, latest)
		}
		if b.down {
			b.log.Info("rate budget: Redis answers again; the shared budget is back")
			b.down = false
		}
		if res.Allowed > 0 {
			b.turns[api] = &turns{n: res.Allowed - 1, until: time.Now().Add(b.hold)}
			b.mu.Unlock()
			return true, nil
		}
		b.mu.Unlock()
		wait := res.RetryAfter
		if wait <= 0 {
			wait = time.Millisecond
		}
		if !latest.IsZero() && time.Now().Add(wait).After(latest) {
			return false, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		}
	}
}
