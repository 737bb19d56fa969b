package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/core/idempotency"
	"github.com/axg-binder/binder/core/idempotency/storetest"
	"github.com/axg-binder/binder/internal/redistest"
	"github.com/axg-binder/binder/store/redisstore"
)

// TestIdempotencyConformance: the record-store suite on a real redis-server.
func TestIdempotencyConformance(t *testing.T) {
	srv := redistest.Start(t)
	c, err := redisstore.Open(context.Background(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	storetest.RunConformanceTests(t, func(t *testing.T) idempotency.Store {
		return redisstore.Idempotency{Client: c, Prefix: "axg:idem:" + strings.ReplaceAll(t.Name(), "/", ":") + ":"}
	})
}

// TestIdempotencyWhenRedisIsGone: a store that cannot be reached says so
// (the HTTP API answers 503 and sends nothing).
func TestIdempotencyWhenRedisIsGone(t *testing.T) {
	srv := redistest.Start(t)
	c, err := redisstore.Open(context.Background(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv.Stop()
	st := redisstore.Idempotency{Client: c, Prefix: "axg:idem:"}
	if _, _, err := st.Begin(context.Background(), "k", idempotency.Record{Fingerprint: "f", Until: time.Now().Add(time.Minute)}); !errors.Is(err, idempotency.ErrUnavailable) {
		t.Fatalf("Begin with Redis gone: %v", err)
	}
}
