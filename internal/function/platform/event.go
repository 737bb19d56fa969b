package platform

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/request"
)

// Event is an HTTP request as a platform's event carries it, in the shape
// every HTTP trigger shares: each adapter only translates its event into one
// (the algnhsa shape), and the request is built, checked and answered here,
// alike on every cloud.
type Event struct {
	Method string
	// Path is the path as sent, escaped; RawQuery the query, encoded.
	Path, RawQuery string
	Header         http.Header
	Body           string
	Base64         bool
	// Host is the domain the trigger was called on, where no Host header says.
	Host, SourceIP string
}

// ErrBadEvent is an event that cannot be a request to this function.
var ErrBadEvent = errors.New("bad event")

// Request builds the http.Request the event stands for: a GET of / where it
// names no method or path. A path that is not absolute (or names another
// host) and a body that is not base64 where it says so are ErrBadEvent.
func (e Event) Request(ctx context.Context) (*http.Request, error) {
	method, path := e.Method, e.Path
	if method == "" {
		method = http.MethodGet
	}
	if path == "" {
		path = "/"
	}
	if !IsPath(path) {
		return nil, badEvent("the event's path is not an absolute path")
	}
	body := e.Body
	if e.Base64 {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, badEvent("the event's body is not valid base64")
		}
		body = string(b)
	}
	target := path
	if e.RawQuery != "" {
		target += "?" + e.RawQuery
	}
	u, err := url.ParseRequestURI(target)
	if err != nil || u.Host != "" {
		return nil, badEvent("the event's path is not a valid path")
	}
	r, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	if err != nil {
		return nil, badEvent("the event's method is not valid")
	}
	if e.Header != nil {
		r.Header = e.Header
	}
	r.Host = e.Host
	if h := r.Header.Get("Host"); h != "" {
		r.Host = h
	}
	r.RemoteAddr = RemoteAddr(e.SourceIP)
	r.RequestURI = target
	return r, nil
}

func badEvent(msg string) error { return &eventError{msg} }

type eventError struct{ msg string }

func (e *eventError) Error() string        { return e.msg }
func (e *eventError) Is(target error) bool { return target == ErrBadEvent }

// Handle serves the event through h: the one pipeline of every HTTP
// adapter. An event that is no request for this function is answered 400
// with the contract's error body, on every cloud alike.
func Handle(ctx context.Context, h http.Handler, log *slog.Logger, e Event, inv request.Info) Answer {
	r, err := e.Request(ctx)
	if err != nil {
		log.Warn("bad event", "request_id", inv.ID, "error", err.Error())
		return Answer{Status: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			Body: `{"Code":"` + string(core.CodeInvalidParameters) + `","Message":"` + err.Error() + `","RequestId":"` + jsonSafe(inv.ID) + "\"}\n"}
	}
	return Serve(h, log, r, inv)
}

// jsonSafe keeps a platform's request ID from breaking the JSON around it.
func jsonSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 {
			return -1
		}
		return r
	}, s)
}
