package platform_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/aliyun/fc-runtime-go-sdk/events"
	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/axg-binder/binder/internal/function/fchttp"
	"github.com/axg-binder/binder/internal/function/lambdahttp"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

var discard = slog.New(slog.NewJSONHandler(io.Discard, nil))

// TestBadEventsAnswerAlikeOnEveryCloud: an event that cannot be a request
// (a path that is not absolute or names another host, a body that is not
// base64) is answered 400 with the contract's body and the same message
// behind a Function Compute HTTP trigger, an API Gateway REST API and an
// HTTP API or function URL.
func TestBadEventsAnswerAlikeOnEveryCloud(t *testing.T) {
	h, _ := wiringtest.Handler(t, false)
	fc := fchttp.Handler(h, discard)
	aws := lambdahttp.Handler(h, discard)
	yes := true
	for _, c := range []struct {
		name, path, body string
		base64           bool
		want             string
	}{
		{"relative path", "0", "", false, "the event's path is not an absolute path"},
		{"another host", "//evil/x", "", false, "the event's path is not an absolute path"},
		{"bad escape", "/v1/%zz", "", false, "the event's path is not a valid path"},
		{"body not base64", "/v1/axg/bind", "not base64!", true, "the event's body is not valid base64"},
	} {
		type answer struct {
			status int
			body   string
		}
		var got []answer
		fcEv := events.HTTPTriggerEvent{RawPath: &c.path, Body: &c.body}
		if c.base64 {
			fcEv.IsBase64Encoded = &yes
		}
		r, err := fc(context.Background(), fcEv)
		if err != nil {
			t.Fatalf("%s: FC: %v", c.name, err)
		}
		got = append(got, answer{r.StatusCode, r.Body})
		// REST events carry the path decoded, as API Gateway sends it.
		restPath := c.path
		if c.name == "bad escape" {
			restPath = "/v1/%zz" // decoded already: a valid path there, answered by the API (404)
		}
		for _, ev := range []any{
			awsevents.APIGatewayProxyRequest{HTTPMethod: "POST", Path: restPath, Body: c.body, IsBase64Encoded: c.base64},
			awsevents.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: c.path, Body: c.body, IsBase64Encoded: c.base64,
				RequestContext: awsevents.APIGatewayV2HTTPRequestContext{HTTP: awsevents.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}},
		} {
			payload, _ := json.Marshal(ev)
			resp, err := aws(context.Background(), payload)
			if err != nil {
				t.Fatalf("%s: Lambda: %v", c.name, err)
			}
			switch r := resp.(type) {
			case awsevents.APIGatewayProxyResponse:
				if c.name == "bad escape" {
					continue
				}
				got = append(got, answer{r.StatusCode, r.Body})
			case awsevents.APIGatewayV2HTTPResponse:
				got = append(got, answer{r.StatusCode, r.Body})
			}
		}
		for i, a := range got {
			var body struct{ Code, Message string }
			if err := json.Unmarshal([]byte(a.body), &body); err != nil || a.status != 400 ||
				body.Code != "isv.INVALID_PARAMETERS" || body.Message != c.want {
				t.Errorf("%s, answer %d: %d %s", c.name, i, a.status, a.body)
			}
		}
	}
}
