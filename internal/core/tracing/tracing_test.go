package tracing

import (
	"net/http"
	"testing"
)

// TestParent: each platform's trace context is read into the same trace
// and parent IDs; a malformed one is no parent.
func TestParent(t *testing.T) {
	for _, tc := range []struct {
		header, value   string
		trace, span     string
		sampled, parent bool
	}{
		{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true, true},
		{"X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", "5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8", true, true},
		{"X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", "5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8", false, true},
		{"X-Fc-Tracing-Opentracing-Span-Context", "1f2e3d4c5b6a7980:a1b2c3d4e5f60718:0:1", "00000000000000001f2e3d4c5b6a7980", "a1b2c3d4e5f60718", true, true},
		{"X-Fc-Tracing-Opentracing-Span-Context", "abc:1:0:0", "00000000000000000000000000000abc", "0000000000000001", false, true},
		{"X-Amzn-Trace-Id", "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", "", "", false, false},
		{"X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a99427279z;Parent=53995c3f42cd8ad8", "", "", false, false},
		{"X-Fc-Tracing-Opentracing-Span-Context", "not:a:context", "", "", false, false},
		{"traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "", "", false, false},
	} {
		h := http.Header{}
		h.Set(tc.header, tc.value)
		sc, ok := parent(h)
		if ok != tc.parent || ok && (sc.TraceID().String() != tc.trace || sc.SpanID().String() != tc.span || sc.IsSampled() != tc.sampled || !sc.IsRemote()) {
			t.Errorf("%s %q: %v %s/%s sampled %v, want %v %s/%s sampled %v", tc.header, tc.value, ok, sc.TraceID(), sc.SpanID(), sc.IsSampled(), tc.parent, tc.trace, tc.span, tc.sampled)
		}
	}
}
