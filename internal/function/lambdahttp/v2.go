package lambdahttp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/function/platform"
)

// serveV2 handles HTTP APIs and function URLs (payload 2.0). Headers arrive
// and leave comma-joined, cookies in their own array.
func serveV2(ctx context.Context, h http.Handler, log *slog.Logger, payload []byte, inv request.Info) (events.APIGatewayV2HTTPResponse, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return events.APIGatewayV2HTTPResponse{}, errors.New("not a payload 2.0 event")
	}
	inv.ID = firstNonEmpty(ev.RequestContext.RequestID, inv.ID) // the API's, else the invocation's
	inv.Caller = callerV2(ev.RequestContext.Authorizer)
	a := platform.Handle(ctx, h, log, eventV2(ev), inv)
	out := events.APIGatewayV2HTTPResponse{StatusCode: a.Status, Headers: map[string]string{}, Cookies: a.Header.Values("Set-Cookie"),
		Body: a.Body, IsBase64Encoded: a.Base64}
	for k, v := range a.Header {
		if k != "Set-Cookie" {
			out.Headers[k] = strings.Join(v, ",")
		}
	}
	return out, nil
}

// eventV2 translates a payload 2.0 event: comma-joined values mean the same
// in HTTP, so they are not split; cookies come in their own array.
func eventV2(ev events.APIGatewayV2HTTPRequest) platform.Event {
	header := http.Header{}
	for k, v := range ev.Headers {
		header.Set(k, v)
	}
	if len(ev.Cookies) > 0 {
		header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	return platform.Event{Method: ev.RequestContext.HTTP.Method, Path: firstNonEmpty(ev.RawPath, ev.RequestContext.HTTP.Path),
		RawQuery: ev.RawQueryString, Header: header, Body: ev.Body, Base64: ev.IsBase64Encoded,
		Host: ev.RequestContext.DomainName, SourceIP: ev.RequestContext.HTTP.SourceIP}
}

// callerV2 is who the HTTP API or function URL authenticated: the IAM
// principal (AWS_IAM), or a JWT authorizer's issuer and subject.
func callerV2(a *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) string {
	switch {
	case a == nil:
	case a.IAM != nil && a.IAM.UserARN != "":
		return "iam:" + a.IAM.UserARN
	case a.JWT != nil && a.JWT.Claims["sub"] != "":
		return "jwt:" + a.JWT.Claims["iss"] + " " + a.JWT.Claims["sub"]
	}
	return ""
}
