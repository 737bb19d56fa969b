// Package redisstore keeps the binder's shared state in Redis (Alibaba Tair
// or ApsaraDB for Redis, Amazon ElastiCache or MemoryDB), through go-redis,
// so that every instance sees it: the answers to idempotency keys.
package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/idempotency"
	"github.com/axg-binder/binder/core/metrics"
)

// Open connects to url (redis:// or rediss://) and checks it answers.
func Open(ctx context.Context, url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Shared is what the binder keeps in the Redis at url for every instance:
// the idempotency records (under "axg:idem:") and the rate budget of qps
// calls a second per upstream API (under "axg:rate:"), each instance's
// fallback share qps / instances. The connection is made on first use.
func Shared(url string, qps float64, instances int, log *slog.Logger, sink metrics.Sink) (idempotency.Store, core.Budget, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, err
	}
	c := redis.NewClient(opt)
	b := NewBudget(c, qps, instances, log)
	b.Metrics = sink
	return Idempotency{Client: c, Prefix: "axg:idem:"}, b, nil
}

// Idempotency keeps idempotency records under Prefix. A running record
// expires on its own at its Until, an answer after its time to live: Redis
// keeps the clocks.
type Idempotency struct {
	Client *redis.Client
	Prefix string
}

var _ idempotency.Store = Idempotency{}

func (s Idempotency) key(k string) string { return s.Prefix + k }

func (s Idempotency) Begin(ctx context.Context, key string, r idempotency.Record) (*idempotency.Record, bool, error) {
	r.Done = false
	b, err := json.Marshal(r)
	if err != nil {
		return nil, false, err
	}
	life := time.Until(r.Until)
	if life < time.Millisecond {
		life = time.Millisecond
	}
	for attempt := 0; attempt < 3; attempt++ {
		ok, err := s.Client.SetNX(ctx, s.key(key), b, life).Result()
		if err != nil {
			return nil, false, fmt.Errorf("%w: %v", idempotency.ErrUnavailable, err)
		}
		if ok {
			return nil, true, nil
		}
		got, err := s.Client.Get(ctx, s.key(key)).Bytes()
		if errors.Is(err, redis.Nil) {
			continue // expired between the two: try to begin again
		}
		if err != nil {
			return nil, false, fmt.Errorf("%w: %v", idempotency.ErrUnavailable, err)
		}
		var old idempotency.Record
		if err := json.Unmarshal(got, &old); err != nil {
			return nil, false, err
		}
		return &old, false, nil
	}
	return nil, false, fmt.Errorf("%w: the record kept expiring", idempotency.ErrUnavailable)
}

func (s Idempotency) Finish(ctx context.Context, key string, r idempotency.Record, ttl time.Duration) error {
	r.Done = true
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := s.Client.Set(ctx, s.key(key), b, ttl).Err(); err != nil {
		return fmt.Errorf("%w: %v", idempotency.ErrUnavailable, err)
	}
	return nil
}
