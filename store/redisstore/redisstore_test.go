package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/axg-binder/binder/core/idempotency"
	"github.com/axg-binder/binder/core/idempotency/storetest"
	"github.com/axg-binder/binder/internal/redistest"
	"github.com/axg-binder/binder/store/redisstore"
)

// open is a client of srv, closed when the test ends.
func open(tb testing.TB, srv *redistest.Server) *redis.Client {
	tb.Helper()
	c, err := redisstore.Open(context.Background(), srv.URL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// TestIdempotencyConformance: the record-store suite on a real redis-server.
func TestIdempotencyConformance(t *testing.T) {
	srv := redistest.Start(t)
	c := open(t, srv)
	storetest.RunConformanceTests(t, func(t *testing.T) idempotency.Store {
		return redisstore.Idempotency{Client: c, Prefix: "axg:idem:" + strings.ReplaceAll(t.Name(), "/", ":") + ":"}
	})
}

// TestIdempotencyWhenRedisIsGone: a store that cannot be reached says so
// (the HTTP API answers 503 and sends nothing).
func TestIdempotencyWhenRedisIsGone(t *testing.T) {
	srv := redistest.Start(t)
	c := open(t, srv)
	srv.Stop()
	st := redisstore.Idempotency{Client: c, Prefix: "axg:idem:"}
	if _, _, err := st.Begin(context.Background(), "k", idempotency.Record{Fingerprint: "f", Until: time.Now().Add(time.Minute)}); !errors.Is(err, idempotency.ErrUnavailable) {
		t.Fatalf("Begin with Redis gone: %v", err)
	}
}

// BenchmarkIdempotencyRecord is what a key costs a bind in Redis: the Begin
// and Finish round trips to a local redis-server.
func BenchmarkIdempotencyRecord(b *testing.B) {
	srv := redistest.Start(b)
	c := open(b, srv)
	st := redisstore.Idempotency{Client: c, Prefix: "axg:idem:bench:"}
	body := []byte(`{"Code":"OK","Message":"OK","RequestId":"r","SecretBindDTO":{"SecretNo":"17100000000","SubsId":"1000000000000001","Extension":""}}`)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		k := fmt.Sprint("k", i)
		if _, started, err := st.Begin(context.Background(), k, idempotency.Record{Fingerprint: "f", Until: time.Now().Add(time.Minute)}); err != nil || !started {
			b.Fatal(started, err)
		}
		if err := st.Finish(context.Background(), k, idempotency.Record{Fingerprint: "f", Status: 200, ContentType: "application/json", Body: body}, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
