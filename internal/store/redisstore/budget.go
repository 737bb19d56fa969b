package redisstore

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/metrics"
)

// Budget is one rate budget per upstream API that every instance shares: a
// GCRA bucket in Redis (redis_rate) whose rate and burst together stay under
// 99 % of the ceiling in any one-second window (its burst is at least 2:
// redis_rate's arithmetic refuses every call with a burst of 1). Turns are taken a few at a time (Batch), so
// most calls make no Redis round trip; a turn not used within Hold is
// dropped, so that a batch cannot bunch calls past a one-second window.
// Where Redis cannot be reached, each instance keeps its share of the
// ceiling (qps / instances), says so once, and goes back to the shared
// budget when Redis answers again — after a second without calls, so that
// no one-second window holds both the shares' calls and the shared
// bucket's (a Redis back empty has a full bucket, and the other instances
// go on with their shares until they ask Redis again, within a second).
// A turn still queued on the share when Redis answers goes to the shared
// budget instead.
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
	// resume is when the shared budget may be drawn on again, after Redis
	// came back: a second after this instance's last call on its share.
	resume time.Time
}

// handOver is the pause between the last call on an instance's share and
// its first on the shared budget: every other instance has asked Redis
// again within it (its retry), and stopped using its share.
const handOver = time.Second

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
	for api, r := range core.LowerCeilings(qps) {
		limits[api] = gcra(r) // an API whose own ceiling is lower
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
			if ok, again, err := b.share(ctx, api, latest); !again {
				return ok, err
			}
			continue
		}
		if wait := b.resume.Sub(now); wait > 0 {
			b.mu.Unlock()
			if ok, err := sleep(ctx, wait, latest); !ok {
				return false, err
			}
			continue
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
			if ok, again, err := b.share(ctx, api, latest); !again {
				return ok, err
			}
			continue
		}
		if b.down {
			// The turns just taken are dropped: they would fall within a
			// second of this instance's, or another's, calls on a share.
			b.log.Info("rate budget: Redis answers again; the shared budget is back after a second's pause")
			b.down, b.resume = false, time.Now().Add(handOver)
			b.mu.Unlock()
			continue
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
		if ok, err := sleep(ctx, wait, latest); !ok {
			return false, err
		}
	}
}

// share takes a turn on this instance's share of the ceiling; again says
// Redis came back while it waited, and the turn is to be taken from the
// shared budget instead.
func (b *Budget) share(ctx context.Context, api string, latest time.Time) (ok, again bool, err error) {
	ok, err = b.fallback.Take(ctx, api, latest)
	if !ok || err != nil {
		return ok, false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.down {
		return false, true, nil
	}
	b.resume = time.Now().Add(handOver) // this call is on the share: none on the shared budget within a second
	return true, false, nil
}

// sleep waits d, or says no turn comes by latest (false, nil), or ctx ended.
func sleep(ctx context.Context, d time.Duration, latest time.Time) (bool, error) {
	if !latest.IsZero() && time.Now().Add(d).After(latest) {
		return false, nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}
