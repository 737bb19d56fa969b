// Package lambdahttp serves an http.Handler behind AWS Lambda's HTTP events:
// API Gateway REST APIs (payload 1.0), and HTTP APIs and function URLs
// (payload 2.0), told apart by the event itself. It is a small translation of
// our own rather than aws-lambda-go-api-proxy, which is archived and splits
// comma-joined v2 headers into several values.
package lambdahttp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/axg-binder/binder/internal/function/awsenv"
)

// Handler is the function handler to give lambda.Start.
func Handler(h http.Handler, log *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, payload json.RawMessage) (any, error) {
		var probe struct {
			Version    string `json:"version"`
			HTTPMethod string `json:"httpMethod"`
		}
		if err := json.Unmarshal(payload, &probe); err != nil {
			return nil, errors.New("the event is not JSON")
		}
		inv := awsenv.FromContext(ctx)
		switch {
		case probe.Version == "2.0":
			return serveV2(ctx, h, log, payload, inv)
		case probe.HTTPMethod != "":
			return serveV1(ctx, h, log, payload, inv)
		}
		return nil, errors.New("unsupported event: want an API Gateway REST (1.0), HTTP API or function URL (2.0) payload")
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
