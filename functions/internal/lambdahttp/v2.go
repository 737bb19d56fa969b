package lambdahttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/axg-binder/binder/functions/internal/platform"
)

// serveV2 handles HTTP APIs and function URLs (payload 2.0). Headers arrive
// and leave comma-joined, cookies in their own array.
func serveV2(ctx context.Context, h http.Handler, log *slog.Logger, payload []byte, fallbackID string) (events.APIGatewayV2HTTPResponse, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return events.APIGatewayV2HTTPResponse{}, errors.New("not a payload 2.0 event")
	}
	inv := platform.Invocation{RequestID: firstNonEmpty(ev.RequestContext.RequestID, fallbackID)}
	r, err := requestV2(ctx, ev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	a := platform.Serve(h, log, r, inv)
	out := events.APIGatewayV2HTTPResponse{StatusCode: a.Status, Headers: map[string]string{}, Cookies: a.Header.Values("Set-Cookie"),
		Body: a.Body, IsBase64Encoded: a.Base64}
	for k, v := range a.Header {
		if k != "Set-Cookie" {
			out.Headers[k] = strings.Join(v, ",")
		}
	}
	return out, nil
}

func requestV2(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	body := ev.Body
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, errors.New("the event's body is not valid base64")
		}
		body = string(b)
	}
	target := firstNonEmpty(ev.RawPath, ev.RequestContext.HTTP.Path, "/")
	if !platform.IsPath(target) {
		return nil, errors.New("the event's path is not valid")
	}
	if ev.RawQueryString != "" {
		target += "?" + ev.RawQueryString
	}
	r, err := http.NewRequestWithContext(ctx, ev.RequestContext.HTTP.Method, target, strings.NewReader(body))
	if err != nil {
		return nil, errors.New("the event's method or path is not valid")
	}
	for k, v := range ev.Headers {
		r.Header.Set(k, v) // comma-joined values mean the same in HTTP: not split
	}
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	r.Host = firstNonEmpty(r.Header.Get("Host"), ev.RequestContext.DomainName)
	r.RemoteAddr = platform.RemoteAddr(ev.RequestContext.HTTP.SourceIP)
	r.RequestURI = target
	return r, nil
}
