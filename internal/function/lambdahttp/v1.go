package lambdahttp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/aws/aws-lambda-go/events"

	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/function/platform"
)

// serveV1 handles API Gateway REST (payload 1.0). Its answer never carries
// cookies: REST APIs take Set-Cookie in multiValueHeaders.
func serveV1(ctx context.Context, h http.Handler, log *slog.Logger, payload []byte, inv request.Info) (events.APIGatewayProxyResponse, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return events.APIGatewayProxyResponse{}, errors.New("not an API Gateway REST event")
	}
	inv.ID = firstNonEmpty(ev.RequestContext.RequestID, inv.ID) // the API's, else the invocation's
	inv.Caller = callerV1(ev.RequestContext)
	a := platform.Handle(ctx, h, log, eventV1(ev), inv)
	return events.APIGatewayProxyResponse{StatusCode: a.Status, MultiValueHeaders: map[string][]string(a.Header),
		Body: a.Body, IsBase64Encoded: a.Base64}, nil
}

// eventV1 translates a REST event: its path arrives decoded, its headers and
// query both single- and multi-valued.
func eventV1(ev events.APIGatewayProxyRequest) platform.Event {
	q := url.Values{}
	for k, vs := range ev.MultiValueQueryStringParameters {
		q[k] = append(q[k], vs...)
	}
	for k, v := range ev.QueryStringParameters {
		if _, ok := q[k]; !ok {
			q.Set(k, v)
		}
	}
	header := http.Header{}
	for k, vs := range ev.MultiValueHeaders {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	for k, v := range ev.Headers {
		if header.Get(k) == "" {
			header.Set(k, v)
		}
	}
	path := ev.Path
	if path != "" {
		path = (&url.URL{Path: path}).EscapedPath()
	}
	return platform.Event{Method: ev.HTTPMethod, Path: path, RawQuery: q.Encode(), Header: header, Body: ev.Body,
		Base64: ev.IsBase64Encoded, Host: ev.RequestContext.DomainName, SourceIP: ev.RequestContext.Identity.SourceIP}
}

// callerV1 is who API Gateway authenticated: the IAM principal (IAM
// authorization), the Cognito identity, or a Lambda authorizer's principal.
func callerV1(rc events.APIGatewayProxyRequestContext) string {
	switch {
	case rc.Identity.UserArn != "":
		return "iam:" + rc.Identity.UserArn
	case rc.Identity.CognitoIdentityID != "":
		return "cognito:" + rc.Identity.CognitoIdentityID
	}
	if p, ok := rc.Authorizer["principalId"].(string); ok && p != "" {
		return "authorizer:" + p
	}
	return ""
}
