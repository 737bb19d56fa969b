// Package bindertest builds the wired binder for adapter tests: the real SDK
// against the emulator in process, with the token "test-token" required.
package bindertest

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/axg-binder/binder/core/dypls/emulator"
	"github.com/axg-binder/binder/functions/internal/binder"
	"github.com/axg-binder/binder/functions/internal/platform"
	"github.com/axg-binder/binder/internal/benchmeter"
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
	cfg, err := binder.Load(func(k string) string { return env[k] }, binder.HTTP, binder.AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	e, err := binder.Build(cfg, binder.Deps{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Transport: transport,
		RequestID: platform.RequestID, ContextCredentials: contextCredentials})
	if err != nil {
		t.Fatal(err)
	}
	return e.HTTP()
}
