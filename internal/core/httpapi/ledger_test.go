package httpapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/ledger"
)

// TestCallerHangsUp: a caller that gives up on a keyed bind (its own
// timeout) cancels nothing already sent: the resend gets the real answer,
// from one upstream call (it was a 504 recorded for the key, and the
// binding orphaned).
func TestCallerHangsUp(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{http: httpapi.Config{Tokens: []string{"tok"}}})
	s.emu.Inject(emulator.Fault{Action: "BindAxg", Delay: 600 * time.Millisecond})
	srv := httptest.NewServer(s.h)
	t.Cleanup(srv.Close)
	body := bindBody("13800000141")
	send := func(timeout time.Duration) (*http.Response, string, error) {
		req, _ := http.NewRequest("POST", srv.URL+httpapi.RouteBind, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Idempotency-Key", "hang-up")
		res, err := (&http.Client{Timeout: timeout}).Do(req)
		if err != nil {
			return nil, "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res, string(b), err
	}
	if _, _, err := send(300 * time.Millisecond); err == nil {
		t.Fatal("the caller's timeout did not end the first request")
	}
	var res *http.Response
	var got string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var err error
		if res, got, err = send(5 * time.Second); err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusConflict { // the first is still running
			break
		}
	}
	if res.StatusCode != 200 || res.Header.Get("Idempotent-Replayed") != "true" || !strings.Contains(got, `"SubsId"`) {
		t.Fatalf("the resend: %d %s", res.StatusCode, got)
	}
	if n := s.emu.Stats().Calls["BindAxg"]; n != 1 || len(s.emu.BindingsOf("13800000141")) != 1 {
		t.Fatalf("%d calls, %d bindings", n, len(s.emu.BindingsOf("13800000141")))
	}
}

// TestLedgerMemoryBound: 300 keyed batch-binds with big answers keep the
// memory ledger within its bound (it grew without one: 36 MB → 1 GB), the
// heap within the bound and a stated overhead, and the newest answers
// replayable.
func TestLedgerMemoryBound(t *testing.T) {
	const bound = 4 << 20
	mem := ledger.NewMemory(bound)
	s := newSetup(t, options{http: httpapi.Config{Tokens: []string{"tok"}, Ledger: ledger.New(mem)}})
	items := make([]string, 1000)
	for i := range items {
		items[i] = itemJSON("1380000" + strings.Repeat("9", 3)) // too short: each item fails alone, nothing is sent
	}
	body := batchBody(items...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	var n atomic.Int32
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < 300; i += 4 {
				r := httptest.NewRequest("POST", httpapi.RouteBatchBind, strings.NewReader(body))
				r.Header.Set("Authorization", "Bearer tok")
				r.Header.Set("Idempotency-Key", "batch-"+string(rune('A'+i/26/26))+string(rune('A'+i/26%26))+string(rune('A'+i%26)))
				rec := httptest.NewRecorder()
				s.h.ServeHTTP(rec, r)
				if rec.Code == 200 {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	const overhead = 8 << 20
	if n.Load() != 300 || mem.Used() > bound || grown > bound+overhead {
		t.Fatalf("%d of 300 answered; the ledger holds %d bytes (bound %d); the heap grew %d bytes (bound + %d allowed)",
			n.Load(), mem.Used(), bound, grown, overhead)
	}
	if s.emu.Stats().Calls["BindBatchAxg"] != 0 {
		t.Fatal("invalid items were sent")
	}
	t.Logf("the heap grew %.1f MiB; the ledger holds %.1f MiB", float64(grown)/(1<<20), float64(mem.Used())/(1<<20))
}

// stuck is a memory driver whose Replace fails while stuck is set: the
// ledger unreachable to the end of a request, as an instance that died.
type stuck struct {
	*ledger.Memory
	stuck atomic.Bool
}

func (s *stuck) Replace(ctx context.Context, token string, r ledger.Record) error {
	if s.stuck.Load() {
		return errors.New("connection refused")
	}
	return s.Memory.Replace(ctx, token, r)
}

// TestUnrecordedFirstRequest: a key whose first request recorded no answer
// answers, once that request's deadline has passed, 504 UpstreamTimeout
// for a bind (never sent again), while an unbind runs again and takes the
// binding's absence as the first request's doing.
func TestUnrecordedFirstRequest(t *testing.T) {
	t.Parallel()
	d := &stuck{Memory: ledger.NewMemory(0)}
	l := ledger.New(d)
	l.Grace = 0
	s := newSetup(t, options{http: httpapi.Config{Tokens: []string{"tok"}, Ledger: l, RequestTimeout: 500 * time.Millisecond}})
	hdr := []string{"Authorization", "Bearer tok", "Idempotency-Key", "lost"}
	d.stuck.Store(true)
	body := bindBody("13800000142")
	first := s.do(t, "POST", bind, body, hdr...)
	if first.status != 200 {
		t.Fatalf("first: %d %s", first.status, first.raw)
	}
	d.stuck.Store(false)
	a := s.do(t, "POST", bind, body, hdr...)
	if a.status != 504 || a.str("Code") != "UpstreamTimeout" {
		t.Fatalf("the resend of a bind whose answer was never recorded: %d %s", a.status, a.raw)
	}
	if again := s.do(t, "POST", bind, body, hdr...); again.raw != a.raw || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the unknown outcome was not kept: %d %s", again.status, again.raw)
	}
	if n := len(s.emu.BindingsOf("13800000142")); n != 1 {
		t.Fatalf("%d bindings under one key", n)
	}

	dto, _ := first.body["SecretBindDTO"].(map[string]any)
	unbind := `{"PoolKey":"` + emulator.DemoPoolKey + `","SubsId":"` + dto["SubsId"].(string) + `","SecretNo":"` + dto["SecretNo"].(string) + `"}`
	hdr[3] = "lost-unbind"
	d.stuck.Store(true)
	if a := s.do(t, "POST", httpapi.RouteUnbind, unbind, hdr...); a.status != 200 {
		t.Fatalf("first unbind: %d %s", a.status, a.raw)
	}
	d.stuck.Store(false)
	// It runs again: the binding is gone, the first request's doing, so OK
	// (before, the upstream's 422 isv.SUBS_NOT_EXIST was the answer).
	if a := s.do(t, "POST", httpapi.RouteUnbind, unbind, hdr...); a.header.Get("Idempotent-Replayed") != "" || a.status != 200 {
		t.Fatalf("an unbind whose answer was never recorded runs again: %d %s", a.status, a.raw)
	}
	if n := s.emu.Stats().Calls["UnbindSubscription"]; n != 2 {
		t.Fatalf("%d unbind calls, want 2", n)
	}
}
