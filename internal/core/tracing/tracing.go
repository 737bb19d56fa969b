// Package tracing makes the binder's OpenTelemetry spans: one per request,
// a child of the trace context the platform passes (W3C traceparent, X-Ray's
// X-Amzn-Trace-Id on Lambda, Function Compute's x-fc-tracing-opentracing-
// span-context), and one per upstream call attempt. Spans go to the global
// TracerProvider: a no-op unless a deployable installs one (it does when
// OTEL_EXPORTER_OTLP_ENDPOINT is set), so that unset they cost next to
// nothing.
package tracing

import (
	"context"
	"encoding/hex"
	"net/http"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/contrib/propagators/jaeger"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/axg-binder/binder/internal/core/request"
)

// Name is the instrumentation scope of the binder's spans.
const Name = "github.com/axg-binder/binder"

// tracer is the tracer of the provider installed last (Enable): taken
// then, not at start-up, since the global's delegate follows only the
// first provider ever installed — a second (a test run again) would
// receive no span.
var tracer atomic.Pointer[trace.Tracer]

// enabled is set once a deployable installs a TracerProvider (Enable):
// until then no span is started at all, so that tracing unset costs a
// request nothing.
var enabled atomic.Bool

// Enable makes the spans real: called after installing a TracerProvider.
func Enable() {
	t := otel.Tracer(Name)
	tracer.Store(&t)
	enabled.Store(true)
}

// none is the span of a request or call while tracing is off.
var none = trace.SpanFromContext(context.Background())

// Span options made once.
var (
	serverKind = trace.WithSpanKind(trace.SpanKindServer)
	clientKind = trace.WithSpanKind(trace.SpanKindClient)
)

// Attribute keys of the binder's spans.
const (
	KeyAttempt   = attribute.Key("axg.attempt")
	KeyOutcome   = attribute.Key("axg.outcome")
	KeyCode      = attribute.Key("axg.code")
	KeyRequestID = attribute.Key("dypls.request_id") // the upstream's RequestId
)

// StartRequest begins a request's span, a child of the trace context r
// carries, if any.
func StartRequest(ctx context.Context, r *http.Request, route string) (context.Context, trace.Span) {
	if !enabled.Load() {
		return ctx, none
	}
	if in, _ := request.From(ctx); in.Parent.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, in.Parent) // the invocation's, as the platform gave it
	} else if sc, ok := parent(r.Header); ok {
		ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
	}
	ctx, span := (*tracer.Load()).Start(ctx, r.Method+" "+route, serverKind)
	if span.IsRecording() {
		span.SetAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", route))
	}
	return ctx, span
}

// EndRequest ends a request's span with its status and code.
func EndRequest(span trace.Span, status int, code string) {
	if span.IsRecording() {
		span.SetAttributes(attribute.Int("http.response.status_code", status), KeyCode.String(code))
		if status >= 500 {
			span.SetStatus(codes.Error, code)
		}
	}
	span.End()
}

// StartCall begins the span of one attempt at an upstream call of api.
func StartCall(ctx context.Context, api string, attempt int) (context.Context, trace.Span) {
	if !enabled.Load() {
		return ctx, none
	}
	ctx, span := (*tracer.Load()).Start(ctx, api, clientKind)
	if span.IsRecording() {
		span.SetAttributes(attribute.String("rpc.system", "aliyun-rpc"), attribute.String("rpc.method", api), KeyAttempt.Int(attempt))
	}
	return ctx, span
}

// Answered notes on ctx's call span what the upstream answered: its
// RequestId, code and the call's outcome (ok, business, throttled,
// transient, unknown).
func Answered(ctx context.Context, requestID, code, outcome string) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(KeyRequestID.String(requestID), KeyCode.String(code), KeyOutcome.String(outcome))
	if outcome != "ok" {
		span.SetStatus(codes.Error, code)
	}
}

// parent is the trace context a request carries: W3C traceparent first,
// then X-Ray's header, then Function Compute's.
func parent(h http.Header) (trace.SpanContext, bool) {
	if h.Get("traceparent") != "" {
		sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(h)))
		if sc.IsValid() {
			return sc, true
		}
	}
	if v := h.Get("X-Amzn-Trace-Id"); v != "" {
		if sc, ok := xray(v); ok {
			return sc, true
		}
	}
	sc := FromFC(h.Get("X-Fc-Tracing-Opentracing-Span-Context"))
	return sc, sc.IsValid()
}

// xray reads an X-Ray trace header (Root=1-5759e988-bd862e3fe1be46a994272793;
// Parent=53995c3f42cd8ad8;Sampled=1): the root's time and random parts are
// the 32 hex digits of a W3C trace ID.
func xray(v string) (trace.SpanContext, bool) {
	var root, par, sampled string
	for _, part := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			root = val
		case "Parent":
			par = val
		case "Sampled":
			sampled = val
		}
	}
	fields := strings.Split(root, "-")
	if len(fields) != 3 || fields[0] != "1" || len(fields[1]) != 8 || len(fields[2]) != 24 {
		return trace.SpanContext{}, false
	}
	return remote(fields[1]+fields[2], par, sampled == "1")
}

// FromFC is the trace Function Compute's span context names: Jaeger's
// "traceid:spanid:parentid:flags" (x-fc-tracing-opentracing-span-context),
// read by OpenTelemetry's Jaeger propagator.
func FromFC(v string) trace.SpanContext {
	if v == "" {
		return trace.SpanContext{}
	}
	return trace.SpanContextFromContext(jaeger.Jaeger{}.Extract(context.Background(), propagation.MapCarrier{"uber-trace-id": v}))
}

// FromXRay is the trace an X-Ray header names (X-Amzn-Trace-Id). Ours:
// OpenTelemetry's propagator for it (contrib/propagators/aws) is deprecated
// and would bring its ID generator.
func FromXRay(v string) trace.SpanContext {
	sc, _ := xray(v)
	return sc
}

func remote(traceHex, spanHex string, sampled bool) (trace.SpanContext, bool) {
	var tid trace.TraceID
	var sid trace.SpanID
	if len(traceHex) != 32 || len(spanHex) != 16 {
		return trace.SpanContext{}, false
	}
	if _, err := hex.Decode(tid[:], []byte(traceHex)); err != nil {
		return trace.SpanContext{}, false
	}
	if _, err := hex.Decode(sid[:], []byte(spanHex)); err != nil {
		return trace.SpanContext{}, false
	}
	cfg := trace.SpanContextConfig{TraceID: tid, SpanID: sid, Remote: true}
	if sampled {
		cfg.TraceFlags = trace.FlagsSampled
	}
	sc := trace.NewSpanContext(cfg)
	return sc, sc.IsValid()
}
