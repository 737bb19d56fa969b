// Package redisstore keeps the binder's shared state in Redis (Alibaba Tair
// or ApsaraDB for Redis, Amazon ElastiCache or MemoryDB), through go-redis,
// so that every instance sees it: the ledger and the rate budget.
package redisstore

import (
	"context"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
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
// the ledger (under "axg:ledger:") and the rate budget of qps calls a second
// per upstream API (under "axg:rate:"), each instance's fallback share qps /
// instances. Each has a client of its own: the ledger's calls end at their
// deadline, the budget's fall back to the share when Redis is slow. The
// connections are made on first use.
func Shared(url string, qps float64, instances int, log *slog.Logger, sink metrics.Sink) (ledger.Driver, core.Budget, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, err
	}
	l, err := OpenLedger(url)
	if err != nil {
		return nil, nil, err
	}
	b := NewBudget(redis.NewClient(opt), qps, instances, log)
	b.Metrics = sink
	return l, b, nil
}
