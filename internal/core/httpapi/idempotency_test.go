package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/ledger"
)

// TestIdempotencyKeys: the contract's "Idempotency keys", through the real
// path on the emulator.
func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	auth := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	withKey := func(tok, key string) []string { return append(auth(tok), "Idempotency-Key", key) }
	newS := func(c httpapi.Config) *setup {
		c.Tokens = []string{"tok-a", "tok-b"}
		return newSetup(t, options{http: c})
	}

	t.Run("a repeat gets the first answer, byte for byte, and sends nothing", func(t *testing.T) {
		s := newS(httpapi.Config{})
		body := bindBody("13800000101")
		first := s.do(t, "POST", bind, body, withKey("tok-a", "order-1")...)
		again := s.do(t, "POST", bind, body, withKey("tok-a", "order-1")...)
		if first.status != 200 || again.status != 200 || again.raw != first.raw || again.header.Get("Idempotent-Replayed") != "true" ||
			first.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first %d %s\nagain %d %s %v", first.status, first.raw, again.status, again.raw, again.header)
		}
		if n := len(s.emu.BindingsOf("13800000101")); n != 1 || s.emu.Stats().Calls["BindAxg"] != 1 {
			t.Fatalf("%d bindings, %d calls", n, s.emu.Stats().Calls["BindAxg"])
		}
	})
	t.Run("the same key with another body or route is refused", func(t *testing.T) {
		s := newS(httpapi.Config{})
		s.do(t, "POST", bind, bindBody("13800000102"), withKey("tok-a", "k")...)
		other := s.do(t, "POST", bind, bindBody("13800000103"), withKey("tok-a", "k")...)
		route := s.do(t, "POST", batch, batchBody(itemJSON("13800000102")), withKey("tok-a", "k")...)
		for _, a := range []answer{other, route} {
			if a.status != 422 || a.str("Code") != "IdempotencyKeyReused" {
				t.Errorf("%d %s", a.status, a.raw)
			}
		}
		if len(s.emu.BindingsOf("13800000103")) != 0 {
			t.Error("the refused request was sent")
		}
	})
	t.Run("a repeat while the first runs is told to come back", func(t *testing.T) {
		t.Parallel()
		s := newS(httpapi.Config{})
		s.emu.Inject(emulator.Fault{Delay: 600 * time.Millisecond})
		var wg sync.WaitGroup
		var first answer
		body := bindBody("13800000104")
		wg.Go(func() { first = s.do(t, "POST", bind, body, withKey("tok-a", "slow")...) })
		time.Sleep(150 * time.Millisecond)
		a := s.do(t, "POST", bind, body, withKey("tok-a", "slow")...)
		wg.Wait()
		if a.status != 409 || a.str("Code") != "IdempotencyKeyInFlight" || a.header.Get("Retry-After") == "" || first.status != 200 {
			t.Fatalf("in flight: %d %s %v; first %d", a.status, a.raw, a.header, first.status)
		}
		if n := len(s.emu.BindingsOf("13800000104")); n != 1 {
			t.Fatalf("%d bindings", n)
		}
	})
	t.Run("callers' keys are apart", func(t *testing.T) {
		s := newS(httpapi.Config{})
		a := s.do(t, "POST", bind, bindBody("13800000105"), withKey("tok-a", "same")...)
		b := s.do(t, "POST", bind, bindBody("13800000105"), withKey("tok-b", "same")...)
		if a.header.Get("Idempotent-Replayed") != "" || b.header.Get("Idempotent-Replayed") != "" || len(s.emu.BindingsOf("13800000105")) != 2 {
			t.Fatalf("caller b read caller a's answer: %s / %s", a.raw, b.raw)
		}
	})
	t.Run("an unknown outcome is recorded too", func(t *testing.T) {
		t.Parallel()
		s := newSetup(t, options{upstreamTimeout: 200 * time.Millisecond, http: httpapi.Config{Tokens: []string{"tok-a"}}})
		s.emu.Inject(emulator.Fault{Delay: 500 * time.Millisecond})
		body := bindBody("13800000106")
		first := s.do(t, "POST", bind, body, withKey("tok-a", "t")...)
		again := s.do(t, "POST", bind, body, withKey("tok-a", "t")...)
		if first.status != 504 || again.raw != first.raw || again.status != 504 || s.emu.Stats().Calls["BindAxg"] != 1 {
			t.Fatalf("first %d %s, again %d %s, %d calls", first.status, first.raw, again.status, again.raw, s.emu.Stats().Calls["BindAxg"])
		}
	})
	t.Run("bad keys", func(t *testing.T) {
		s := newS(httpapi.Config{})
		for _, k := range []string{"", strings.Repeat("k", 256), "a\x01b", "ключ"} {
			if a := s.do(t, "POST", bind, bindBody("13800000107"), withKey("tok-a", k)...); a.status != 400 {
				t.Errorf("key %q: %d %s", k, a.status, a.raw)
			}
		}
		if s.emu.Stats().Calls["BindAxg"] != 0 {
			t.Error("a request with a bad key was sent")
		}
	})
	t.Run("required", func(t *testing.T) {
		s := newS(httpapi.Config{RequireIdempotency: true})
		if a := s.do(t, "POST", bind, bindBody("13800000108"), auth("tok-a")...); a.status != 400 || !strings.Contains(a.raw, "Idempotency-Key is required") {
			t.Fatalf("%d %s", a.status, a.raw)
		}
		if a := s.do(t, "POST", bind, bindBody("13800000108"), withKey("tok-a", "r")...); a.status != 200 {
			t.Fatalf("with a key: %d %s", a.status, a.raw)
		}
	})
	t.Run("an unreachable store sends nothing", func(t *testing.T) {
		s := newS(httpapi.Config{Ledger: ledger.New(unreachable{})})
		a := s.do(t, "POST", bind, bindBody("13800000109"), withKey("tok-a", "u")...)
		if a.status != 503 || a.str("Code") != "IdempotencyStoreUnavailable" || s.emu.Stats().Calls["BindAxg"] != 0 {
			t.Fatalf("%d %s", a.status, a.raw)
		}
		if b := s.do(t, "POST", bind, bindBody("13800000109"), auth("tok-a")...); b.status != 200 {
			t.Fatalf("without a key the store is not needed: %d %s", b.status, b.raw)
		}
	})
}

// unreachable is a ledger driver whose backend does not answer.
type unreachable struct{}

var errUnreachable = fmt.Errorf("%w: dial tcp 10.0.0.1:6379: i/o timeout", ledger.ErrUnavailable)

func (unreachable) Create(context.Context, ledger.Record) (*ledger.Record, error) {
	return nil, errUnreachable
}
func (unreachable) Replace(context.Context, string, ledger.Record) error { return errUnreachable }
func (unreachable) Get(context.Context, string) (*ledger.Record, error)  { return nil, errUnreachable }
func (unreachable) Delete(context.Context, string, string) error         { return errUnreachable }
func (unreachable) PutBatch(context.Context, []ledger.Record, []ledger.Member) error {
	return errUnreachable
}
func (unreachable) Members(context.Context, string) ([]string, error) { return nil, errUnreachable }
