package otelsetup_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/fc-runtime-go-sdk/events"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/function/fchttp"
	"github.com/axg-binder/binder/internal/function/otelsetup"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

// The OTLP/HTTP JSON encoding of a trace export, as the test reads it:
// every field the specification gives a span and its resource, and no other
// (DisallowUnknownFields), so that a misspelt key fails.
type (
	exportRequest struct {
		ResourceSpans []struct {
			Resource struct {
				Attributes []keyValue `json:"attributes"`
			} `json:"resource"`
			ScopeSpans []struct {
				Scope struct {
					Name    string `json:"name"`
					Version string `json:"version"`
				} `json:"scope"`
				Spans []span `json:"spans"`
			} `json:"scopeSpans"`
		} `json:"resourceSpans"`
	}
	span struct {
		TraceID           string     `json:"traceId"`
		SpanID            string     `json:"spanId"`
		ParentSpanID      string     `json:"parentSpanId"`
		Name              string     `json:"name"`
		Kind              int        `json:"kind"`
		StartTimeUnixNano string     `json:"startTimeUnixNano"`
		EndTimeUnixNano   string     `json:"endTimeUnixNano"`
		Attributes        []keyValue `json:"attributes"`
		Status            *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"status"`
		resource []keyValue
	}
	keyValue struct {
		Key   string `json:"key"`
		Value struct {
			StringValue *string  `json:"stringValue"`
			IntValue    *string  `json:"intValue"`
			BoolValue   *bool    `json:"boolValue"`
			DoubleValue *float64 `json:"doubleValue"`
		} `json:"value"`
	}
)

// receiver is an OTLP/HTTP trace receiver: it keeps every span exported.
type receiver struct {
	mu    sync.Mutex
	spans []span
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Tenant") != "axg team" {
		http.Error(w, "want JSON at /v1/traces with the configured header", http.StatusNotFound)
		return
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req exportRequest
	if err := dec.Decode(&req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	rc.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				s.resource = rs.Resource.Attributes
				rc.spans = append(rc.spans, s)
			}
		}
	}
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}"))
}

func attr(kvs []keyValue, key string) string {
	for _, a := range kvs {
		if a.Key == key {
			switch {
			case a.Value.StringValue != nil:
				return *a.Value.StringValue
			case a.Value.IntValue != nil:
				return *a.Value.IntValue
			}
		}
	}
	return ""
}

// TestSpansOfABindWithOneResend: a bind the upstream throttles once, sent
// with a W3C traceparent, makes a request span under the caller's span and
// two BindAxg call spans under it (attempts 1 and 2, throttled then ok,
// each with the upstream's RequestId), all in the caller's trace; a request
// carrying X-Ray's header joins that trace.
func TestSpansOfABindWithOneResend(t *testing.T) {
	rc := &receiver{}
	col := httptest.NewServer(rc)
	defer col.Close()
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": col.URL + "/", "OTEL_EXPORTER_OTLP_HEADERS": "X-Tenant=axg%20team"}
	tr, err := otelsetup.Start(func(k string) string { return env[k] }, "axg-test")
	if err != nil || tr == nil {
		t.Fatalf("%v %v", tr, err)
	}
	defer tr.Shutdown()

	e, emu := wiringtest.Env(t, wiring.Deps{}, nil)
	h := e.HTTP()
	bind := func(a string, hdr ...string) int {
		return wiringtest.Do(h, "POST", "/v1/axg/bind", wiringtest.BindBody(a), hdr...)
	}
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	emu.Inject(emulator.Fault{Action: "BindAxg", Code: "isv.FLOW_LIMIT"})
	if code := bind("13800000001", "traceparent", "00-"+traceID+"-"+callerSpan+"-01"); code != 200 {
		t.Fatalf("bind: %d", code)
	}
	if code := bind("13800000002", "X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"); code != 200 {
		t.Fatalf("bind: %d", code)
	}
	// Through Function Compute's adapter: the invocation's span context
	// (the runtime's, not a header) is the parent, a traceparent header
	// notwithstanding.
	fcc := fccontext.NewContext(context.Background(), &fccontext.FcContext{RequestID: "fc-req-1",
		Tracing: fccontext.Tracing{OpenTracingSpanContext: "1f2e3d4c5b6a7980:a1b2c3d4e5f60718:0:1"}})
	hdr := map[string]string{"content-type": "application/json", "authorization": "Bearer " + wiringtest.Token, "traceparent": "00-" + traceID + "-" + callerSpan + "-01"}
	ev := events.HTTPTriggerEvent{RawPath: ptr("/v1/axg/bind"), Body: ptr(wiringtest.BindBody("13800000003")), Headers: &hdr}
	ev.TriggerContext.Http.Method = ptr("POST")
	if res, err := fchttp.Handler(h, slog.New(slog.NewJSONHandler(io.Discard, nil)))(fcc, ev); err != nil || res.StatusCode != 200 {
		t.Fatalf("bind through FC: %v %v", res, err)
	}
	tr.Flush()

	rc.mu.Lock()
	spans := append([]span(nil), rc.spans...)
	rc.mu.Unlock()
	var req, xray, fc *span
	var calls []*span
	for i := range spans {
		s := &spans[i]
		switch {
		case s.Name == "POST /v1/axg/bind" && s.TraceID == "00000000000000001f2e3d4c5b6a7980":
			fc = s
		case s.Name == "POST /v1/axg/bind" && s.TraceID == traceID:
			req = s
		case s.Name == "POST /v1/axg/bind":
			xray = s
		case s.Name == "BindAxg" && s.TraceID == traceID:
			calls = append(calls, s)
		}
	}
	if req == nil || req.ParentSpanID != callerSpan || req.Kind != 2 || attr(req.Attributes, "http.route") != "/v1/axg/bind" ||
		attr(req.Attributes, "http.response.status_code") != "200" || attr(req.resource, "service.name") != "axg-test" || !before(req.StartTimeUnixNano, req.EndTimeUnixNano) {
		t.Fatalf("request span %+v, want a server span under the caller's (%d spans)", req, len(spans))
	}
	if len(calls) != 2 {
		t.Fatalf("%d BindAxg spans in the trace, want 2", len(calls))
	}
	for i, want := range []struct{ attempt, outcome, code string }{{"1", "throttled", "isv.FLOW_LIMIT"}, {"2", "ok", "OK"}} {
		var c *span
		for _, s := range calls {
			if attr(s.Attributes, "axg.attempt") == want.attempt {
				c = s
			}
		}
		if c == nil || c.ParentSpanID != req.SpanID || c.Kind != 3 ||
			attr(c.Attributes, "axg.outcome") != want.outcome || attr(c.Attributes, "axg.code") != want.code || len(attr(c.Attributes, "dypls.request_id")) != 36 ||
			(want.outcome == "throttled") != (c.Status != nil && c.Status.Code == 2) {
			t.Errorf("call %d: %v, want attempt %s %s under the request span", i, c, want.attempt, want.outcome)
		}
	}
	if xray == nil || xray.TraceID != "5759e988bd862e3fe1be46a994272793" || xray.ParentSpanID != "53995c3f42cd8ad8" {
		t.Errorf("the X-Ray request's span %v, want it in X-Ray's trace under its parent", xray)
	}
	if fc == nil || fc.ParentSpanID != "a1b2c3d4e5f60718" {
		t.Errorf("the FC invocation's request span %v, want it under the invocation's span", fc)
	}
}

func ptr[T any](v T) *T { return &v }

// TestNotEnabled: without an OTLP endpoint, nothing is installed.
func TestNotEnabled(t *testing.T) {
	tr, err := otelsetup.Start(func(string) string { return "" }, "f")
	if tr != nil || err != nil {
		t.Fatalf("%v %v", tr, err)
	}
	tr.Flush() // a nil Tracing is fine to flush and shut down
	tr.Shutdown()
}

// TestBadSettingsStopStartUp: a variable the exporter cannot follow is
// named at start-up.
func TestBadSettingsStopStartUp(t *testing.T) {
	for _, env := range []map[string]string{
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_TIMEOUT": "soon"},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces", "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "nokey"},
	} {
		tr, err := otelsetup.Start(func(k string) string { return env[k] }, "f")
		if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_") {
			t.Errorf("%v: %v %v", env, tr, err)
		}
	}
}

// before reports whether the decimal time a precedes b.
func before(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	return errA == nil && errB == nil && x < y
}
