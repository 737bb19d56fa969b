package otelsetup

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// exporter sends spans as OTLP/HTTP with the JSON encoding (the OTLP
// specification's "OTLP/HTTP" with Content-Type application/json), which
// every collector's HTTP receiver takes. It is ours rather than the
// otlptracehttp module's because that one links gRPC, grpc-gateway and the
// protobuf runtime into every deployable: +2 MB a zip, +3.6 MB of resident
// memory and up to a millisecond of cold start, tracing on or off
// (BENCHMARKS.md). Spans are few and small here; JSON costs nothing that
// matters.
type exporter struct {
	url     string
	header  http.Header
	client  *http.Client
	service []attribute.KeyValue
}

var _ sdktrace.SpanExporter = (*exporter)(nil)

// newExporter reads the standard variables: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
// (the whole URL) or OTEL_EXPORTER_OTLP_ENDPOINT (a base, /v1/traces added),
// OTEL_EXPORTER_OTLP_[TRACES_]HEADERS, OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT
// (ms), and OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL, which must be http/json
// when set.
func newExporter(getenv func(string) string, resource []attribute.KeyValue) (*exporter, error) {
	either := func(name string) (string, string) {
		if v := getenv("OTEL_EXPORTER_OTLP_TRACES_" + name); v != "" {
			return "OTEL_EXPORTER_OTLP_TRACES_" + name, v
		}
		return "OTEL_EXPORTER_OTLP_" + name, getenv("OTEL_EXPORTER_OTLP_" + name)
	}
	endpoint := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	name := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	if endpoint == "" {
		name, endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT", strings.TrimSuffix(getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), "/")+"/v1/traces"
	}
	if u, err := url.Parse(endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: want an http:// or https:// URL, got %q", name, endpoint)
	}
	if n, p := either("PROTOCOL"); p != "" && p != "http/json" {
		return nil, fmt.Errorf("%s: this binder sends OTLP/HTTP with JSON: set it to http/json, or leave it unset (got %q)", n, p)
	}
	e := &exporter{url: endpoint, header: http.Header{"Content-Type": {"application/json"}}, service: resource,
		client: &http.Client{Timeout: 10 * time.Second}}
	if n, t := either("TIMEOUT"); t != "" {
		ms, err := strconv.Atoi(t)
		if err != nil || ms <= 0 {
			return nil, fmt.Errorf("%s: want milliseconds, got %q", n, t)
		}
		e.client.Timeout = time.Duration(ms) * time.Millisecond
	}
	if n, hs := either("HEADERS"); hs != "" {
		for _, kv := range strings.Split(hs, ",") {
			k, v, ok := strings.Cut(kv, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			uv, err := url.PathUnescape(v)
			if !ok || k == "" || err != nil {
				return nil, fmt.Errorf("%s: want key=value pairs separated by commas", n)
			}
			e.header.Add(k, uv)
		}
	}
	return e, nil
}

// The OTLP JSON encoding of a trace export (opentelemetry-proto's
// ExportTraceServiceRequest: IDs in hex, enums as numbers, 64-bit integers
// as strings).
type (
	otlpRequest struct {
		ResourceSpans []resourceSpans `json:"resourceSpans"`
	}
	resourceSpans struct {
		Resource   resource     `json:"resource"`
		ScopeSpans []scopeSpans `json:"scopeSpans"`
	}
	resource struct {
		Attributes []keyValue `json:"attributes"`
	}
	scopeSpans struct {
		Scope scope  `json:"scope"`
		Spans []span `json:"spans"`
	}
	scope struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
	}
	span struct {
		TraceID           string     `json:"traceId"`
		SpanID            string     `json:"spanId"`
		ParentSpanID      string     `json:"parentSpanId,omitempty"`
		Name              string     `json:"name"`
		Kind              int        `json:"kind"`
		StartTimeUnixNano string     `json:"startTimeUnixNano"`
		EndTimeUnixNano   string     `json:"endTimeUnixNano"`
		Attributes        []keyValue `json:"attributes,omitempty"`
		Status            *status    `json:"status,omitempty"`
	}
	status struct {
		Code    int    `json:"code"`
		Message string `json:"message,omitempty"`
	}
	keyValue struct {
		Key   string   `json:"key"`
		Value anyValue `json:"value"`
	}
	anyValue struct {
		StringValue *string  `json:"stringValue,omitempty"`
		IntValue    *string  `json:"intValue,omitempty"`
		BoolValue   *bool    `json:"boolValue,omitempty"`
		DoubleValue *float64 `json:"doubleValue,omitempty"`
	}
)

func attrs(kvs []attribute.KeyValue) []keyValue {
	out := make([]keyValue, 0, len(kvs))
	for _, kv := range kvs {
		var v anyValue
		switch kv.Value.Type() {
		case attribute.BOOL:
			b := kv.Value.AsBool()
			v.BoolValue = &b
		case attribute.INT64:
			s := strconv.FormatInt(kv.Value.AsInt64(), 10)
			v.IntValue = &s
		case attribute.FLOAT64:
			f := kv.Value.AsFloat64()
			v.DoubleValue = &f
		default:
			s := kv.Value.Emit()
			v.StringValue = &s
		}
		out = append(out, keyValue{Key: string(kv.Key), Value: v})
	}
	return out
}

// kinds maps span kinds to OTLP's numbers (SPAN_KIND_INTERNAL = 1, ...).
var kinds = map[trace.SpanKind]int{trace.SpanKindInternal: 1, trace.SpanKindServer: 2, trace.SpanKindClient: 3,
	trace.SpanKindProducer: 4, trace.SpanKindConsumer: 5}

func (e *exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	ss := scopeSpans{Scope: scope{Name: spans[0].InstrumentationScope().Name}}
	for _, s := range spans {
		sc := s.SpanContext()
		o := span{TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(),
			Name: s.Name(), Kind: kinds[s.SpanKind()],
			StartTimeUnixNano: strconv.FormatInt(s.StartTime().UnixNano(), 10), EndTimeUnixNano: strconv.FormatInt(s.EndTime().UnixNano(), 10),
			Attributes: attrs(s.Attributes())}
		if p := s.Parent(); p.IsValid() {
			o.ParentSpanID = p.SpanID().String()
		}
		switch st := s.Status(); st.Code {
		case codes.Error:
			o.Status = &status{Code: 2, Message: st.Description}
		case codes.Ok:
			o.Status = &status{Code: 1}
		}
		ss.Spans = append(ss.Spans, o)
	}
	body, err := json.Marshal(otlpRequest{ResourceSpans: []resourceSpans{{Resource: resource{Attributes: attrs(e.service)}, ScopeSpans: []scopeSpans{ss}}}})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = e.header.Clone()
	resp, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("otlp: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("otlp: the collector answered %s", resp.Status)
	}
	return nil
}

func (e *exporter) Shutdown(context.Context) error { return nil }
