// Package platform holds what every platform adapter shares: the platform's
// request ID and credentials carried to the core through the request's
// context, the event → http.Request → recorder → answer pipeline, and the
// rule for which answer bodies go base64.
package platform

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"unicode/utf8"

	"github.com/axg-binder/binder/core/dypls"
)

type requestIDKey struct{}

// WithRequestID carries the platform's request ID to the core's handler.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the platform's request ID for r, or "": give it to the core as
// its RequestID function.
func RequestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

type callerKey struct{}

// WithCaller carries the platform's identity of the caller to the core's
// handler.
func WithCaller(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, callerKey{}, id)
}

// Caller is the platform's identity of r's caller (an IAM principal, the
// AccessKey ID that signed the call), or "": give it to the core as its
// Caller function, which keeps idempotency keys apart per caller.
func Caller(r *http.Request) string {
	id, _ := r.Context().Value(callerKey{}).(string)
	return id
}

// Invocation is what a platform says of one call besides its event: its
// request ID, region, and the credentials it brings (Function Compute's
// role), if any.
type Invocation struct {
	RequestID, Region string
	Credentials       dypls.Credentials
	// Trace is the platform's trace context for the invocation, as the
	// request header that carries it (X-Amzn-Trace-Id on Lambda,
	// X-Fc-Tracing-Opentracing-Span-Context on Function Compute): the
	// request's span is its child (core/tracing).
	TraceHeader, Trace string
	// Caller is the identity the platform authenticated, where it gives
	// one.
	Caller string
}

// Answer is the handler's response as a platform event answer wants it.
type Answer struct {
	Status int
	Header http.Header
	// Body is the body as text, or base64 when Base64 (not text, or not UTF-8).
	Body   string
	Base64 bool
}

// Serve runs r through h with the invocation's request ID and credentials.
func Serve(h http.Handler, log *slog.Logger, r *http.Request, inv Invocation) Answer {
	res := record(h, log, r, inv).Result()
	body, _ := io.ReadAll(res.Body) // a recorder's body: in memory, cannot fail
	a := Answer{Status: res.StatusCode, Header: res.Header}
	if IsText(res.Header.Get("Content-Type"), body) {
		a.Body = string(body)
	} else {
		a.Body, a.Base64 = base64.StdEncoding.EncodeToString(body), true
	}
	return a
}

// record runs the handler. A panic anywhere becomes a 500 with the contract's
// JSON body and a log line; the platform's runtime loop never sees it.
func record(h http.Handler, log *slog.Logger, r *http.Request, inv Invocation) (w *httptest.ResponseRecorder) {
	w = httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic", "request_id", inv.RequestID, "panic", "adapter")
			w = httptest.NewRecorder()
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.WriteString(`{"Code":"InternalError","Message":"internal error","RequestId":"` + inv.RequestID + "\"}\n")
		}
	}()
	ctx := WithRequestID(r.Context(), inv.RequestID)
	ctx = WithCaller(ctx, inv.Caller)
	ctx = dypls.WithCredentials(ctx, inv.Credentials)
	if inv.Trace != "" && r.Header.Get(inv.TraceHeader) == "" {
		r.Header.Set(inv.TraceHeader, inv.Trace)
	}
	h.ServeHTTP(w, r.WithContext(ctx))
	return w
}

// IsText reports whether a body with this content type can travel as a JSON
// string; anything else is base64-encoded.
func IsText(contentType string, body []byte) bool {
	ct := strings.ToLower(contentType)
	text := ct == "" || strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") ||
		strings.Contains(ct, "xml") || strings.Contains(ct, "javascript") || strings.Contains(ct, "x-www-form-urlencoded")
	return text && utf8.Valid(body)
}

// RemoteAddr makes an http.Request's RemoteAddr from a source IP.
// IsPath reports whether an event's path is an absolute path: not a relative
// reference, and not "//host/..." (another host's URL).
func IsPath(p string) bool { return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") }

func RemoteAddr(ip string) string {
	if ip == "" {
		return ""
	}
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:0"
	}
	return ip + ":0"
}
