package wiring

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/store/redisstore"
	"github.com/axg-binder/binder/internal/testkit/redistest"
)

// redisEnv is the binder's configuration on srv, with extra variables.
func redisEnv(t *testing.T, srv *redistest.Server, extra ...string) Config {
	t.Helper()
	env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emulator.DemoAccessKeySecret,
		"AXG_API_TOKENS": "t1", "AXG_REDIS_URL": srv.URL()}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	cfg, err := Load(func(k string) string { return env[k] }, HTTP, AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// instanceOn is one instance of the HTTP API on cfg and the emulator.
func instanceOn(t *testing.T, cfg Config, emu *emulator.Emulator) http.Handler {
	t.Helper()
	e, err := Build(cfg, Deps{Log: slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), Transport: emu.Transport(), Shared: redisstore.Shared})
	if err != nil {
		t.Fatal(err)
	}
	return e.HTTP()
}

func bindBody(phone string) string {
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	return `{"PoolKey":"FC123456","PhoneNoA":"` + phone + `","GroupId":1234,"Expiration":"` + exp + `"}`
}

func post(h http.Handler, body, key string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/v1/axg/bind", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer t1")
	if key != "" {
		r.Header.Set("Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestRedisBlipDuringABind: Redis killed while a keyed bind waits on the
// upstream, and back (empty) before it could record the answer: the answer
// is recorded once Redis is back, and a resend on another instance gets it
// (before, the answer was lost and the resend bound a second time).
func TestRedisBlipDuringABind(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	emu := emulator.New(emulator.Demo())
	emu.Inject(emulator.Fault{Action: "BindAxg", Delay: time.Second})
	cfg := redisEnv(t, srv, "AXG_REQUEST_TIMEOUT", "5s", "AXG_UPSTREAM_TIMEOUT", "3s")
	a, b := instanceOn(t, cfg, emu), instanceOn(t, cfg, emu)
	body := bindBody("13800000331")
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- post(a, body, "blip") }()
	time.Sleep(300 * time.Millisecond)
	srv.Stop()
	time.Sleep(1200 * time.Millisecond) // the upstream answers meanwhile
	srv.Restart(t)
	first := <-done
	again := post(b, body, "blip")
	if first.Code != 200 || again.Code != 200 || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("first %d %s\nresend %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	if n := len(emu.BindingsOf("13800000331")); n != 1 {
		t.Fatalf("%d bindings under one key", n)
	}
}

// TestStoppedRedisAnswersByTheDeadline: Redis stopped (SIGSTOP) under a
// keyed bind: 503 within the request's deadline (it was 13 s), nothing
// sent, and once Redis goes on the key is free, not held as in flight.
func TestStoppedRedisAnswersByTheDeadline(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	emu := emulator.New(emulator.Demo())
	a := instanceOn(t, redisEnv(t, srv, "AXG_REQUEST_TIMEOUT", "1s"), emu)
	body := bindBody("13800000332")
	if w := post(a, body, "warm"); w.Code != 200 { // connections made
		t.Fatalf("warm-up: %d %s", w.Code, w.Body)
	}
	srv.Pause()
	start := time.Now()
	w := post(a, body, "k")
	took := time.Since(start)
	srv.Resume()
	if w.Code != 503 || !strings.Contains(w.Body.String(), "IdempotencyStoreUnavailable") || took > 3*time.Second {
		t.Fatalf("Redis stopped: %d %s after %s", w.Code, w.Body, took)
	}
	time.Sleep(200 * time.Millisecond)
	if w := post(a, body, "k"); w.Code != 200 || w.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("the key after Redis went on: %d %s", w.Code, w.Body)
	}
	if n := emu.Stats().Calls["BindAxg"]; n != 2 {
		t.Fatalf("%d BindAxg calls, want 2 (the warm-up and the key's one)", n)
	}
}

// TestKeysAcrossInstances: with AXG_REDIS_URL, a resend that another
// instance serves gets the first answer (each instance kept its own keys
// before); with Redis gone, a keyed request answers 503 and sends nothing,
// and one without a key is served.
func TestKeysAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	keysAcrossInstances(t, redisEnv(t, srv), Deps{Shared: redisstore.Shared}, srv.Stop)
}

// keysAcrossInstances: a key used on one instance is replayed on another
// that shares its ledger, and once the ledger is gone a keyed request
// answers 503 and sends nothing, an unkeyed one binds.
func keysAcrossInstances(t *testing.T, cfg Config, deps Deps, stop func()) {
	t.Helper()
	emu := emulator.New(emulator.Demo())
	deps.Log, deps.Transport = slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), emu.Transport()
	instance := func() http.Handler {
		e, err := Build(cfg, deps)
		if err != nil {
			t.Fatal(err)
		}
		return e.HTTP()
	}
	a, b := instance(), instance()
	body := bindBody("13800000321")
	do := func(h http.Handler, key string) *httptest.ResponseRecorder { return post(h, body, key) }
	first, again := do(a, "k1"), do(b, "k1")
	if first.Code != 200 || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" ||
		len(emu.BindingsOf("13800000321")) != 1 {
		t.Fatalf("first %d %s, on another instance %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	stop()
	if w := do(a, "k2"); w.Code != 503 || !strings.Contains(w.Body.String(), "IdempotencyStoreUnavailable") || emu.Stats().Calls["BindAxg"] != 1 {
		t.Fatalf("the ledger gone, with a key: %d %s", w.Code, w.Body)
	}
	if w := do(a, ""); w.Code != 200 {
		t.Fatalf("the ledger gone, without a key: %d %s", w.Code, w.Body)
	}
}
