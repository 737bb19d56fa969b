package lambdahttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/axg-binder/binder/functions/internal/platform"
)

// serveV1 handles API Gateway REST (payload 1.0). Its answer never carries
// cookies: REST APIs take Set-Cookie in multiValueHeaders.
func serveV1(ctx context.Context, h http.Handler, log *slog.Logger, payload []byte, fallbackID string) (events.APIGatewayProxyResponse, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return events.APIGatewayProxyResponse{}, errors.New("not an API Gateway REST event")
	}
	inv := platform.Invocation{RequestID: firstNonEmpty(ev.RequestContext.RequestID, fallbackID)}
	r, err := requestV1(ctx, ev)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	a := platform.Serve(h, log, r, inv)
	return events.APIGatewayProxyResponse{StatusCode: a.Status, MultiValueHeaders: map[string][]string(a.Header),
		Body: a.Body, IsBase64Encoded: a.Base64}, nil
}

func requestV1(ctx context.Context, ev events.APIGatewayProxyRequest) (*http.Request, error) {
	q := url.Values{}
	for k, vs := range ev.MultiValueQueryStringParameters {
		q[k] = append(q[k], vs...)
	}
	for k, v := range ev.QueryStringParameters {
		if _, ok := q[k]; !ok {
			q.Set(k, v)
		}
	}
	body := ev.Body
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, errors.New("the event's body is not valid base64")
		}
		body = string(b)
	}
	u := &url.URL{Path: ev.Path, RawQuery: q.Encode()}
	if u.Path == "" {
		u.Path = "/"
	}
	if !platform.IsPath(u.Path) {
		return nil, errors.New("the event's path is not valid")
	}
	r, err := http.NewRequestWithContext(ctx, ev.HTTPMethod, u.String(), strings.NewReader(body))
	if err != nil {
		return nil, errors.New("the event's method or path is not valid")
	}
	for k, vs := range ev.MultiValueHeaders {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	for k, v := range ev.Headers {
		if r.Header.Get(k) == "" {
			r.Header.Set(k, v)
		}
	}
	r.Host = firstNonEmpty(r.Header.Get("Host"), ev.RequestContext.DomainName)
	r.RemoteAddr = platform.RemoteAddr(ev.RequestContext.Identity.SourceIP)
	r.RequestURI = u.RequestURI()
	return r, nil
}
