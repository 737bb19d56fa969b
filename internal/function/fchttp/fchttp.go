// Package fchttp serves an http.Handler behind a Function Compute 3.0 HTTP
// trigger in the built-in Go runtime: events.HTTPTriggerEvent in,
// events.HTTPTriggerResponse out.
package fchttp

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/function/platform"
)

// Handler is the function handler to give fc.Start.
func Handler(h http.Handler, log *slog.Logger) func(context.Context, events.HTTPTriggerEvent) (*events.HTTPTriggerResponse, error) {
	return func(ctx context.Context, ev events.HTTPTriggerEvent) (*events.HTTPTriggerResponse, error) {
		inv := fcenv.FromContext(ctx, request.Credentials{})
		if id := str(ev.TriggerContext.RequestId); id != "" {
			inv.ID = id
		}
		e := Event(ev)
		inv.Caller = Signer(e.Header)
		return response(platform.Handle(ctx, h, log, e, inv.Info)), nil
	}
}

// Event translates the trigger's event. rawPath arrives URL-encoded;
// multi-value headers and query values arrive joined by commas, and stay so
// (a comma-joined header means the same in HTTP).
func Event(ev events.HTTPTriggerEvent) platform.Event {
	e := platform.Event{Method: str(ev.TriggerContext.Http.Method), Path: str(ev.RawPath), Header: http.Header{},
		Body: str(ev.Body), Base64: ev.IsBase64Encoded != nil && *ev.IsBase64Encoded,
		Host: str(ev.TriggerContext.DomainName), SourceIP: str(ev.TriggerContext.Http.SourceIp)}
	if ev.QueryParameters != nil {
		q := url.Values{}
		for k, v := range *ev.QueryParameters {
			q.Set(k, v)
		}
		e.RawQuery = q.Encode()
	}
	if ev.Headers != nil {
		for k, v := range *ev.Headers {
			e.Header.Set(k, v)
		}
	}
	return e
}

// response translates the handler's answer; multi-value headers are joined
// with commas, as the trigger's headers map holds one string per name.
func response(a platform.Answer) *events.HTTPTriggerResponse {
	out := &events.HTTPTriggerResponse{StatusCode: a.Status, Headers: map[string]string{}, Body: a.Body, IsBase64Encoded: a.Base64}
	for k, v := range a.Header {
		out.Headers[k] = strings.Join(v, ", ")
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Signer is the AccessKey ID that signed a call to a trigger with
// signature authentication (Function Compute checks the signature before
// the function runs): from "ACS3-HMAC-SHA256 Credential=<id>,..." or the
// older "FC <id>:<signature>"; "" for any other Authorization.
func Signer(h http.Header) string {
	auth := h.Get("Authorization")
	if rest, ok := strings.CutPrefix(auth, "ACS3-HMAC-SHA256 "); ok {
		for _, part := range strings.Split(rest, ",") {
			if id, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok && id != "" {
				return "ak:" + id
			}
		}
		return ""
	}
	if rest, ok := strings.CutPrefix(auth, "FC "); ok {
		if id, _, ok := strings.Cut(rest, ":"); ok && id != "" {
			return "ak:" + id
		}
	}
	return ""
}
