package otelsetup_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/axg-binder/binder/internal/core/logs"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/function/emf"
	"github.com/axg-binder/binder/internal/function/otelsetup"
	"github.com/axg-binder/binder/internal/function/promsink"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
	"github.com/axg-binder/binder/internal/testkit/benchmeter"
)

// BenchmarkObservability is one bind through the wired binder (handler,
// client, in-process emulator; upstream-ns/op is the emulator's part) with
// logs, metrics and traces off, and on as each platform has them: logs as
// JSON lines (internal/core/logs) to a discarding writer, metrics in Prometheus or as
// EMF lines flushed per request, spans exported over OTLP/HTTP to a
// receiver that discards them: after every request with EMF (as Lambda
// flushes each invocation), in the SDK's batches with Prometheus (whose
// queue drops spans when this loop outruns the exporter, as the SDK does
// under any load past it).
func BenchmarkObservability(b *testing.B) {
	col := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
	}))
	defer col.Close()
	for _, c := range []struct {
		name   string
		sink   func() metrics.Sink
		traces bool
	}{
		{"off", func() metrics.Sink { return nil }, false},
		{"logs+prometheus", func() metrics.Sink { return promsink.New() }, false},
		{"logs+emf", func() metrics.Sink { return emf.New(io.Discard, "axg-bench") }, false},
		{"logs+prometheus+traces", func() metrics.Sink { return promsink.New() }, true},
		{"logs+emf+traces", func() metrics.Sink { return emf.New(io.Discard, "axg-bench") }, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			var tr *otelsetup.Tracing
			if c.traces {
				var err error
				tr, err = otelsetup.Start(func(k string) string {
					return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": col.URL}[k]
				}, "axg-bench")
				if err != nil {
					b.Fatal(err)
				}
				defer func() { tr.Shutdown(); otel.SetTracerProvider(noop.NewTracerProvider()) }()
			}
			log := slog.New(slog.NewJSONHandler(io.Discard, nil))
			sink := c.sink()
			if sink != nil {
				log = logs.New(io.Discard, logs.Options{Level: slog.LevelInfo, Function: "axg-bench", Version: "1"})
			}
			meter := &benchmeter.Meter{}
			env, emu := wiringtest.Env(b, wiring.Deps{Log: log, Transport: meter, Metrics: sink}, nil)
			meter.Inner = emu.Transport()
			h := env.HTTP()
			flush := func() {}
			if f, ok := sink.(interface{ Flush() error }); ok {
				// Lambda: each invocation's EMF lines, and its spans, sent as it returns.
				flush = func() { _ = f.Flush(); tr.Flush() }
			}
			b.ReportAllocs()
			meter.Reset()
			i := 0
			for b.Loop() {
				i++
				if code := wiringtest.Do(h, "POST", "/v1/axg/bind", wiringtest.BindBody(fmt.Sprintf("139%08d", i))); code != 200 {
					b.Fatalf("bind: %d", code)
				}
				flush() // on Lambda (EMF), what the invocation observed; elsewhere spans go in the SDK's batches
			}
			b.ReportMetric(meter.NsPerOp(b.N), "upstream-ns/op")
		})
	}
}
