package forward_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core/forward"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/receipt"
	"github.com/axg-binder/binder/webhook"
)

var key = []byte("the-signing-key-of-the-tests")

// receiver is a user's webhook: it checks every delivery's signature, and
// is down while down is set.
type receiver struct {
	down atomic.Bool
	mu   sync.Mutex
	got  map[string]int // deliveries taken, by Id
	bad  []string
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rv.down.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var env forward.Envelope
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if err := webhook.Verify(key, r.Header, body, time.Now(), 5*time.Minute); err != nil {
		rv.bad = append(rv.bad, err.Error())
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if json.Unmarshal(body, &env) != nil || env.Id == "" || env.Id != r.Header.Get(webhook.HeaderDelivery) {
		rv.bad = append(rv.bad, "delivery "+r.Header.Get(webhook.HeaderDelivery)+" carries "+env.Id)
	}
	rv.got[env.Id]++
	w.WriteHeader(http.StatusNoContent)
}

// clock is the ledger's time, moved on by the test instead of waiting.
type clock struct{ shift atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.shift.Load())) }
func (c *clock) advance(d time.Duration) { c.shift.Add(int64(d)) }
func newLedger(c *clock) *ledger.Ledger  { return ledger.New(ledger.NewMemory(0)).At(c.now) }
func recorded(t *testing.T, n int) []ledger.Recorded {
	t.Helper()
	var out []ledger.Recorded
	for i := range n {
		rc, err := receipt.One([]byte(fmt.Sprintf(`{"pool_key":"FC1","sub_id":%d,"call_id":"call-%d","phone_no":"13800000001"}`, 1000+i, i)), "SecretReport", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ledger.Recorded{Receipt: rc})
	}
	return out
}

func setup(t *testing.T, attempts int) (*forward.Forwarder, *receiver, *clock) {
	rv := &receiver{got: map[string]int{}}
	srv := httptest.NewServer(rv)
	t.Cleanup(srv.Close)
	c := &clock{}
	f := &forward.Forwarder{Outbox: ledger.NewOutbox(newLedger(c), 0), To: &forward.Webhook{URL: srv.URL, Key: key}, Attempts: attempts}
	return f, rv, c
}

// TestDownForAnHourLosesNothing: the destination down for an hour, the
// sweeps going on each minute; once it is up, every receipt arrives,
// signed, each under its own Id, none dead.
func TestDownForAnHourLosesNothing(t *testing.T) {
	f, rv, c := setup(t, 0)
	ctx := context.Background()
	rs := recorded(t, 20)
	if err := f.Enqueue(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if err := f.Enqueue(ctx, rs[:5]); err != nil { // the vendor's repeats: enqueued once
		t.Fatal(err)
	}
	rv.down.Store(true)
	for minute := 0; minute < 150; minute++ {
		if minute == 60 {
			rv.down.Store(false)
		}
		if _, _, err := f.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		c.advance(time.Minute)
	}
	if len(rv.bad) > 0 {
		t.Fatalf("bad deliveries: %v", rv.bad)
	}
	if len(rv.got) != len(rs) {
		t.Fatalf("%d of %d receipts delivered", len(rv.got), len(rs))
	}
	for _, r := range rs {
		if rv.got[r.Receipt.ID] != 1 {
			t.Errorf("%s delivered %d times", r.Receipt.ID, rv.got[r.Receipt.ID])
		}
	}
	if dead, _ := f.Outbox.Dead(ctx); len(dead) != 0 {
		t.Fatalf("%d dead", len(dead))
	}
}

// TestDeadThenReplayed: a destination down past the attempts leaves the
// deliveries dead, listed; replayed once it is up, each arrives.
func TestDeadThenReplayed(t *testing.T) {
	f, rv, c := setup(t, 3)
	ctx := context.Background()
	rs := recorded(t, 4)
	if err := f.Enqueue(ctx, rs); err != nil {
		t.Fatal(err)
	}
	rv.down.Store(true)
	for range 30 {
		if _, _, err := f.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		c.advance(time.Minute)
	}
	dead, err := f.Outbox.Dead(ctx)
	if err != nil || len(dead) != len(rs) || dead[0].Attempts != 3 || dead[0].LastError == "" {
		t.Fatalf("dead: %+v %v", dead, err)
	}
	rv.down.Store(false)
	if n, err := f.Outbox.Replay(ctx); err != nil || n != len(rs) {
		t.Fatalf("replayed %d, %v", n, err)
	}
	if delivered, _, err := f.Sweep(ctx); err != nil || delivered != len(rs) || len(rv.got) != len(rs) {
		t.Fatalf("after the replay: %d delivered, %v; the receiver has %v", delivered, err, rv.got)
	}
	if dead, _ := f.Outbox.Dead(ctx); len(dead) != 0 {
		t.Fatalf("still dead after the replay: %d", len(dead))
	}
}

// TestTwoSweepsDeliverOnce: sweeps of two instances at once deliver each
// receipt once between them.
func TestTwoSweepsDeliverOnce(t *testing.T) {
	f, rv, _ := setup(t, 0)
	ctx := context.Background()
	rs := recorded(t, 30)
	if err := f.Enqueue(ctx, rs); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { _, _, _ = f.Sweep(ctx) })
	}
	wg.Wait()
	for _, r := range rs {
		if rv.got[r.Receipt.ID] != 1 {
			t.Fatalf("%s delivered %d times", r.Receipt.ID, rv.got[r.Receipt.ID])
		}
	}
}

// TestSignature: a body or timestamp changed, or another key, does not
// verify; an old delivery is refused.
func TestSignature(t *testing.T) {
	body := []byte(`{"Id":"x"}`)
	now := time.Now()
	ts := fmt.Sprint(now.Unix())
	h := http.Header{}
	h.Set(webhook.HeaderTimestamp, ts)
	h.Set(webhook.HeaderSignature, webhook.Sign(key, ts, body))
	if err := webhook.Verify(key, h, body, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	if webhook.Verify(key, h, []byte(`{"Id":"y"}`), now, time.Minute) == nil || webhook.Verify([]byte("another-key-of-16+"), h, body, now, time.Minute) == nil ||
		webhook.Verify(key, h, body, now.Add(10*time.Minute), time.Minute) == nil {
		t.Fatal("a changed delivery verified")
	}
}
