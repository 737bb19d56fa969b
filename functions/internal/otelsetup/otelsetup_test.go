package otelsetup_test

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	collector "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/axg-binder/binder/core/dypls/emulator"
	"github.com/axg-binder/binder/functions/internal/binder"
	"github.com/axg-binder/binder/functions/internal/otelsetup"
)

// receiver is an OTLP/HTTP trace receiver: it keeps every span exported.
type receiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want protobuf at /v1/traces", http.StatusNotFound)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		z, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		body = z
	}
	b, _ := io.ReadAll(body)
	var req collector.ExportTraceServiceRequest
	if err := proto.Unmarshal(b, &req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	rc.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			rc.spans = append(rc.spans, ss.Spans...)
		}
	}
	rc.mu.Unlock()
	out, _ := proto.Marshal(&collector.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func attr(s *tracepb.Span, key string) string {
	for _, a := range s.Attributes {
		if a.Key == key {
			switch v := a.Value.Value.(type) {
			case *commonpb.AnyValue_StringValue:
				return v.StringValue
			case *commonpb.AnyValue_IntValue:
				return strconv.FormatInt(v.IntValue, 10)
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
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": col.URL}
	tr, err := otelsetup.Start(context.Background(), func(k string) string { return env[k] }, "axg-test",
		otlptracehttp.WithEndpointURL(col.URL+"/v1/traces"))
	if err != nil || tr == nil {
		t.Fatalf("%v %v", tr, err)
	}
	defer tr.Shutdown()

	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	vars := map[string]string{"AXG_API_TOKENS": "tok", "ALIBABA_CLOUD_ACCESS_KEY_ID": emulator.DemoAccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": emulator.DemoAccessKeySecret}
	cfg, _ := binder.Load(func(k string) string { return vars[k] }, binder.HTTP, binder.AuthToken)
	e, err := binder.Build(cfg, binder.Deps{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	h := e.HTTP()
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	bind := func(a string, hdr ...string) int {
		r := httptest.NewRequest("POST", "/v1/axg/bind", strings.NewReader(`{"PoolKey":"FC123456","PhoneNoA":"`+a+`","GroupId":1234,"Expiration":"`+exp+`"}`))
		r.Header.Set("Authorization", "Bearer tok")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	emu.Inject(emulator.Fault{Action: "BindAxg", Code: "isv.FLOW_LIMIT"})
	if code := bind("13800000001", "traceparent", "00-"+traceID+"-"+callerSpan+"-01"); code != 200 {
		t.Fatalf("bind: %d", code)
	}
	if code := bind("13800000002", "X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"); code != 200 {
		t.Fatalf("bind: %d", code)
	}
	tr.Flush()

	rc.mu.Lock()
	spans := append([]*tracepb.Span(nil), rc.spans...)
	rc.mu.Unlock()
	var req, xray *tracepb.Span
	var calls []*tracepb.Span
	for _, s := range spans {
		switch {
		case s.Name == "POST /v1/axg/bind" && hex.EncodeToString(s.TraceId) == traceID:
			req = s
		case s.Name == "POST /v1/axg/bind":
			xray = s
		case s.Name == "BindAxg" && hex.EncodeToString(s.TraceId) == traceID:
			calls = append(calls, s)
		}
	}
	if req == nil || hex.EncodeToString(req.ParentSpanId) != callerSpan || req.Kind != tracepb.Span_SPAN_KIND_SERVER || attr(req, "http.route") != "/v1/axg/bind" {
		t.Fatalf("request span %v, want a server span under the caller's (%d spans)", req, len(spans))
	}
	if len(calls) != 2 {
		t.Fatalf("%d BindAxg spans in the trace, want 2", len(calls))
	}
	for i, want := range []struct{ attempt, outcome, code string }{{"1", "throttled", "isv.FLOW_LIMIT"}, {"2", "ok", "OK"}} {
		var c *tracepb.Span
		for _, s := range calls {
			if attr(s, "axg.attempt") == want.attempt {
				c = s
			}
		}
		if c == nil || string(c.ParentSpanId) != string(req.SpanId) || c.Kind != tracepb.Span_SPAN_KIND_CLIENT ||
			attr(c, "axg.outcome") != want.outcome || attr(c, "axg.code") != want.code || len(attr(c, "dypls.request_id")) != 36 {
			t.Errorf("call %d: %v, want attempt %s %s under the request span", i, c, want.attempt, want.outcome)
		}
	}
	if xray == nil || hex.EncodeToString(xray.TraceId) != "5759e988bd862e3fe1be46a994272793" || hex.EncodeToString(xray.ParentSpanId) != "53995c3f42cd8ad8" {
		t.Errorf("the X-Ray request's span %v, want it in X-Ray's trace under its parent", xray)
	}
}

// TestNotEnabled: without an OTLP endpoint, nothing is installed.
func TestNotEnabled(t *testing.T) {
	tr, err := otelsetup.Start(context.Background(), func(string) string { return "" }, "f")
	if tr != nil || err != nil {
		t.Fatalf("%v %v", tr, err)
	}
	tr.Flush() // a nil Tracing is fine to flush and shut down
	tr.Shutdown()
}
