// Package wiringtest builds the wired binder for adapter tests: the real SDK
// against the emulator in process, with the token "test-token" required.
package wiringtest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/testkit/benchmeter"
)

// Token is the bearer token the handler requires.
const Token = "test-token"

// Handler returns the binder over a fresh demo emulator, and the emulator.
// With contextCredentials, no credentials are configured: every call must
// bring its own.
func Handler(t testing.TB, contextCredentials bool) (http.Handler, *emulator.Emulator) {
	t.Helper()
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	return handler(t, emu.Transport(), contextCredentials), emu
}

// Metered is Handler for benchmarks: the meter times the emulator's part.
func Metered(t testing.TB) (http.Handler, *benchmeter.Meter) {
	t.Helper()
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	meter := &benchmeter.Meter{Inner: emu.Transport()}
	return handler(t, meter, false), meter
}

func handler(t testing.TB, transport http.RoundTripper, contextCredentials bool) http.Handler {
	t.Helper()
	// No rate ceiling in the way: benchmarks use this handler too.
	env := map[string]string{"AXG_API_TOKENS": Token, "AXG_UPSTREAM_QPS": "1000000"}
	if !contextCredentials {
		env["ALIBABA_CLOUD_ACCESS_KEY_ID"], env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret
	}
	cfg, err := wiring.Load(func(k string) string { return env[k] }, wiring.HTTP, wiring.AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	e, err := wiring.Build(cfg, wiring.Deps{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Transport: transport,
		ContextCredentials: contextCredentials})
	if err != nil {
		t.Fatal(err)
	}
	return e.HTTP()
}

// Env builds the wired binder over a fresh demo emulator (no rate ceiling)
// with d, its Log and Transport filled in where nil, and vars added to the
// configuration: the deployables' Build, for tests of what it wires in
// (metrics, traces).
func Env(t testing.TB, d wiring.Deps, vars map[string]string) (*wiring.Env, *emulator.Emulator) {
	t.Helper()
	return EnvFor(t, wiring.HTTP, d, vars)
}

// EnvFor is Env for the parts a deployable uses (files, messages), without
// the demo AccessKey where d.ContextCredentials says each invocation brings
// its own.
func EnvFor(t testing.TB, parts wiring.Part, d wiring.Deps, vars map[string]string) (*wiring.Env, *emulator.Emulator) {
	t.Helper()
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	env := map[string]string{"AXG_API_TOKENS": Token, "AXG_UPSTREAM_QPS": "1000000"}
	if !d.ContextCredentials {
		env["ALIBABA_CLOUD_ACCESS_KEY_ID"], env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret
	}
	for k, v := range vars {
		env[k] = v
	}
	cfg, err := wiring.Load(func(k string) string { return env[k] }, parts, wiring.AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	if d.Log == nil {
		d.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if d.Transport == nil {
		d.Transport = emu.Transport()
	}
	e, err := wiring.Build(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	return e, emu
}

// Do sends one request with the token (and hdr, name then value) and
// answers its status.
func Do(h http.Handler, method, path, body string, hdr ...string) int {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+Token)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// BindBody is a bind of A on the demo pool, an hour ahead.
func BindBody(a string) string {
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	return `{"PoolKey":"FC123456","PhoneNoA":"` + a + `","GroupId":1234,"Expiration":"` + exp + `"}`
}
