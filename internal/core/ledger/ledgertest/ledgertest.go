// Package ledgertest is the one conformance suite of ledger drivers: the
// guarantees "never twice under one key" rests on, written once and run
// against every driver (memory, folder, Redis; DynamoDB and Tablestore in
// their turn), and the ledger's rules run over each of them.
package ledgertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/testkit/conformance"
)

// NewDriver returns an empty driver of its own for one test.
type NewDriver = func(t *testing.T) ledger.Driver

// RunConformanceTests runs the suite against the drivers newDriver makes.
func RunConformanceTests(t *testing.T, newDriver NewDriver) {
	conformance.Run(t, newDriver, []conformance.Test[ledger.Driver]{
		{Name: "CreateNew", Run: testCreateNew},
		{Name: "CreateKeepsWhatIsThere", Run: testCreateKeeps},
		{Name: "ConcurrentCreatesOneWins", Run: testOneWins},
		{Name: "ReplaceNeedsTheToken", Run: testReplace},
		{Name: "DeleteNeedsTheToken", Run: testDelete},
		{Name: "ExpiredIsGone", Run: testExpired},
		{Name: "KeysKeptApart", Run: testKeys},
		{Name: "GivenUpWritesNothing", Run: testGivenUp},
		{Name: "LargeAnswerKeptWhole", Run: testLargeAnswer},
		{Name: "PutBatchWritesWhole", Run: testPutBatch},
		{Name: "SetsKeepEachMemberOnce", Run: testSets},
		{Name: "SetsLiveToTheirLatestExpiry", Run: testSetExpiry},
		{Name: "ConcurrentAddsAllKept", Run: testConcurrentAdds},
		{Name: "RulesRunThenReplay", Run: testRunThenReplay},
		{Name: "RulesInFlightAndReused", Run: testInFlight},
		{Name: "RulesUnknownIsNeverRunAgain", Run: testUnknown},
		{Name: "RulesIdempotentRunsAgain", Run: testTakeOver},
		{Name: "RulesAbandonFreesTheKey", Run: testAbandon},
		{Name: "HoldLapsesAfterItsLease", Run: testHoldLapses},
		{Name: "HoldConcurrentTakesOneWins", Run: testHoldOneWins},
		{Name: "HoldLogReadInOrder", Run: testHoldLog},
		{Name: "HoldLogAfterALateEntry", Run: testHoldLateEntry},
	})
}

var bg = context.Background()

func rec(key, token string, life time.Duration) ledger.Record {
	now := time.Now()
	return ledger.Record{Key: key, Fingerprint: "fp-" + key, State: ledger.Started, Token: token,
		Lease: now.Add(life / 2), Expires: now.Add(life)}
}

func get(t *testing.T, d ledger.Driver, key string) *ledger.Record {
	t.Helper()
	r, err := d.Get(bg, key)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func testCreateNew(t *testing.T, d ledger.Driver) {
	if old, err := d.Create(bg, rec("k", "t1", time.Hour)); err != nil || old != nil {
		t.Fatalf("a new key: %+v, %v", old, err)
	}
	if r := get(t, d, "k"); r == nil || r.Token != "t1" || r.State != ledger.Started {
		t.Fatalf("after Create: %+v", r)
	}
}

func testCreateKeeps(t *testing.T, d ledger.Driver) {
	first := rec("k", "t1", time.Hour)
	first.Resend = true
	if _, err := d.Create(bg, first); err != nil {
		t.Fatal(err)
	}
	answered := first
	answered.State, answered.Status, answered.ContentType = ledger.Answered, 504, "application/json"
	answered.Body = []byte("{\"Code\":\"UpstreamTimeout\"}\n\x00\xff")
	if err := d.Replace(bg, "t1", answered); err != nil {
		t.Fatal(err)
	}
	old, err := d.Create(bg, rec("k", "t2", time.Hour))
	if err != nil || old == nil {
		t.Fatalf("a second Create: %+v, %v", old, err)
	}
	if old.Key != "k" || old.Token != "t1" || old.Fingerprint != first.Fingerprint || old.State != ledger.Answered || !old.Resend ||
		old.Status != 504 || old.ContentType != "application/json" || !bytes.Equal(old.Body, answered.Body) ||
		old.Lease.Sub(first.Lease).Abs() > time.Millisecond || old.Expires.Sub(first.Expires).Abs() > time.Millisecond {
		t.Fatalf("the record did not come back as written:\n got %+v\nwant %+v", old, answered)
	}
}

func testOneWins(t *testing.T, d ledger.Driver) {
	conformance.OneWins(t, 16, func(i int) (bool, error) {
		old, err := d.Create(bg, rec("k", fmt.Sprint("t", i), time.Hour))
		return old == nil && err == nil, err
	})
}

func testReplace(t *testing.T, d ledger.Driver) {
	r := rec("k", "t1", time.Hour)
	if _, err := d.Create(bg, r); err != nil {
		t.Fatal(err)
	}
	other := r
	other.Token = "t2"
	if err := d.Replace(bg, "t9", other); !errors.Is(err, ledger.ErrLost) {
		t.Fatalf("Replace with another token: %v", err)
	}
	if err := d.Replace(bg, "t1", other); err != nil {
		t.Fatal(err)
	}
	if got := get(t, d, "k"); got == nil || got.Token != "t2" {
		t.Fatalf("after Replace: %+v", got)
	}
	if err := d.Replace(bg, "t1", r); !errors.Is(err, ledger.ErrLost) {
		t.Fatalf("Replace with the old token: %v", err)
	}
	if err := d.Replace(bg, "t1", rec("none", "t1", time.Hour)); !errors.Is(err, ledger.ErrLost) {
		t.Fatalf("Replace of no record: %v", err)
	}
	if get(t, d, "none") != nil {
		t.Fatal("Replace of no record wrote one")
	}
}

func testDelete(t *testing.T, d ledger.Driver) {
	if _, err := d.Create(bg, rec("k", "t1", time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(bg, "k", "t2"); err != nil {
		t.Fatal(err)
	}
	if get(t, d, "k") == nil {
		t.Fatal("Delete with another token removed the record")
	}
	if err := d.Delete(bg, "k", "t1"); err != nil {
		t.Fatal(err)
	}
	if get(t, d, "k") != nil {
		t.Fatal("Delete with the token left the record")
	}
	if err := d.Delete(bg, "k", "t1"); err != nil {
		t.Fatalf("Delete of no record: %v", err)
	}
}

func testExpired(t *testing.T, d ledger.Driver) {
	if _, err := d.Create(bg, rec("k", "t1", 150*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(250 * time.Millisecond)
	if r := get(t, d, "k"); r != nil {
		t.Fatalf("an expired record is still read: %+v", r)
	}
	if old, err := d.Create(bg, rec("k", "t2", time.Hour)); err != nil || old != nil {
		t.Fatalf("Create over an expired record: %+v, %v", old, err)
	}
	if err := d.Replace(bg, "t1", rec("k", "t1", time.Hour)); !errors.Is(err, ledger.ErrLost) {
		t.Fatalf("the expired record's token still replaces: %v", err)
	}
}

func testKeys(t *testing.T, d ledger.Driver) {
	for _, k := range []string{"t-abc:order 1", "t-abd:order 1", "platform:order/1", "ключ:1"} {
		if old, err := d.Create(bg, rec(k, "t", time.Hour)); err != nil || old != nil {
			t.Fatalf("%q: %+v, %v", k, old, err)
		}
	}
}

// testGivenUp: a write whose caller has given up (its context ended)
// leaves no record behind, so a key whose Begin failed is free.
func testGivenUp(t *testing.T, d ledger.Driver) {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if old, err := d.Create(ctx, rec("k", "t1", time.Hour)); err == nil {
		t.Fatalf("Create with an ended context: %+v, no error", old)
	}
	if r := get(t, d, "k"); r != nil {
		t.Fatalf("a given-up Create left %+v", r)
	}
}

func op(key string, resend bool, deadline time.Time) ledger.Op {
	return ledger.Op{Key: key, Fingerprint: "fp", Resend: resend, Deadline: deadline, TTL: time.Hour}
}

func testRunThenReplay(t *testing.T, d ledger.Driver) {
	l := ledger.New(d)
	c, err := l.Begin(bg, op("k", false, time.Now().Add(time.Minute)))
	if err != nil || c.Outcome != ledger.Run {
		t.Fatalf("first Begin: %v, %v", c.Outcome, err)
	}
	if err := l.Finish(bg, c, ledger.Answer{Status: 200, ContentType: "application/json", Body: []byte(`{"Code":"OK"}`)}); err != nil {
		t.Fatal(err)
	}
	again, err := l.Begin(bg, op("k", false, time.Now().Add(time.Minute)))
	if err != nil || again.Outcome != ledger.Replay || again.Record.Status != 200 || string(again.Record.Body) != `{"Code":"OK"}` {
		t.Fatalf("a repeat: %v %+v, %v", again.Outcome, again.Record, err)
	}
}

func testInFlight(t *testing.T, d ledger.Driver) {
	l := ledger.New(d)
	if c, err := l.Begin(bg, op("k", false, time.Now().Add(time.Minute))); err != nil || c.Outcome != ledger.Run {
		t.Fatalf("first Begin: %v, %v", c.Outcome, err)
	}
	c, err := l.Begin(bg, op("k", false, time.Now().Add(time.Minute)))
	if err != nil || c.Outcome != ledger.InFlight || !c.Record.Lease.After(time.Now()) {
		t.Fatalf("a repeat while running: %v %+v, %v", c.Outcome, c.Record, err)
	}
	other := op("k", false, time.Now().Add(time.Minute))
	other.Fingerprint = "another"
	if c, err := l.Begin(bg, other); err != nil || c.Outcome != ledger.Reused {
		t.Fatalf("another operation under the key: %v, %v", c.Outcome, err)
	}
}

// testUnknown: a bind whose run recorded nothing by its lease is never
// run again; the first repeat records the unknown outcome for all.
func testUnknown(t *testing.T, d ledger.Driver) {
	l := ledger.New(d)
	l.Grace = 0
	if c, err := l.Begin(bg, op("k", false, time.Now().Add(-time.Second))); err != nil || c.Outcome != ledger.Run {
		t.Fatalf("first Begin: %v, %v", c.Outcome, err)
	}
	var unknowns, runs int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c, err := l.Begin(bg, op("k", false, time.Now().Add(time.Minute)))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			switch c.Outcome {
			case ledger.Unknown:
				unknowns++
				if err := l.Finish(bg, c, ledger.Answer{Status: 504, Body: []byte("unknown")}); err != nil && !errors.Is(err, ledger.ErrLost) {
					t.Error(err)
				}
			case ledger.Replay:
			default:
				runs++
			}
		})
	}
	wg.Wait()
	if runs != 0 || unknowns == 0 {
		t.Fatalf("%d repeats ran again, %d saw the unknown outcome", runs, unknowns)
	}
	c, err := l.Begin(bg, op("k", false, time.Now().Add(time.Minute)))
	if err != nil || c.Outcome != ledger.Replay || c.Record.Status != 504 {
		t.Fatalf("after the unknown outcome was recorded: %v %+v, %v", c.Outcome, c.Record, err)
	}
}

// testTakeOver: an idempotent operation whose run died runs again, once.
func testTakeOver(t *testing.T, d ledger.Driver) {
	l := ledger.New(d)
	l.Grace = 0
	first, err := l.Begin(bg, op("k", true, time.Now().Add(-time.Second)))
	if err != nil || first.Outcome != ledger.Run {
		t.Fatalf("first Begin: %v, %v", first.Outcome, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	runs := 0
	for range 8 {
		wg.Go(func() {
			c, err := l.Begin(bg, op("k", true, time.Now().Add(time.Minute)))
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if c.Outcome == ledger.Run {
				runs++
				if !c.TookOver {
					t.Error("a run after an unknown outcome is not told it took over")
				}
			}
		})
	}
	wg.Wait()
	if runs != 1 {
		t.Fatalf("%d repeats took the key over, want 1", runs)
	}
	if err := l.Finish(bg, first, ledger.Answer{Status: 200}); err == nil {
		t.Fatal("the dead run's late Finish was taken")
	}
	if r := get(t, d, "k"); r == nil || r.State != ledger.Started {
		t.Fatalf("the dead run's late Finish wrote %+v", r)
	}
}

// Bench is what a key costs an operation on d: the Begin and the Finish of
// a bind's answer, through the ledger's rules.
func Bench(b *testing.B, d ledger.Driver) {
	body := []byte(`{"Code":"OK","Message":"OK","RequestId":"r","SecretBindDTO":{"SecretNo":"17100000000","SubsId":"1000000000000001","Extension":""}}`)
	l := ledger.New(d)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		ctx, cancel := context.WithTimeout(bg, 5*time.Second)
		c, err := l.Begin(ctx, ledger.Op{Key: fmt.Sprint("k", i), Fingerprint: "f", Deadline: time.Now().Add(5 * time.Second), TTL: time.Hour})
		if err != nil || c.Outcome != ledger.Run {
			b.Fatal(c.Outcome, err)
		}
		if err := l.Finish(ctx, c, ledger.Answer{Status: 200, ContentType: "application/json", Body: body}); err != nil {
			b.Fatal(err)
		}
		cancel()
	}
}

func testPutBatch(t *testing.T, d ledger.Driver) {
	recs := []ledger.Record{rec("a", "ta", time.Hour), rec("b", "tb", time.Hour), rec("c", "tc", time.Hour)}
	recs[1].State, recs[1].Body = ledger.Answered, []byte(`{"State":"unbound"}`)
	if err := d.PutBatch(bg, recs, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range recs {
		got := get(t, d, want.Key)
		if got == nil || got.Token != want.Token || got.State != want.State || string(got.Body) != string(want.Body) {
			t.Fatalf("%s after PutBatch: %+v", want.Key, got)
		}
	}
	over := rec("b", "tb2", time.Hour)
	if err := d.PutBatch(bg, []ledger.Record{over}, nil); err != nil {
		t.Fatal(err)
	}
	if got := get(t, d, "b"); got == nil || got.Token != "tb2" || got.State != ledger.Started {
		t.Fatalf("a record put again: %+v", got)
	}
	// Bodies come back byte for byte, JSON or not, spaces and all.
	for i, body := range []string{`{"a":1}`, "{\"a\": 1}\n", `[1,"<&>"]`, "[\"\u2028\"]", `"\u00e9"`, "\"\xff\"", "not json", "\x00\xff"} {
		r := rec(fmt.Sprint("body", i), "t", time.Hour)
		r.Body = []byte(body)
		if err := d.PutBatch(bg, []ledger.Record{r}, nil); err != nil {
			t.Fatal(err)
		}
		if got := get(t, d, r.Key); got == nil || string(got.Body) != body {
			t.Fatalf("body %q came back as %+v", body, got)
		}
	}
	if err := d.PutBatch(bg, []ledger.Record{rec("gone", "tg", 150*time.Millisecond)}, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(250 * time.Millisecond)
	if got := get(t, d, "gone"); got != nil {
		t.Fatalf("an expired record put by PutBatch: %+v", got)
	}
	if err := d.PutBatch(bg, nil, nil); err != nil {
		t.Fatalf("an empty batch: %v", err)
	}
}

func members(t *testing.T, d ledger.Driver, key string) []string {
	t.Helper()
	m, err := d.Members(bg, key)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m)
	return m
}

func testSets(t *testing.T, d ledger.Driver) {
	exp := time.Now().Add(time.Hour)
	adds := []ledger.Member{{Key: "s1", Value: "x", Expires: exp}, {Key: "s2", Value: "y", Expires: exp},
		{Key: "s1", Value: "z", Expires: exp}, {Key: "s1", Value: "x", Expires: exp}, {Key: "s1", Value: "line\nbreak ", Expires: exp}}
	if err := d.PutBatch(bg, nil, adds); err != nil {
		t.Fatal(err)
	}
	if got := members(t, d, "s1"); !slices.Equal(got, []string{"line\nbreak ", "x", "z"}) {
		t.Fatalf("s1: %q", got)
	}
	if got := members(t, d, "s2"); !slices.Equal(got, []string{"y"}) {
		t.Fatalf("s2: %q", got)
	}
	if got := members(t, d, "none"); len(got) != 0 {
		t.Fatalf("a set never written: %q", got)
	}
}

func testSetExpiry(t *testing.T, d ledger.Driver) {
	soon := time.Now().Add(150 * time.Millisecond)
	if err := d.PutBatch(bg, nil, []ledger.Member{{Key: "short", Value: "a", Expires: soon}, {Key: "long", Value: "a", Expires: soon},
		{Key: "long", Value: "b", Expires: time.Now().Add(time.Hour)}, {Key: "long", Value: "c", Expires: soon}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(250 * time.Millisecond)
	if got := members(t, d, "short"); len(got) != 0 {
		t.Fatalf("an expired set: %q", got)
	}
	if got := members(t, d, "long"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("a set lives to its latest expiry, with every member: %q", got)
	}
}

func testConcurrentAdds(t *testing.T, d ledger.Driver) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var adds []ledger.Member
			for i := range 10 {
				adds = append(adds, ledger.Member{Key: "set", Value: fmt.Sprint(g, "-", i), Expires: time.Now().Add(time.Hour)})
			}
			if err := d.PutBatch(bg, nil, adds); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := members(t, d, "set"); len(got) != 80 {
		t.Fatalf("%d members of 80 added at once", len(got))
	}
}

// testLargeAnswer: the answer of a 1,000-item batch-bind whose items all
// failed with the upstream's message (about 450 KB) is kept byte for byte
// (a DynamoDB item holds 400 KB, a Tablestore column 2 MB).
func testLargeAnswer(t *testing.T, d ledger.Driver) {
	var body bytes.Buffer
	body.WriteString(`{"Code":"OK","SecretBind":[`)
	for i := range 1000 {
		fmt.Fprintf(&body, `{"Code":"isv.NO_AVAILABLE_NUMBER","Message":"号池中无可用号码, 请扩充号池或释放已过期的绑定关系后重试: the pool has no X number free for this A number and group; unbind expired bindings or add numbers to the pool, then try again (item %d of the request, chunk %d)","RequestId":"9C0D2B54-3E2A-5F1B-8A4C-%012d","PhoneNoA":"139****%04d","GroupId":"%d","OutId":"order-%08d","Extension":"","Retryable":false,"Sent":true},`, i, i/100, i, i, i*7919, i*104729)
	}
	body.WriteString(`{}]}`)
	r := rec("big", "t1", time.Hour)
	if _, err := d.Create(bg, r); err != nil {
		t.Fatal(err)
	}
	r.State, r.Status, r.Body = ledger.Answered, 200, body.Bytes()
	if err := d.Replace(bg, "t1", r); err != nil {
		t.Fatalf("a %d-byte answer: %v", body.Len(), err)
	}
	if got := get(t, d, "big"); got == nil || !bytes.Equal(got.Body, body.Bytes()) {
		t.Fatalf("a %d-byte answer read back differs", body.Len())
	}
}

// testAbandon: a run that sent nothing frees its key; a repeat runs anew.
func testAbandon(t *testing.T, d ledger.Driver) {
	l := ledger.New(d)
	first, err := l.Begin(bg, op("k", false, time.Now().Add(time.Minute)))
	if err != nil || first.Outcome != ledger.Run {
		t.Fatalf("first Begin: %v, %v", first.Outcome, err)
	}
	if err := l.Abandon(bg, first); err != nil {
		t.Fatal(err)
	}
	again, err := l.Begin(bg, op("k", false, time.Now().Add(time.Minute)))
	if err != nil || again.Outcome != ledger.Run || again.TookOver {
		t.Fatalf("after Abandon: %v (took over %v), %v", again.Outcome, again.TookOver, err)
	}
	if err := l.Abandon(bg, first); err != nil {
		t.Fatal(err)
	}
	if r := get(t, d, "k"); r == nil {
		t.Fatal("a stale Abandon removed the new run's record")
	}
}

// later is l judged d from now: a lease lapses without waiting it out.
func later(l *ledger.Ledger, d time.Duration) *ledger.Ledger {
	return l.At(func() time.Time { return time.Now().Add(d) })
}

// testHoldLapses: a hold stops other runs until its lease lapses, a renewed
// one for a lease from its renewal; a lapsed hold is taken over, and its
// run can no longer renew it.
func testHoldLapses(t *testing.T, d ledger.Driver) {
	l := ledger.New(d)
	first, err := l.Take(bg, "step", time.Minute, time.Hour)
	if err != nil || first.Found {
		t.Fatalf("first Take: %+v, %v", first, err)
	}
	if _, err := l.Take(bg, "step", time.Minute, time.Hour); !errors.Is(err, ledger.ErrHeld) {
		t.Fatalf("second Take within the lease: %v, want ErrHeld", err)
	}
	if _, err := l.Take(bg, "other", time.Minute, time.Hour); err != nil {
		t.Fatalf("another key: %v", err)
	}
	if err := first.Renew(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := later(l, 30*time.Second).Take(bg, "step", time.Minute, time.Hour); !errors.Is(err, ledger.ErrHeld) {
		t.Fatalf("half a lease after a renewal: %v, want ErrHeld", err)
	}
	next, err := later(l, 2*time.Minute).Take(bg, "step", time.Minute, time.Hour)
	if err != nil || !next.Found {
		t.Fatalf("Take after the lease: %+v, %v; want it taken over", next, err)
	}
	if err := first.Renew(bg); !errors.Is(err, ledger.ErrLost) {
		t.Fatalf("the lapsed run's Renew: %v, want ErrLost", err)
	}
	if err := next.Release(bg); err != nil {
		t.Fatal(err)
	}
	if h, err := l.Take(bg, "step", time.Minute, time.Hour); err != nil || h.Found {
		t.Fatalf("Take after a release: %+v, %v; want a fresh hold", h, err)
	}
}

func testHoldOneWins(t *testing.T, d ledger.Driver) {
	l := ledger.New(d)
	if _, err := l.Take(bg, "step", time.Second, time.Hour); err != nil {
		t.Fatal(err)
	}
	lapsed := later(l, time.Minute)
	conformance.OneWins(t, 8, func(int) (bool, error) {
		_, err := lapsed.Take(bg, "step", time.Second, time.Hour)
		if errors.Is(err, ledger.ErrHeld) {
			return false, nil
		}
		return err == nil, err
	})
}

func logOf(t *testing.T, h *ledger.Hold) []string {
	t.Helper()
	entries, err := h.ReadLog(bg)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range entries {
		out = append(out, string(e))
	}
	return out
}

// testHoldLog: a log is read back in the order written, by the run that
// takes a lapsed hold over, which writes on after it; a release leaves
// no log behind, and another key's log is its own.
func testHoldLog(t *testing.T, d ledger.Driver) {
	l := ledger.New(d)
	first, err := l.Take(bg, "step", time.Second, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 5 {
		e := fmt.Sprintf(`{"Entry":%d}`, i)
		if err := first.Log(bg, []byte(e)); err != nil {
			t.Fatal(err)
		}
		want = append(want, e)
	}
	other, _ := l.Take(bg, "step2", time.Second, time.Hour)
	_ = other.Log(bg, []byte("other"))
	next, err := later(l, time.Minute).Take(bg, "step", time.Second, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := logOf(t, next); !slices.Equal(got, want) {
		t.Fatalf("log %q, want %q", got, want)
	}
	if err := next.Log(bg, []byte("after")); err != nil {
		t.Fatal(err)
	}
	if got := logOf(t, next); len(got) != 6 || got[5] != "after" {
		t.Fatalf("log after an entry of the run that took over: %q", got)
	}
	third, err := later(l, 2*time.Minute).Take(bg, "step", time.Second, time.Hour)
	if err != nil || !third.Found {
		t.Fatalf("a third Take: %+v, %v", third, err)
	}
	if err := third.ClearLog(bg); err != nil {
		t.Fatal(err)
	}
	if got := logOf(t, third); len(got) != 0 {
		t.Fatalf("log after ClearLog: %q", got)
	}
	_ = third.Log(bg, []byte("fresh"))
	if err := third.Release(bg); err != nil {
		t.Fatal(err)
	}
	h, err := l.Take(bg, "step", time.Second, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := logOf(t, h); len(got) != 0 {
		t.Fatalf("log after a release: %q", got)
	}
	if got := logOf(t, other); !slices.Equal(got, []string{"other"}) {
		t.Fatalf("another key's log: %q", got)
	}
}

// testHoldLateEntry: an entry a dead run wrote late, at the number the
// run that took over would write next, stands; the new entry goes after.
func testHoldLateEntry(t *testing.T, d ledger.Driver) {
	l := ledger.New(d)
	dead, err := l.Take(bg, "step", time.Second, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	next, err := later(l, time.Minute).Take(bg, "step", time.Second, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := logOf(t, next); len(got) != 0 {
		t.Fatalf("log %q", got)
	}
	if err := dead.Log(bg, []byte("late")); err != nil {
		t.Fatal(err)
	}
	if err := next.Log(bg, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got := logOf(t, next); !slices.Equal(got, []string{"late", "new"}) {
		t.Fatalf("log %q, want the late entry first", got)
	}
	if err := next.Release(bg); err != nil {
		t.Fatal(err)
	}
	if r := get(t, d, "step#0"); r != nil {
		t.Fatalf("the late entry outlived the release: %+v", r)
	}
}
