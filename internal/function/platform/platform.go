// Package platform holds what every platform adapter shares: the neutral
// events — Event (an HTTP request), Object (a file dropped into a bucket),
// Message (a queue's or topic's) — each with its one pipeline, and the rule
// for which answer bodies go base64. An adapter translates its platform's
// event into one of them and sets the request's context (internal/core/request).
package platform

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/axg-binder/binder/internal/core/request"
)

// Answer is the handler's response as a platform event answer wants it.
type Answer struct {
	Status int
	Header http.Header
	// Body is the body as text, or base64 when Base64 (not text, or not UTF-8).
	Body   string
	Base64 bool
}

// Serve runs r through h, its context carrying the invocation (internal/core/request).
func Serve(h http.Handler, log *slog.Logger, r *http.Request, inv request.Info) Answer {
	w := record(h, log, r, inv)
	body := w.body.Bytes()
	a := Answer{Status: w.code(), Header: w.sent()}
	if IsText(a.Header.Get("Content-Type"), body) {
		a.Body = string(body)
	} else {
		a.Body, a.Base64 = base64.StdEncoding.EncodeToString(body), true
	}
	return a
}

// record runs the handler. A panic anywhere becomes a 500 with the contract's
// JSON body and a log line; the platform's runtime loop never sees it.
func record(h http.Handler, log *slog.Logger, r *http.Request, inv request.Info) (w *recorder) {
	w = newRecorder()
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic", "request_id", inv.ID, "panic", "adapter")
			w = newRecorder()
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"Code":"InternalError","Message":"internal error","RequestId":"` + inv.ID + "\"}\n"))
		}
	}()
	h.ServeHTTP(w, r.WithContext(request.With(r.Context(), inv)))
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
