// Package otelsetup sends the binder's spans (internal/core/tracing) over OTLP/HTTP
// (JSON) when the standard OTEL_EXPORTER_OTLP_ENDPOINT (or
// _TRACES_ENDPOINT) is set, with the OTel SDK's batching; the other
// OTEL_EXPORTER_OTLP_* variables (headers, timeout) are read too. Unset,
// nothing is installed: spans stay no-ops.
package otelsetup

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/axg-binder/binder/internal/core/tracing"
)

// Tracing is an installed exporter: Flush sends the spans ended so far (at
// the end of each Lambda invocation, before the instance freezes); Shutdown
// flushes and stops.
type Tracing struct {
	tp *sdktrace.TracerProvider
}

// Enabled reports whether the environment asks for traces.
func Enabled(getenv func(string) string) bool {
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Start installs the exporter as the global TracerProvider when Enabled,
// naming the service OTEL_SERVICE_NAME, else function (the deployed
// function's name), else "axg-binder". It answers nil when not Enabled.
func Start(getenv func(string) string, function string) (*Tracing, error) {
	if !Enabled(getenv) {
		return nil, nil
	}
	name := getenv("OTEL_SERVICE_NAME")
	if name == "" {
		name = function
	}
	if name == "" {
		name = "axg-binder"
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", name)}
	if function != "" {
		attrs = append(attrs, attribute.String("faas.name", function))
	}
	exp, err := newExporter(getenv, attrs)
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	otel.SetTracerProvider(tp)
	tracing.Enable()
	return &Tracing{tp: tp}, nil
}

// Flush sends the spans ended so far, within a few seconds.
func (t *Tracing) Flush() {
	if t == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = t.tp.ForceFlush(ctx)
}

// Shutdown flushes and stops the exporter.
func (t *Tracing) Shutdown() {
	if t == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = t.tp.Shutdown(ctx)
}
