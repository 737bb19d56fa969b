package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
)

var cst = time.FixedZone("CST", 8*3600)

// recorder keeps the last request the SDK sent, then passes it on.
type recorder struct {
	mu   sync.Mutex
	last *http.Request
	next http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.last = req
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func client(t *testing.T, e *emulator.Emulator, rt http.RoundTripper, id, secret, token string) *dypls.Client {
	t.Helper()
	if rt == nil {
		rt = e.Transport()
	}
	c, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: id, AccessKeySecret: secret,
		SecurityToken: token, Timeout: 2 * time.Second, Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func demo(t *testing.T, e *emulator.Emulator) *dypls.Client {
	return client(t, e, nil, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret, "")
}

func item(a string, d time.Duration) *core.Item {
	return &core.Item{PhoneNoA: a, GroupId: "1234", Expiration: time.Now().Add(d).In(cst).Format("2006-01-02 15:04:05")}
}

func code(err error) core.Code {
	var e *core.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return core.CodeOK
	}
	return "?"
}

// send replays a recorded request with its query changed by edit.
func send(t *testing.T, e *emulator.Emulator, req *http.Request, edit func(url.Values)) (int, map[string]string) {
	t.Helper()
	q := req.URL.Query()
	edit(q)
	u := *req.URL
	u.RawQuery = q.Encode()
	r, _ := http.NewRequest(req.Method, u.String(), nil)
	resp, err := e.Transport().RoundTrip(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]string
	_ = json.Unmarshal(b, &map[string]any{})
	m = map[string]string{}
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	for k, v := range raw {
		if s, ok := v.(string); ok {
			m[k] = s
		}
	}
	return resp.StatusCode, m
}

func TestSignatureOfTheRealSDK(t *testing.T) {
	e := emulator.New(emulator.Demo())
	rec := &recorder{next: e.Transport()}
	c := client(t, e, rec, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret, "")
	if _, err := c.BindAxg(context.Background(), emulator.DemoPoolKey, item("13800000001", time.Hour)); err != nil {
		t.Fatalf("a request signed by the SDK was refused: %v", err)
	}
	signed := rec.last
	q := signed.URL.Query()
	if got := emulator.Sign(emulator.StringToSign(signed.Method, q), emulator.DemoAccessKeySecret); got != q.Get("Signature") {
		t.Fatalf("our signature %q differs from the SDK's %q", got, q.Get("Signature"))
	}

	for _, c := range []struct {
		name   string
		edit   func(url.Values)
		status int
		code   string
	}{
		{"replayed as is", func(url.Values) {}, 400, "SignatureNonceUsed"},
		{"a parameter tampered", func(q url.Values) { q.Set("PhoneNoA", "13800000009"); q.Set("SignatureNonce", "n1") }, 400, "SignatureDoesNotMatch"},
		{"signature dropped", func(q url.Values) { q.Del("Signature") }, 400, "MissingParameter"},
		{"unknown key", func(q url.Values) { q.Set("AccessKeyId", "LTAI-nobody") }, 404, "InvalidAccessKeyId.NotFound"},
		{"old timestamp, signed right", func(q url.Values) {
			q.Set("Timestamp", time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05Z"))
			q.Set("SignatureNonce", "n2")
			q.Set("Signature", emulator.Sign(emulator.StringToSign("POST", q), emulator.DemoAccessKeySecret))
		}, 400, "InvalidTimeStamp.Expired"},
		{"unknown action, signed right", func(q url.Values) {
			q.Set("Action", "BindAxb")
			q.Set("SignatureNonce", "n3")
			q.Set("Signature", emulator.Sign(emulator.StringToSign("POST", q), emulator.DemoAccessKeySecret))
		}, 404, "InvalidAction.NotFound"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(t, e, signed, c.edit)
			if status != c.status || body["Code"] != c.code || body["RequestId"] == "" {
				t.Fatalf("got %d %v, want %d %s", status, body, c.status, c.code)
			}
			if c.code == "SignatureDoesNotMatch" && !strings.Contains(body["Message"], "server string to sign is:POST&%2F&") {
				t.Errorf("message %q does not quote the string to sign as the upstream does", body["Message"])
			}
		})
	}
	if n := e.Stats().Bindings; n != 1 {
		t.Fatalf("%d bindings, want only the first call's", n)
	}
}

func TestCredentials(t *testing.T) {
	e := emulator.New(emulator.Demo())
	e.AddKey(emulator.Key{ID: "STS.key", Secret: "sts-secret", SecurityToken: "token-1"})
	for _, c := range []struct {
		name, id, secret, token string
		want                    core.Code
	}{
		{"wrong secret", emulator.DemoAccessKeyID, "wrong", "", core.CodeSignatureMismatch},
		{"STS with its token", "STS.key", "sts-secret", "token-1", core.CodeOK},
		{"STS without its token", "STS.key", "sts-secret", "", "InvalidSecurityToken.MismatchWithAccessKey"},
		{"STS with another token", "STS.key", "sts-secret", "token-2", "InvalidSecurityToken.MismatchWithAccessKey"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := client(t, e, nil, c.id, c.secret, c.token).BindAxg(context.Background(), emulator.DemoPoolKey, item("13800000002", time.Hour))
			if code(err) != c.want {
				t.Fatalf("got %v, want %s", err, c.want)
			}
		})
	}
}

func TestBindRules(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, cst)
	e := emulator.New(emulator.Demo(), emulator.WithClock(func() time.Time { return now }))
	c := demo(t, e)
	ctx := context.Background()
	exp := func(d time.Duration) string { return now.Add(d).Format("2006-01-02 15:04:05") }
	bind := func(pool string, it core.Item) (core.Binding, error) {
		if it.Expiration == "" {
			it.Expiration = exp(time.Hour)
		}
		if it.GroupId == "" {
			it.GroupId = "1234"
		}
		return c.BindAxg(ctx, pool, &it)
	}

	b, err := bind(emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000001", PhoneNoX: "17100000005"})
	if err != nil || b.SecretNo != "17100000005" {
		t.Fatalf("bind with X: %+v %v", b, err)
	}
	for _, cc := range []struct {
		name string
		pool string
		it   core.Item
		want core.Code
	}{
		{"A bound again on the same X", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000001", PhoneNoX: "17100000005"}, core.CodeBindConflict},
		{"B already bound as A on X", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000009", PhoneNoB: "13800000001", PhoneNoX: "17100000005"}, core.CodeBindConflict},
		{"another A on the same X", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000002", PhoneNoX: "17100000005"}, core.CodeOK},
		{"X not in the pool", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000003", PhoneNoX: "17199999999"}, "isv.FORBIDDEN_ACTION"},
		{"no such pool", "FC000000", core.Item{PhoneNoA: "13800000003"}, core.CodePoolKeyNotExists}, // the vendor's error-code page
		{"empty group", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000003", GroupId: "1235"}, core.CodeIllegalArgument},
		{"group of another pool", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000003", GroupId: "4321"}, core.CodeIllegalArgument},
		{"no such group", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000003", GroupId: "9"}, core.CodeIllegalArgument},
		{"expiration one minute ahead", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000003", Expiration: exp(time.Minute)}, core.CodeExpireDateIllegal},
		{"expiration a minute and a second ahead", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000003", Expiration: exp(time.Minute + time.Second)}, core.CodeOK},
		{"expiration malformed", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000004", Expiration: "tomorrow"}, core.CodeExpireDateIllegal},
		{"A malformed", emulator.DemoPoolKey, core.Item{PhoneNoA: "1380000"}, core.CodeMobileIllegal},
		{"ring config invalid", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000004", RingConfig: `{"AXGRing_X":"1"}`}, core.CodeInvalidParameters},
		{"call restrict invalid", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000004", CallRestrict: "NONE"}, core.CodeInvalidParameters},
		{"unknown ASR model", emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000004", ASRModelId: "00000000000000000000000000000000"}, core.CodeInvalidParameters},
		{"strict pool, city with no X", emulator.DemoStrictPoolKey, core.Item{PhoneNoA: "13800000004", GroupId: "4321", ExpectCity: "上海"}, core.CodeNoAvailableNumber},
	} {
		t.Run(cc.name, func(t *testing.T) {
			if _, err := bind(cc.pool, cc.it); code(err) != cc.want {
				t.Fatalf("got %v, want %s", err, cc.want)
			}
		})
	}

	// ExpectCity is honoured, and falls back to another city in a pool that is not strict.
	if b, _ := bind(emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000005", ExpectCity: "上海"}); !strings.HasPrefix(b.SecretNo, "1710001") {
		t.Errorf("ExpectCity 上海 got X %s", b.SecretNo)
	}
	if b, err := bind(emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000005", ExpectCity: "广州"}); err != nil || b.SecretNo == "" {
		t.Errorf("fallback from 广州: %+v %v", b, err)
	}
	// A strict pool of two X numbers holds one binding of A on each, then none.
	for i, want := range []core.Code{core.CodeOK, core.CodeOK, core.CodeNoAvailableNumber} {
		if _, err := bind(emulator.DemoStrictPoolKey, core.Item{PhoneNoA: "13800000006", GroupId: "4321", ExpectCity: "北京"}); code(err) != want {
			t.Errorf("strict bind %d: %v, want %s", i, err, want)
		}
	}
	// An expired binding no longer conflicts.
	now = now.Add(2 * time.Hour)
	if _, err := bind(emulator.DemoPoolKey, core.Item{PhoneNoA: "13800000001", PhoneNoX: "17100000005"}); err != nil {
		t.Errorf("bind after expiry: %v", err)
	}
}

func TestBatchAnswersEveryItemInOrder(t *testing.T) {
	e := emulator.New(emulator.Demo())
	res, err := demo(t, e).BindBatchAxg(context.Background(), emulator.DemoPoolKey, []*core.Item{
		item("13800000001", time.Hour), item("13800000002", 30*time.Second), item("13800000003", time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []core.Code{core.CodeOK, core.CodeExpireDateIllegal, core.CodeOK}
	for i, r := range res {
		if r.Code != want[i] || r.PhoneNoA != "1380000000"+string(rune('1'+i)) || r.GroupId != "1234" || (r.Code == core.CodeOK) != (r.SubsId != "") {
			t.Errorf("item %d = %+v, want %s", i, r, want[i])
		}
	}
}

func TestFaultsAndThrottling(t *testing.T) {
	frozen := time.Now()
	e := emulator.New(emulator.Demo(), emulator.WithQPS(3), emulator.WithClock(func() time.Time { return frozen }))
	c := demo(t, e)
	ctx := context.Background()
	e.Inject(
		emulator.Fault{Action: "BindAxg", Code: "isp.SYSTEM_ERROR", Times: 2},
		emulator.Fault{Action: "BindBatchAxg", Code: "isv.FLOW_LIMIT", Items: true},
	)
	for i, want := range []core.Code{core.CodeSystemError, core.CodeSystemError, core.CodeOK, core.CodeFlowLimit} {
		if _, err := c.BindAxg(ctx, emulator.DemoPoolKey, item("13800000011", time.Hour)); code(err) != want {
			t.Errorf("call %d: %v, want %s", i, err, want)
		}
	}
	res, err := c.BindBatchAxg(ctx, emulator.DemoPoolKey, []*core.Item{item("13800000012", time.Hour)})
	if err != nil || res[0].Code != core.CodeFlowLimit || res[0].SubsId != "" {
		t.Errorf("item-level fault: %+v %v", res, err)
	}
	if s := e.Stats(); s.Bindings != 1 || s.Throttled != 1 || s.Calls["BindAxg"] != 4 {
		t.Errorf("stats = %+v", s)
	}
}
