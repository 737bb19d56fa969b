// Package storetest is the conformance suite for idempotency.Store: what
// "a resent request gets the first answer" rests on, run against every
// store (memory, Redis).
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/axg-binder/binder/core/idempotency"
	"github.com/axg-binder/binder/internal/conformance"
)

// NewStore returns an empty store of its own for one test.
type NewStore = func(t *testing.T) idempotency.Store

// RunConformanceTests runs the suite against the stores newStore makes.
func RunConformanceTests(t *testing.T, newStore NewStore) {
	conformance.Run(t, newStore, []conformance.Test[idempotency.Store]{
		{Name: "FirstBeginStarts", Run: testFirstBegin},
		{Name: "RunningIsSeen", Run: testRunning},
		{Name: "FinishedIsReplayed", Run: testFinished},
		{Name: "ExpiredRunStartsAgain", Run: testExpiredRun},
		{Name: "AnswerExpires", Run: testAnswerExpires},
		{Name: "ConcurrentBeginsOneStarts", Run: testConcurrent},
		{Name: "KeysKeptApart", Run: testKeys},
	})
}

var ctx = context.Background()

func running(fp string, d time.Duration) idempotency.Record {
	return idempotency.Record{Fingerprint: fp, Until: time.Now().Add(d)}
}

func testFirstBegin(t *testing.T, st idempotency.Store) {
	old, started, err := st.Begin(ctx, "k", running("f1", time.Minute))
	if err != nil || !started || old != nil {
		t.Fatalf("a new key: %+v, %v, %v", old, started, err)
	}
}

func testRunning(t *testing.T, st idempotency.Store) {
	r := running("f1", time.Minute)
	_, _, _ = st.Begin(ctx, "k", r)
	old, started, err := st.Begin(ctx, "k", running("f2", time.Minute))
	if err != nil || started || old == nil || old.Done || old.Fingerprint != "f1" || !old.Until.Equal(r.Until.Truncate(time.Millisecond)) && !old.Until.Equal(r.Until) {
		t.Fatalf("a running key: %+v, %v, %v", old, started, err)
	}
}

func testFinished(t *testing.T, st idempotency.Store) {
	_, _, _ = st.Begin(ctx, "k", running("f1", time.Minute))
	body := []byte(`{"Code":"OK","RequestId":"r1"}` + "\n")
	if err := st.Finish(ctx, "k", idempotency.Record{Fingerprint: "f1", Status: 200, ContentType: "application/json", Body: body}, time.Hour); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		old, started, err := st.Begin(ctx, "k", running("f1", time.Minute))
		if err != nil || started || old == nil || !old.Done || old.Status != 200 || string(old.Body) != string(body) || old.ContentType != "application/json" {
			t.Fatalf("a finished key, %d: %+v, %v, %v", i, old, started, err)
		}
	}
}

func testExpiredRun(t *testing.T, st idempotency.Store) {
	_, _, _ = st.Begin(ctx, "k", running("f1", 50*time.Millisecond))
	time.Sleep(100 * time.Millisecond)
	if old, started, err := st.Begin(ctx, "k", running("f2", time.Minute)); err != nil || !started {
		t.Fatalf("a run past its deadline: %+v, %v, %v", old, started, err)
	}
}

func testAnswerExpires(t *testing.T, st idempotency.Store) {
	_, _, _ = st.Begin(ctx, "k", running("f1", time.Minute))
	if err := st.Finish(ctx, "k", idempotency.Record{Fingerprint: "f1", Status: 504}, 1100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if _, started, _ := st.Begin(ctx, "k", running("f1", time.Minute)); started {
		t.Fatal("an answer within its time was forgotten")
	}
	time.Sleep(1500 * time.Millisecond) // stores keep time to the second
	if old, started, err := st.Begin(ctx, "k", running("f1", time.Minute)); err != nil || !started {
		t.Fatalf("an answer past its time: %+v, %v, %v", old, started, err)
	}
}

func testConcurrent(t *testing.T, st idempotency.Store) {
	conformance.OneWins(t, 8, func(i int) (bool, error) {
		_, started, err := st.Begin(ctx, "k", running(fmt.Sprint(i), time.Minute))
		return started, err
	})
}

func testKeys(t *testing.T, st idempotency.Store) {
	for _, k := range []string{"caller-a:k1", "caller-b:k1", "caller-a:k2", "caller-a:K1"} {
		if _, started, err := st.Begin(ctx, k, running("f", time.Minute)); err != nil || !started {
			t.Fatalf("%s: %v, %v", k, started, err)
		}
	}
}
