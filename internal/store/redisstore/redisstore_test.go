package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/ledger/ledgertest"
	"github.com/axg-binder/binder/internal/store/redisstore"
	"github.com/axg-binder/binder/internal/testkit/redistest"
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

// openLedger is a ledger on srv whose calls end at their deadline, closed
// when the test ends.
func openLedger(tb testing.TB, srv *redistest.Server) redisstore.Ledger {
	tb.Helper()
	l, err := redisstore.OpenLedger(srv.URL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Client.Close() })
	return l
}

// TestLedgerConformance: the ledger's suite on a real redis-server.
func TestLedgerConformance(t *testing.T) {
	l := openLedger(t, redistest.Start(t))
	ledgertest.RunConformanceTests(t, func(t *testing.T) ledger.Driver {
		return redisstore.Ledger{Client: l.Client, Prefix: "axg:ledger:" + strings.ReplaceAll(t.Name(), "/", ":") + ":"}
	})
}

// TestLedgerWhenRedisIsGone: a store that cannot be reached says so (the
// HTTP API answers 503 and sends nothing).
func TestLedgerWhenRedisIsGone(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	l := openLedger(t, srv)
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := l.Create(ctx, ledger.Record{Key: "k", Token: "t", Expires: time.Now().Add(time.Minute)}); !errors.Is(err, ledger.ErrUnavailable) {
		t.Fatalf("Create with Redis gone: %v", err)
	}
}

// TestLedgerStoppedRedis: with Redis stopped (SIGSTOP), a Create answers
// by its deadline, not after go-redis's timeouts and retries (3 s without
// ContextTimeoutEnabled), and once Redis goes on the key is free. Whether
// Redis ever runs the queued write is its own affair (here it did not);
// that a late one would write nothing is TestLedgerLateWriteTakesNoEffect's.
func TestLedgerStoppedRedis(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	l := openLedger(t, srv)
	if err := l.Client.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	start := time.Now()
	_, err := l.Create(ctx, ledger.Record{Key: "k", Token: "t1", State: ledger.Started, Expires: time.Now().Add(time.Hour)})
	took := time.Since(start)
	cancel()
	srv.Resume()
	if !errors.Is(err, ledger.ErrUnavailable) || took > 2*time.Second {
		t.Fatalf("Create on a stopped Redis: %v after %s", err, took)
	}
	time.Sleep(200 * time.Millisecond) // Redis runs what was queued
	if r, err := l.Get(context.Background(), "k"); err != nil || r != nil {
		t.Fatalf("the given-up Create wrote %+v (%v)", r, err)
	}
}

// BenchmarkLedgerRecord is what a key costs a bind in Redis: the Create
// and the Replace that records the answer, on a local redis-server.
func BenchmarkLedgerRecord(b *testing.B) {
	ledgertest.Bench(b, openLedger(b, redistest.Start(b)))
}

// lateCtx has a deadline that has passed but has not ended: a request
// that reaches Redis after its caller gave up, as a queued one does.
type lateCtx struct{ context.Context }

func (lateCtx) Deadline() (time.Time, bool) { return time.Now().Add(-time.Second), true }

// TestLedgerLateWriteTakesNoEffect: a script run after its deadline by
// Redis's clock writes nothing.
func TestLedgerLateWriteTakesNoEffect(t *testing.T) {
	srv := redistest.Start(t)
	c := open(t, srv) // a client that does not end calls at their deadline itself
	l := redisstore.Ledger{Client: c, Prefix: "axg:ledger:"}
	late := lateCtx{context.Background()}
	r := ledger.Record{Key: "k", Token: "t1", State: ledger.Started, Expires: time.Now().Add(time.Hour)}
	if _, err := l.Create(late, r); !errors.Is(err, ledger.ErrUnavailable) {
		t.Fatalf("a late Create: %v", err)
	}
	if got, err := l.Get(context.Background(), "k"); err != nil || got != nil {
		t.Fatalf("a late Create wrote %+v (%v)", got, err)
	}
	if _, err := l.Create(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if err := l.Replace(late, "t1", ledger.Record{Key: "k", Token: "t2", Expires: time.Now().Add(time.Hour)}); !errors.Is(err, ledger.ErrUnavailable) {
		t.Fatalf("a late Replace: %v", err)
	}
	if got, _ := l.Get(context.Background(), "k"); got == nil || got.Token != "t1" {
		t.Fatalf("a late Replace wrote %+v", got)
	}
}
