package binder

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/core/dypls/emulator"
	"github.com/axg-binder/binder/internal/redistest"
	"github.com/axg-binder/binder/store/redisstore"
)

// TestKeysAcrossInstances: with AXG_REDIS_URL, a resend that another
// instance serves gets the first answer (each instance kept its own keys
// before); with Redis gone, a keyed request answers 503 and sends nothing,
// and one without a key is served.
func TestKeysAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	emu := emulator.New(emulator.Demo())
	env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emulator.DemoAccessKeySecret,
		"AXG_API_TOKENS": "t1", "AXG_REDIS_URL": srv.URL()}
	cfg, err := Load(func(k string) string { return env[k] }, HTTP, AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	instance := func() http.Handler {
		e, err := Build(cfg, Deps{Log: slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), Transport: emu.Transport(), Shared: redisstore.Shared})
		if err != nil {
			t.Fatal(err)
		}
		return e.HTTP()
	}
	a, b := instance(), instance()
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	body := `{"PoolKey":"FC123456","PhoneNoA":"13800000321","GroupId":1234,"Expiration":"` + exp + `"}`
	do := func(h http.Handler, key string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/v1/axg/bind", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer t1")
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	first, again := do(a, "k1"), do(b, "k1")
	if first.Code != 200 || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" ||
		len(emu.BindingsOf("13800000321")) != 1 {
		t.Fatalf("first %d %s, on another instance %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	srv.Stop()
	if w := do(a, "k2"); w.Code != 503 || !strings.Contains(w.Body.String(), "IdempotencyStoreUnavailable") || emu.Stats().Calls["BindAxg"] != 1 {
		t.Fatalf("Redis gone, with a key: %d %s", w.Code, w.Body)
	}
	if w := do(a, ""); w.Code != 200 {
		t.Fatalf("Redis gone, without a key: %d %s", w.Code, w.Body)
	}
}
