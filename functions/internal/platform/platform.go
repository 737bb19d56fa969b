// Package platform holds what every platform adapter shares: the
// invocation (what core/request carries, and a region), the event →
// http.Request → recorder → answer pipeline, and the rule for which answer
// bodies go base64.
package platform

import (
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"unicode/utf8"

	"github.com/axg-binder/binder/core/request"
)

// Invocation is what a platform says of one call besides its event: what
// the request carries (core/request: its ID, caller, credentials, trace)
// and, for the clients an adapter builds, its region.
type Invocation struct {
	request.Info
	Region string
}

// Answer is the handler's response as a platform event answer wants it.
type Answer struct {
	Status int
	Header http.Header
	// Body is the body as text, or base64 when Base64 (not text, or not UTF-8).
	Body   string
	Base64 bool
}

// Serve runs r through h, its context carrying the invocation (core/request).
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
			log.Error("panic", "request_id", inv.ID, "panic", "adapter")
			w = httptest.NewRecorder()
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.WriteString(`{"Code":"InternalError","Message":"internal error","RequestId":"` + inv.ID + "\"}\n")
		}
	}()
	h.ServeHTTP(w, r.WithContext(request.With(r.Context(), inv.Info)))
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
