package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/httpapi"
)

func codes(a answer) []string {
	var out []string
	for _, it := range a.items() {
		out = append(out, it["Code"].(string))
	}
	return out
}

func TestBatchMixedKeepsOrderAndSendsOnlyValidItems(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	a := s.do(t, "POST", batch, batchBody(
		itemJSON("13800000001"),
		itemJSON("1380000"),           // malformed number
		`17`,                          // not an object
		itemJSON("+86 138 0000 0002"), // decorated, valid
		itemJSON("13800000003", `"GroupId":"1235"`), // valid here, the upstream refuses the empty group
		itemJSON("13800000004", `"Expiration":"`+expIn(10*time.Second)+`"`),
	))
	if a.status != 200 || a.str("Code") != "OK" {
		t.Fatalf("got %d %s", a.status, a.raw)
	}
	want := []struct {
		code, phone, group, field string
	}{
		{"OK", "13800000001", "1234", ""},
		{string(core.CodeMobileIllegal), "1380000", "1234", "AxgBindList[1].PhoneNoA"},
		{string(core.CodeInvalidParameters), "", "", "AxgBindList[2]"},
		{"OK", "13800000002", "1234", ""},
		{string(core.CodeIllegalArgument), "13800000003", "1235", ""},
		{string(core.CodeExpireDateIllegal), "13800000004", "1234", "AxgBindList[5].Expiration"},
	}
	items := a.items()
	if len(items) != len(want) {
		t.Fatalf("%d items for %d sent: %s", len(items), len(want), a.raw)
	}
	for i, w := range want {
		it := items[i]
		if it["Code"] != w.code || it["PhoneNoA"] != w.phone || it["GroupId"] != w.group {
			t.Errorf("item %d = %v, want %+v", i, it, w)
		}
		if w.field != "" && !strings.Contains(it["Message"].(string), w.field+": ") {
			t.Errorf("item %d message %q does not name %s", i, it["Message"], w.field)
		}
		if (w.code == "OK") != (it["SubsId"] != "") {
			t.Errorf("item %d: SubsId %v with code %s", i, it["SubsId"], w.code)
		}
	}
	st := s.emu.Stats()
	if st.Calls["BindBatchAxg"] != 1 || st.Bindings != 2 {
		t.Errorf("upstream: %+v, want one call and two bindings", st)
	}
	for _, never := range []string{"1380000", "13800000004"} {
		if len(s.emu.BindingsOf(never)) != 0 {
			t.Errorf("%s reached the upstream", never)
		}
	}
}

func TestBatchOfAThousandIsChunked(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{svc: core.Options{Chunk: 100}})
	items := make([]string, 1000)
	for i := range items {
		items[i] = itemJSON(fmt.Sprintf("139%08d", i))
	}
	a := s.do(t, "POST", batch, batchBody(items...))
	if a.status != 200 {
		t.Fatalf("got %d", a.status)
	}
	subs := map[string]bool{}
	for i, it := range a.items() {
		if it["Code"] != "OK" || it["PhoneNoA"] != fmt.Sprintf("139%08d", i) || subs[it["SubsId"].(string)] {
			t.Fatalf("item %d = %v", i, it)
		}
		subs[it["SubsId"].(string)] = true
	}
	if st := s.emu.Stats(); st.Calls["BindBatchAxg"] != 10 || st.Bindings != 1000 {
		t.Fatalf("upstream: %+v, want 10 calls and 1000 bindings", st)
	}
}

func TestBatchResendsOnlyItemsTheUpstreamDidNotAct(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	s.emu.Inject(emulator.Fault{Action: "BindBatchAxg", Code: "isv.FLOW_LIMIT", Items: true})
	a := s.do(t, "POST", batch, batchBody(itemJSON("13800000001"), itemJSON("13800000002")))
	if got := codes(a); len(got) != 2 || got[0] != "OK" || got[1] != "OK" {
		t.Fatalf("codes %v", got)
	}
	if st := s.emu.Stats(); st.Calls["BindBatchAxg"] != 2 || st.Bindings != 2 {
		t.Fatalf("upstream %+v", st)
	}
}

func TestBatchChunkFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		fault emulator.Fault
		opt   options
		want  core.Code
		calls int
	}{
		{"persistent isp error", emulator.Fault{Code: "isp.SYSTEM_ERROR", Times: -1}, options{svc: core.Options{MaxAttempts: 3}}, core.CodeSystemError, 3},
		{"throttled to the end", emulator.Fault{Code: "isv.FLOW_LIMIT", Times: -1}, options{svc: core.Options{MaxAttempts: 2}}, core.CodeFlowLimit, 2},
		{"credentials refused", emulator.Fault{Status: 403, Code: "Forbidden.RAM", Times: -1}, options{}, "Forbidden.RAM", 1},
		{"stalled: outcome unknown", emulator.Fault{Delay: 5 * time.Second, Times: -1}, options{upstreamTimeout: 200 * time.Millisecond}, core.CodeUpstreamTimeout, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSetup(t, c.opt)
			s.emu.Inject(c.fault)
			a := s.do(t, "POST", batch, batchBody(itemJSON("13800000001"), itemJSON("1"), itemJSON("13800000002")))
			if a.status != 200 || a.str("Code") != "OK" {
				t.Fatalf("got %d %s", a.status, a.raw)
			}
			got := codes(a)
			if got[0] != string(c.want) || got[1] != string(core.CodeMobileIllegal) || got[2] != string(c.want) {
				t.Fatalf("codes %v, want %s around the invalid item", got, c.want)
			}
			if n := s.emu.Stats().Calls["BindBatchAxg"]; n != c.calls {
				t.Fatalf("%d upstream calls, want %d", n, c.calls)
			}
		})
	}
}

// TestBatchDeadline: chunks sent and cut off say UpstreamTimeout (outcome
// unknown); chunks never sent say UpstreamUnavailable (known not bound).
func TestBatchDeadline(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{upstreamTimeout: 300 * time.Millisecond, svc: core.Options{Chunk: 1, Concurrency: 2},
		http: httpapi.Config{RequestTimeout: 500 * time.Millisecond}})
	s.emu.Inject(emulator.Fault{Delay: 5 * time.Second, Times: -1})
	items := make([]string, 8)
	for i := range items {
		items[i] = itemJSON(fmt.Sprintf("139%08d", i))
	}
	start := time.Now()
	a := s.do(t, "POST", batch, batchBody(items...))
	if time.Since(start) > time.Second {
		t.Errorf("answered after %s, past the 500ms deadline", time.Since(start))
	}
	n := map[string]int{}
	for _, c := range codes(a) {
		n[c]++
	}
	sent := s.emu.Stats().Calls["BindBatchAxg"]
	if n[string(core.CodeUpstreamTimeout)] != sent || n[string(core.CodeUpstreamUnavailable)] != 8-sent || sent == 0 || sent == 8 {
		t.Fatalf("codes %v with %d chunks sent", n, sent)
	}
}

// TestBatchChunkRetriesCutByTheDeadline: a chunk resent until the deadline
// (here, by the rate ceiling's next slot) still answers every item with the
// last code it got.
func TestBatchChunkRetriesCutByTheDeadline(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{svc: core.Options{QPS: 2, MaxAttempts: 1000, BackoffBase: 20 * time.Millisecond, BackoffMax: 50 * time.Millisecond},
		http: httpapi.Config{RequestTimeout: 400 * time.Millisecond}})
	s.emu.Inject(emulator.Fault{Code: "isp.SYSTEM_ERROR", Times: -1})
	a := s.do(t, "POST", batch, batchBody(itemJSON("13800000001"), itemJSON("13800000002")))
	for i, c := range codes(a) {
		if c != string(core.CodeSystemError) {
			t.Fatalf("item %d: code %q after %d calls", i, c, s.emu.Stats().Calls["BindBatchAxg"])
		}
	}
	if n := s.emu.Stats().Calls["BindBatchAxg"]; n != 1 {
		t.Fatalf("%d calls: the ceiling allows one before the deadline", n)
	}
}

// TestOversizedFieldFailsAlone: a 390 KB OutId fails its item alone; the
// items beside it bind (the whole chunk was answered HTTP 431 before).
func TestOversizedFieldFailsAlone(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	a := s.do(t, "POST", batch, batchBody(itemJSON("13800000011"), itemJSON("13800000012", `"OutId":"`+strings.Repeat("o", 390<<10)+`"`),
		itemJSON("13800000013", `"RingConfig":{"AXGRing_A":"`+strings.Repeat("1", 600)+`"}`), itemJSON("13800000014")))
	got := codes(a)
	if a.status != 200 || len(got) != 4 || got[0] != "OK" || got[1] != string(core.CodeInvalidParameters) ||
		got[2] != string(core.CodeInvalidParameters) || got[3] != "OK" {
		t.Fatalf("codes %v: %.300s", got, a.raw)
	}
	if items := a.items(); !strings.Contains(items[1]["Message"].(string), "OutId: must be at most 128 characters") {
		t.Fatalf("message %q", items[1]["Message"])
	}
	b := s.do(t, "POST", bind, `{"PoolKey":"`+strings.Repeat("K", 65)+`","PhoneNoA":"13800000015","GroupId":1234,"Expiration":"`+expIn(time.Hour)+`"}`)
	if b.status != 400 || !strings.Contains(b.raw, "PoolKey: must be at most 64") {
		t.Fatalf("a 65-character PoolKey: %d %s", b.status, b.raw)
	}
}
