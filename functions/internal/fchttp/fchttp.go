// Package fchttp serves an http.Handler behind a Function Compute 3.0 HTTP
// trigger in the built-in Go runtime: events.HTTPTriggerEvent in,
// events.HTTPTriggerResponse out.
package fchttp

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/aliyun/fc-runtime-go-sdk/events"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"github.com/axg-binder/binder/core/dypls"
	"github.com/axg-binder/binder/functions/internal/platform"
)

// Handler is the function handler to give fc.Start.
func Handler(h http.Handler, log *slog.Logger) func(context.Context, events.HTTPTriggerEvent) (*events.HTTPTriggerResponse, error) {
	return func(ctx context.Context, ev events.HTTPTriggerEvent) (*events.HTTPTriggerResponse, error) {
		inv := platform.Invocation{RequestID: str(ev.TriggerContext.RequestId)}
		if fcc, ok := fccontext.FromContext(ctx); ok {
			if inv.RequestID == "" {
				inv.RequestID = fcc.RequestID
			}
			c := fcc.Credentials
			inv.Credentials = dypls.Credentials{AccessKeyID: c.AccessKeyId, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}
		}
		r, err := Request(ctx, ev)
		if err != nil {
			return answer(http.StatusBadRequest, `{"Code":"isv.INVALID_PARAMETERS","Message":"`+err.Error()+`","RequestId":"`+inv.RequestID+`"}`), nil
		}
		return response(platform.Serve(h, log, r, inv)), nil
	}
}

// Request translates the trigger's event. rawPath arrives URL-encoded;
// multi-value headers and query values arrive joined by commas, and stay so
// (a comma-joined header means the same in HTTP).
func Request(ctx context.Context, ev events.HTTPTriggerEvent) (*http.Request, error) {
	method := str(ev.TriggerContext.Http.Method)
	if method == "" {
		method = http.MethodGet
	}
	raw := str(ev.RawPath)
	if raw == "" {
		raw = "/"
	}
	u, err := url.Parse(raw)
	if err != nil || !platform.IsPath(raw) {
		return nil, errBadPath
	}
	if ev.QueryParameters != nil {
		q := url.Values{}
		for k, v := range *ev.QueryParameters {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
	}
	body := str(ev.Body)
	if ev.IsBase64Encoded != nil && *ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, errBadBody
		}
		body = string(b)
	}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), strings.NewReader(body))
	if err != nil {
		return nil, errBadPath
	}
	if ev.Headers != nil {
		for k, v := range *ev.Headers {
			r.Header.Set(k, v)
		}
	}
	r.Host = str(ev.TriggerContext.DomainName)
	r.RemoteAddr = platform.RemoteAddr(str(ev.TriggerContext.Http.SourceIp))
	r.RequestURI = u.RequestURI()
	return r, nil
}

type adapterError string

func (e adapterError) Error() string { return string(e) }

const (
	errBadPath = adapterError("the event's rawPath is not a valid path")
	errBadBody = adapterError("the event's body is not valid base64")
)

// response translates the handler's answer; multi-value headers are joined
// with commas, as the trigger's headers map holds one string per name.
func response(a platform.Answer) *events.HTTPTriggerResponse {
	out := &events.HTTPTriggerResponse{StatusCode: a.Status, Headers: map[string]string{}, Body: a.Body, IsBase64Encoded: a.Base64}
	for k, v := range a.Header {
		out.Headers[k] = strings.Join(v, ", ")
	}
	return out
}

func answer(status int, body string) *events.HTTPTriggerResponse {
	return &events.HTTPTriggerResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}, Body: body + "\n"}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
