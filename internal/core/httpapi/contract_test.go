package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/request"
)

const (
	bind  = httpapi.RouteBind
	batch = httpapi.RouteBatchBind
)

func TestBind(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	a := s.do(t, "POST", bind, bindBody("+86 138-0000-0001", `"ExpectCity":"杭州市"`, `"RingConfig":{"AXGRing_A":"10000001"}`, `"CallDisplayType":1`))
	dto, _ := a.body["SecretBindDTO"].(map[string]any)
	if a.status != 200 || a.str("Code") != "OK" || !strings.HasPrefix(dto["SecretNo"].(string), "1710002") || dto["SubsId"] == "" {
		t.Fatalf("got %d %s", a.status, a.raw)
	}
	if got := s.emu.BindingsOf("13800000001"); len(got) != 1 || got[0] != dto["SubsId"] {
		t.Fatalf("emulator holds %v for the normalised A", got)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{http: httpapi.Config{RequireToken: true, Tokens: []string{"t"}}})
	if a := s.do(t, "GET", "/healthz", ""); a.status != 200 || a.str("status") != "ok" {
		t.Fatalf("got %d %s", a.status, a.raw)
	}
}

// TestErrorTable exercises every row of the error table of docs/http-api.md.
func TestErrorTable(t *testing.T) {
	t.Parallel()
	items := make([]string, 1001)
	for i := range items {
		items[i] = itemJSON(fmt.Sprintf("138%08d", i))
	}
	for _, c := range []struct {
		name   string
		opt    options
		setup  func(*setup)
		method string
		path   string
		body   string
		hdr    []string
		status int
		code   core.Code
		field  string // the first of Errors, when the row names fields
		calls  int    // upstream calls expected; -1 skips the check
	}{
		{name: "body not JSON", method: "POST", path: bind, body: "PhoneNoA=13800000000", status: 400, code: core.CodeInvalidParameters},
		{name: "body of the wrong shape", method: "POST", path: bind, body: `[1,2]`, status: 400, code: core.CodeInvalidParameters},
		{name: "batch body not an object", method: "POST", path: batch, body: `"x"`, status: 400, code: core.CodeInvalidParameters},
		{name: "batch AxgBindList not an array", method: "POST", path: batch, body: `{"PoolKey":"FC123456","AxgBindList":{}}`, status: 400, code: core.CodeInvalidParameters, field: "AxgBindList"},
		{name: "batch with no items", method: "POST", path: batch, body: batchBody(), status: 400, code: core.CodeInvalidParameters, field: "AxgBindList"},
		{name: "batch over the item limit", method: "POST", path: batch, body: batchBody(items...), status: 400, code: core.CodeInvalidParameters, field: "AxgBindList"},
		{name: "batch without PoolKey", method: "POST", path: batch, body: `{"AxgBindList":[` + items[0] + `]}`, status: 400, code: core.CodeInvalidParameters, field: "PoolKey"},
		{name: "malformed number", method: "POST", path: bind, body: bindBody("1380000"), status: 400, code: core.CodeMobileIllegal, field: "PhoneNoA"},
		{name: "malformed expiration", method: "POST", path: bind, body: `{"PoolKey":"FC123456","PhoneNoA":"13800000000","GroupId":1234,"Expiration":"2026/12/01"}`, status: 400, code: core.CodeExpireDateIllegal, field: "Expiration"},
		{name: "expiration too early", method: "POST", path: bind, body: `{"PoolKey":"FC123456","PhoneNoA":"13800000000","GroupId":1234,"Expiration":"` + expIn(30*time.Second) + `"}`, status: 400, code: core.CodeExpireDateIllegal, field: "Expiration"},
		{name: "missing field", method: "POST", path: bind, body: `{"PoolKey":"FC123456","PhoneNoA":"13800000000","Expiration":"` + expIn(time.Hour) + `"}`, status: 400, code: core.CodeInvalidParameters, field: "GroupId"},
		{name: "other broken field", method: "POST", path: bind, body: bindBody("13800000000", `"CallRestrict":"ALL"`), status: 400, code: core.CodeInvalidParameters, field: "CallRestrict"},
		{name: "no token", opt: options{http: httpapi.Config{RequireToken: true, Tokens: []string{"tok-1"}}}, method: "POST", path: bind, body: bindBody("13800000000"), status: 401, code: core.CodeUnauthorized},
		{name: "wrong token", opt: options{http: httpapi.Config{RequireToken: true, Tokens: []string{"tok-1"}}}, method: "POST", path: bind, body: bindBody("13800000000"), hdr: []string{"Authorization", "Bearer tok-2"}, status: 401, code: core.CodeUnauthorized},
		{name: "wrong scheme", opt: options{http: httpapi.Config{RequireToken: true, Tokens: []string{"tok-1"}}}, method: "POST", path: bind, body: bindBody("13800000000"), hdr: []string{"Authorization", "Basic tok-1"}, status: 401, code: core.CodeUnauthorized},
		{name: "token required, none configured: fail closed", opt: options{http: httpapi.Config{RequireToken: true}}, method: "POST", path: bind, body: bindBody("13800000000"), hdr: []string{"Authorization", "Bearer "}, status: 401, code: core.CodeUnauthorized},
		{name: "token checked before routing", opt: options{http: httpapi.Config{RequireToken: true, Tokens: []string{"tok-1"}}}, method: "GET", path: "/nowhere", status: 401, code: core.CodeUnauthorized},
		{name: "unknown path", method: "GET", path: "/v1/axg/rebind", status: 404, code: core.CodeNotFound},
		{name: "wrong method", method: "GET", path: bind, status: 405, code: core.CodeMethodNotAllowed},
		{name: "body over the limit", opt: options{http: httpapi.Config{MaxBodyBytes: 64}}, method: "POST", path: bind, body: bindBody("13800000000"), status: 413, code: core.CodeRequestTooLarge},
		{name: "upstream throttled, retries ran out", setup: func(s *setup) { s.emu.Inject(emulator.Fault{Code: "isv.FLOW_LIMIT", Times: -1}) },
			opt: options{svc: core.Options{MaxAttempts: 3}}, method: "POST", path: bind, body: bindBody("13800000000"), status: 429, code: core.CodeFlowLimit, calls: 3},
		{name: "gateway throttling", setup: func(s *setup) { s.emu.Inject(emulator.Fault{Status: 400, Code: "Throttling.User", Times: -1}) },
			opt: options{svc: core.Options{MaxAttempts: 2}}, method: "POST", path: bind, body: bindBody("13800000000"), status: 429, code: core.CodeFlowLimit, calls: 2},
		{name: "business error: no X available", method: "POST", path: bind, body: `{"PoolKey":"FC654321","PhoneNoA":"13800000000","GroupId":4321,"ExpectCity":"上海","Expiration":"` + expIn(time.Hour) + `"}`,
			status: 422, code: core.CodeNoAvailableNumber, calls: 1},
		{name: "business error: bind conflict", setup: func(s *setup) { s.do(t, "POST", bind, bindBody("13800000000", `"PhoneNoX":"17100000003"`)) },
			method: "POST", path: bind, body: bindBody("13800000000", `"PhoneNoX":"17100000003"`), status: 422, code: core.CodeBindConflict, calls: 1},
		{name: "business error: no such pool", method: "POST", path: bind, body: `{"PoolKey":"FC000","PhoneNoA":"13800000000","GroupId":1234,"Expiration":"` + expIn(time.Hour) + `"}`,
			status: 422, code: core.CodePoolKeyNotExists, calls: 1},
		{name: "upstream refused our secret", opt: options{secret: "wrong-secret"}, method: "POST", path: bind, body: bindBody("13800000000"), status: 502, code: core.CodeSignatureMismatch, calls: 0},
		{name: "upstream refused our permissions", setup: func(s *setup) { s.emu.Inject(emulator.Fault{Code: "isp.RAM_PERMISSION_DENY"}) },
			method: "POST", path: bind, body: bindBody("13800000000"), status: 502, code: core.CodeRAMPermissionDeny, calls: 1},
		{name: "upstream failing after retries", setup: func(s *setup) { s.emu.Inject(emulator.Fault{Code: "isp.SYSTEM_ERROR", Times: -1}) },
			opt: options{svc: core.Options{MaxAttempts: 4}}, method: "POST", path: bind, body: bindBody("13800000000"), status: 502, code: core.CodeSystemError, calls: 4},
		{name: "upstream unreachable", opt: options{endpoint: closedPort(t), svc: core.Options{MaxAttempts: 3}}, method: "POST", path: bind, body: bindBody("13800000000"), status: 502, code: core.CodeUpstreamUnavailable, calls: -1},
		{name: "upstream stalls: timed out, not resent", setup: func(s *setup) { s.emu.Inject(emulator.Fault{Delay: 5 * time.Second, Times: -1}) },
			opt: options{upstreamTimeout: 200 * time.Millisecond}, method: "POST", path: bind, body: bindBody("13800000000"), status: 504, code: core.CodeUpstreamTimeout, calls: 1},
		{name: "upstream 5xx without a code: outcome unknown, not resent", setup: func(s *setup) { s.emu.Inject(emulator.Fault{Status: 503, Times: -1}) },
			method: "POST", path: bind, body: bindBody("13800000000"), status: 504, code: core.CodeUpstreamTimeout, calls: 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSetup(t, c.opt)
			if c.setup != nil {
				c.setup(s)
			}
			before := s.emu.Stats().Calls["BindAxg"]
			a := s.do(t, c.method, c.path, c.body, c.hdr...)
			if a.status != c.status || a.str("Code") != string(c.code) || a.str("Message") == "" {
				t.Fatalf("got %d %s, want %d %s", a.status, a.raw, c.status, c.code)
			}
			errs, _ := a.body["Errors"].([]any)
			if c.field != "" {
				if len(errs) == 0 || errs[0].(map[string]any)["Field"] != c.field {
					t.Fatalf("Errors %v, want %s first", errs, c.field)
				}
			} else if len(errs) != 0 {
				t.Errorf("Errors %v on a row that names no field", errs)
			}
			if c.status == 405 && a.header.Get("Allow") != "POST" {
				t.Errorf("Allow %q", a.header.Get("Allow"))
			}
			if c.status == 401 && a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
			if c.status == 400 && s.emu.Stats().Calls["BindAxg"]+s.emu.Stats().Calls["BindBatchAxg"] != 0 {
				t.Errorf("a validation failure reached the upstream")
			}
			if c.calls >= 0 {
				if got := s.emu.Stats().Calls["BindAxg"] - before; got != c.calls {
					t.Errorf("upstream saw %d calls, want %d", got, c.calls)
				}
			}
		})
	}
}

// closedPort is an endpoint where nothing listens.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestTokens(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{http: httpapi.Config{RequireToken: true, Tokens: []string{"old-token", "new-token"}}})
	for _, h := range []string{"Bearer old-token", "Bearer new-token", "bearer new-token", "BEARER  old-token"} {
		if a := s.do(t, "POST", bind, bindBody("13800000000", `"OutId":"`+h+`"`), "Authorization", h); a.status != 200 {
			t.Errorf("%q: got %d %s", h, a.status, a.raw)
		}
	}
	// The answer without one says what to send, as written: JSON, not
	// HTML, so "<token>" is not escaped to \u003ctoken\u003e.
	if a := s.do(t, "POST", bind, bindBody("13800000000")); a.status != 401 || !strings.Contains(a.raw, "Bearer <token>") {
		t.Errorf("no token: %d %s", a.status, a.raw)
	}
}

func TestRetriedUntilTheUpstreamActs(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	s.emu.Inject(emulator.Fault{Code: "isp.SYSTEM_ERROR"}, emulator.Fault{Code: "isv.FLOW_LIMIT"}, emulator.Fault{Status: 429, Code: "Throttling"})
	a := s.do(t, "POST", bind, bindBody("13800000000"))
	if a.status != 200 || s.emu.Stats().Calls["BindAxg"] != 4 || len(s.emu.BindingsOf("13800000000")) != 1 {
		t.Fatalf("got %d %s after %d calls", a.status, a.raw, s.emu.Stats().Calls["BindAxg"])
	}
}

func TestRateCeilingPastTheDeadline(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{svc: core.Options{QPS: 0.5}, http: httpapi.Config{RequestTimeout: 500 * time.Millisecond}})
	if a := s.do(t, "POST", bind, bindBody("13800000001")); a.status != 200 {
		t.Fatalf("first call: %d %s", a.status, a.raw)
	}
	a := s.do(t, "POST", bind, bindBody("13800000002"))
	if a.status != 429 || a.str("Code") != string(core.CodeFlowLimit) || s.emu.Stats().Calls["BindAxg"] != 1 {
		t.Fatalf("second call: %d %s, %d upstream calls", a.status, a.raw, s.emu.Stats().Calls["BindAxg"])
	}
}

func TestPlatformDeadlineBoundsTheRequest(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{upstreamTimeout: 10 * time.Second})
	s.emu.Inject(emulator.Fault{Delay: 10 * time.Second, Times: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	a := s.doCtx(t, ctx, "POST", bind, bindBody("13800000000"))
	if a.status != 504 || time.Since(start) >= 5*time.Second { // by the platform's deadline, not the upstream's 10 s
		t.Fatalf("got %d %s after %s", a.status, a.raw, time.Since(start))
	}
}

func TestUpstreamMessagesAreMasked(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{secret: "wrong-secret"})
	a := s.do(t, "POST", bind, bindBody("13800000123"))
	if strings.Contains(a.raw, "string to sign is") || strings.Contains(a.raw, "13800000123") || strings.Contains(a.raw, emulator.DemoAccessKeyID) {
		t.Fatalf("answer quotes the request: %s", a.raw)
	}
}

var (
	longDigits = regexp.MustCompile(`\d{11,}`)
	requestIDs = regexp.MustCompile(`"request_id":"[0-9a-fA-F-]{36}"`)
)

// TestLogs: one line per request; no full phone number, secret or token.
func TestLogs(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{http: httpapi.Config{Tokens: []string{"sekret-token-1"}}})
	auth := []string{"Authorization", "Bearer sekret-token-1"}
	s.do(t, "POST", bind, bindBody("13800000777"), auth...)
	s.do(t, "POST", bind, bindBody("1380000077"), auth...)
	s.do(t, "POST", batch, batchBody(itemJSON("13800000778"), itemJSON("057188888888"), itemJSON("1")), auth...)
	s.emu.Inject(emulator.Fault{Code: "isv.MOBILE_NUMBER_ILLEGAL", Message: "PhoneNoA 13800000779 is illegal"})
	s.do(t, "POST", bind, bindBody("13800000779"), auth...)
	s.do(t, "POST", bind, bindBody("13800000780"), "Authorization", "Bearer wrong-token-9")
	bad := newSetup(t, options{secret: "wrong-secret"})
	bad.logs = s.logs
	bad.do(t, "POST", bind, bindBody("13800000781"))

	logs := s.logs.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) != 5 {
		t.Errorf("%d log lines for 5 requests:\n%s", len(lines), logs)
	}
	for _, secret := range []string{emulator.DemoAccessKeySecret, "wrong-secret", "sekret-token-1", "wrong-token-9", "string to sign", "057188888888"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs hold %q", secret)
		}
	}
	// Request IDs are random hex, which can hold a long run of decimal digits.
	if m := longDigits.FindAllString(requestIDs.ReplaceAllString(logs, ""), -1); len(m) > 0 {
		t.Errorf("logs hold digit runs %v:\n%s", m, logs)
	}
	if !strings.Contains(logs, `"phone_a":"138****0777"`) {
		t.Errorf("logs lack the masked number:\n%s", logs)
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %s", l)
		}
		id, _ := m["request_id"].(string)
		if _, cold := m["cold_start"].(bool); id == "" || !cold || m["level"] == nil || m["message"] != "request" || m["function"] != "axg-test" {
			t.Errorf("a line without its request ID, cold_start, level, message or function: %s", l)
		}
	}
}

// TestLogsMaskWhatCallersDecorate: numbers written with spaces or hyphens, in
// a body's keys or an unknown path, are masked in the logs; a caller's
// PoolKey is clipped; a forged platform request ID is neither logged nor
// echoed.
func TestLogsMaskWhatCallersDecorate(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	s.h = asPlatform(s.h)
	s.do(t, "POST", bind, `{"138 1234 5678":1}`)
	s.do(t, "POST", "/call/138-1234-5679", `{}`)
	s.do(t, "POST", bind, `{"PoolKey":"`+strings.Repeat("P", 100000)+`","PhoneNoA":"13800000001","GroupId":1234,"Expiration":"2099-01-01 00:00:00"}`)
	a := s.do(t, "POST", bind, bindBody("13800000002"), "X-Platform-Id", "forged\"id 13812345678")
	good := s.do(t, "POST", bind, bindBody("13800000003"), "X-Platform-Id", "c0ffee-1234-fc-req")
	logs := s.logs.String()
	for _, whole := range []string{"138 1234 5678", "138-1234-5679", strings.Repeat("P", 1000), "forged", "13812345678"} {
		if strings.Contains(logs, whole) {
			t.Errorf("logs hold %q", whole)
		}
	}
	if strings.Contains(a.raw, "forged") || a.header.Get("X-Request-Id") == "" || strings.Contains(a.header.Get("X-Request-Id"), "forged") {
		t.Errorf("a forged request ID is echoed: %s %v", a.raw, a.header)
	}
	if good.str("RequestId") != "c0ffee-1234-fc-req" {
		t.Errorf("a platform's request ID replaced: %s", good.raw)
	}
	if len(logs) > 20000 {
		t.Errorf("%d bytes of logs for five requests", len(logs))
	}
}

// TestLogsMaskWhatCallersGiveAnywhere: a number a caller puts where an ID
// belongs (SubsId and SecretNo swapped, a PoolKey, a GroupId), or writes in
// full-width digits, is masked in the request's line (they were logged as
// given).
func TestLogsMaskWhatCallersGiveAnywhere(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	s.do(t, "POST", httpapi.RouteUnbind, `{"PoolKey":"13800000181","SubsId":"13800000182","SecretNo":"1000000000000001"}`)
	s.do(t, "POST", httpapi.RouteGroupDelete, `{"PoolKey":"FC1","GroupId":"13800000183"}`)
	s.do(t, "POST", httpapi.RouteUpdate, `{"PoolKey":"FC1","SubsId":"1","PhoneNoX":"17100000000","OperateType":"13800000184"}`)
	s.do(t, "POST", bind, `{"PoolKey":"FC1","PhoneNoA":"１３８００００１８５","GroupId":1,"Expiration":"2099-01-01 00:00:00"}`)
	logs := s.logs.String()
	for _, whole := range []string{"13800000181", "13800000182", "13800000183", "13800000184", "１３８００００１８５", "13800000185"} {
		if strings.Contains(logs, whole) {
			t.Errorf("logs hold %q", whole)
		}
	}
}

// asPlatform gives each request the ID its X-Platform-Id header says, as a
// platform adapter gives its own (internal/core/request).
func asPlatform(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get("X-Platform-Id"); id != "" {
			r = r.WithContext(request.With(r.Context(), request.Info{ID: id}))
		}
		h.ServeHTTP(w, r)
	})
}
