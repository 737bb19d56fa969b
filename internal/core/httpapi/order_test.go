package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/ledger"
)

// ordersSetup is a binder whose ledger keeps its bindings.
func ordersSetup(t *testing.T, opt options) *setup {
	b := ledger.NewBindings(ledger.New(ledger.NewMemory(0)), 0)
	opt.svc.Recorder, opt.svc.Orders, opt.http.Orders = b, b, b
	return newSetup(t, opt)
}

func order(id string) string {
	return `{"PoolKey":"` + emulator.DemoPoolKey + `","OutOrderId":"` + id + `"}`
}

func bindings(a answer) []map[string]any { return objects(a, "Bindings") }
func results(a answer) []map[string]any  { return objects(a, "Results") }

// objects is the answer's list under key, each an object.
func objects(a answer, key string) []map[string]any {
	list, _ := a.body[key].([]any)
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = x.(map[string]any)
	}
	return out
}

// TestOrderLife: an order's whole life by its OutOrderId alone — bind,
// look up, close — and a bind of unknown outcome shown, never guessed.
func TestOrderLife(t *testing.T) {
	t.Parallel()
	s := ordersSetup(t, options{upstreamTimeout: 300 * time.Millisecond})
	for _, a := range []string{"13800000301", "13800000302"} {
		s.bound(t, a, `"OutOrderId":"o-1"`)
		time.Sleep(2 * time.Millisecond) // distinct times: newest first
	}
	s.bound(t, "13800000303", `"OutOrderId":"o-2"`)
	s.emu.Inject(emulator.Fault{Action: "BindAxg", Acted: true, Delay: time.Second})
	if a := s.do(t, "POST", httpapi.RouteBind, bindBody("13800000304", `"OutOrderId":"o-3"`, `"PhoneNoX":"17100000009"`)); a.status != 504 {
		t.Fatalf("the stalled bind: %d %s", a.status, a.raw)
	}
	s.emu.ClearFaults()

	got := s.do(t, "POST", httpapi.RouteOrderGet, order("o-1"))
	bs := bindings(got)
	if got.status != 200 || len(bs) != 2 || bs[0]["PhoneNoA"] != "138****0302" || bs[1]["PhoneNoA"] != "138****0301" ||
		bs[0]["State"] != "live" || bs[0]["SubsId"] == "" || bs[0]["SecretNo"] == "" || strings.Contains(got.raw, "13800000301") {
		t.Fatalf("order/get o-1: %d %s", got.status, got.raw)
	}
	un := s.do(t, "POST", httpapi.RouteOrderUnbind, order("o-1"))
	rs := results(un)
	if un.status != 200 || un.str("Code") != "OK" || len(rs) != 2 || rs[0]["Code"] != "OK" || rs[0]["State"] != "unbound" ||
		rs[1]["State"] != "unbound" || s.emu.Stats().Calls["UnbindSubscription"] != 2 {
		t.Fatalf("order/unbind o-1: %d %s", un.status, un.raw)
	}
	if again := s.do(t, "POST", httpapi.RouteOrderUnbind, order("o-1")); again.status != 200 || len(results(again)) != 2 ||
		results(again)[0]["Code"] != "OK" || s.emu.Stats().Calls["UnbindSubscription"] != 2 {
		t.Fatalf("order/unbind o-1 again: %d %s", again.status, again.raw)
	}
	if bs := bindings(s.do(t, "POST", httpapi.RouteOrderGet, order("o-1"))); len(bs) != 2 || bs[0]["State"] != "unbound" || bs[1]["State"] != "unbound" {
		t.Fatalf("order/get o-1 after: %v", bs)
	}
	if bs := bindings(s.do(t, "POST", httpapi.RouteOrderGet, order("o-2"))); len(bs) != 1 || bs[0]["State"] != "live" {
		t.Fatalf("order/get o-2, untouched: %v", bs)
	}

	unknown := s.do(t, "POST", httpapi.RouteOrderGet, order("o-3"))
	if bs := bindings(unknown); len(bs) != 1 || bs[0]["State"] != "unknown" || bs[0]["PhoneNoA"] != "138****0304" ||
		bs[0]["SecretNo"] != "17100000009" || bs[0]["SubsId"] != nil {
		t.Fatalf("order/get o-3: %s", unknown.raw)
	}
	u3 := s.do(t, "POST", httpapi.RouteOrderUnbind, order("o-3"))
	if rs := results(u3); u3.status != 200 || len(rs) != 1 || rs[0]["Code"] != "UpstreamTimeout" || rs[0]["State"] != "unknown" ||
		!strings.Contains(u3.str("Message"), "1 of 1") || s.emu.Stats().Calls["UnbindSubscription"] != 2 {
		t.Fatalf("order/unbind o-3: %d %s", u3.status, u3.raw)
	}

	if none := s.do(t, "POST", httpapi.RouteOrderGet, order("never")); none.status != 200 || len(bindings(none)) != 0 ||
		!strings.Contains(none.raw, `"Bindings":[]`) {
		t.Fatalf("an order never seen: %d %s", none.status, none.raw)
	}
	if bad := s.do(t, "POST", httpapi.RouteOrderGet, `{"PoolKey":"`+emulator.DemoPoolKey+`"}`); bad.status != 400 || !strings.Contains(bad.raw, "OutOrderId") {
		t.Fatalf("no OutOrderId: %d %s", bad.status, bad.raw)
	}
}

// TestOrdersNotKept: where the ledger keeps no bindings (an instance's
// memory), the order routes say so, naming what to set.
func TestOrdersNotKept(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	a := s.do(t, "POST", httpapi.RouteOrderGet, order("o-1"))
	if a.status != 501 || a.str("Code") != "OrdersNotKept" || !strings.Contains(a.str("Message"), "AXG_LEDGER") {
		t.Fatalf("%d %s", a.status, a.raw)
	}
}

// TestQuerySubsId: the SubsIds on an X number, as the upstream lists them
// (QuerySubsId, in the SDK's request shape, on the emulator): how a bind of
// unknown outcome that named its X is settled.
func TestQuerySubsId(t *testing.T) {
	t.Parallel()
	s := ordersSetup(t, options{upstreamTimeout: 300 * time.Millisecond})
	subs, x := s.bound(t, "13800000311", `"OutOrderId":"o-9"`)
	q := s.do(t, "POST", httpapi.RouteQuerySubsId, `{"PoolKey":"`+emulator.DemoPoolKey+`","PhoneNoX":"`+x+`"}`)
	if q.status != 200 || q.str("Code") != "OK" || !strings.Contains(q.str("SubsId"), subs) {
		t.Fatalf("query-subs-id: %d %s", q.status, q.raw)
	}
	s.do(t, "POST", httpapi.RouteUnbind, body(`"SubsId":"`+subs+`"`, `"SecretNo":"`+x+`"`))
	if q := s.do(t, "POST", httpapi.RouteQuerySubsId, `{"PoolKey":"`+emulator.DemoPoolKey+`","PhoneNoX":"`+x+`"}`); q.status != 200 || q.str("SubsId") != "" {
		t.Fatalf("query-subs-id after the unbind: %d %s", q.status, q.raw)
	}
	if bad := s.do(t, "POST", httpapi.RouteQuerySubsId, `{"PoolKey":"`+emulator.DemoPoolKey+`","PhoneNoX":"12"}`); bad.status != 400 || !strings.Contains(bad.raw, "PhoneNoX") {
		t.Fatalf("a bad X: %d %s", bad.status, bad.raw)
	}
	if n := s.emu.Stats().Calls["QuerySubsId"]; n != 2 {
		t.Fatalf("QuerySubsId sent %d times", n)
	}
}
