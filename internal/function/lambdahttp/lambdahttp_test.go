package lambdahttp_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/axg-binder/binder/internal/function/lambdahttp"
	"github.com/axg-binder/binder/internal/function/platform/platformtest"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

var update = flag.Bool("update", false, "rewrite the golden answers")

var discard = slog.New(slog.NewJSONHandler(io.Discard, nil))

func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// Round trip through the SDK's event type: nothing documented is lost.
			var typed any = &events.APIGatewayProxyRequest{}
			if strings.Contains(string(raw), `"version": "2.0"`) {
				typed = &events.APIGatewayV2HTTPRequest{}
			}
			if err := json.Unmarshal(raw, typed); err != nil {
				t.Fatal(err)
			}
			back, _ := json.Marshal(typed)
			if !platformtest.JSONSubset(raw, back) {
				t.Fatalf("round trip changed the event:\n%s", back)
			}
			h, _ := wiringtest.Handler(t, false)
			resp, err := lambdahttp.Handler(h, discard)(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(resp)
			if strings.HasPrefix(filepath.Base(f), "rest-") && strings.Contains(string(out), `"cookies"`) {
				t.Errorf("a REST (1.0) answer carries cookies: %s", out)
			}
			platformtest.Golden(t, strings.TrimSuffix(f, ".json")+".golden.json", resp, *update)
		})
	}
}

// TestHeadersAndCookies: v2 answers keep comma-joined headers joined and put
// Set-Cookie in cookies; v1 answers put everything in multiValueHeaders; a
// binary body goes base64.
func TestHeadersAndCookies(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "*/*,application/json" && r.Header.Get("Accept") != "*/*" {
			t.Errorf("Accept split or lost: %q", r.Header.Values("Accept"))
		}
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Vary", "Origin")
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write([]byte{0xff, 0x00})
	})
	v2, _ := os.ReadFile("testdata/httpapi-bind.json")
	resp, err := lambdahttp.Handler(h, discard)(context.Background(), v2)
	r2 := resp.(events.APIGatewayV2HTTPResponse)
	if err != nil || strings.Join(r2.Cookies, "|") != "a=1|b=2" || r2.Headers["Vary"] != "Accept,Origin" || !r2.IsBase64Encoded || r2.Body != "/wA=" {
		t.Errorf("v2: %+v %v", r2, err)
	}
	v1, _ := os.ReadFile("testdata/rest-bind.json")
	resp, err = lambdahttp.Handler(h, discard)(context.Background(), v1)
	r1 := resp.(events.APIGatewayProxyResponse)
	if err != nil || len(r1.MultiValueHeaders["Set-Cookie"]) != 2 || !r1.IsBase64Encoded {
		t.Errorf("v1: %+v %v", r1, err)
	}
}

func TestUnsupportedEvents(t *testing.T) {
	h, _ := wiringtest.Handler(t, false)
	for _, ev := range []string{`{"Records":[]}`, `not json`} {
		if _, err := lambdahttp.Handler(h, discard)(context.Background(), json.RawMessage(ev)); err == nil {
			t.Errorf("%s: no error", ev)
		}
	}
}

func TestPanicBecomes500(t *testing.T) {
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	v2, _ := os.ReadFile("testdata/httpapi-bind.json")
	resp, err := lambdahttp.Handler(boom, discard)(context.Background(), v2)
	r := resp.(events.APIGatewayV2HTTPResponse)
	if err != nil || r.StatusCode != 500 || !strings.Contains(r.Body, `"Code":"InternalError"`) {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestEventsItCannotServe(t *testing.T) {
	h, _ := wiringtest.Handler(t, false)
	fn := lambdahttp.Handler(h, discard)
	for payload, want := range map[string]string{
		`nope`:                        "the event is not JSON",
		`{"version":"2.0","headers":`: "the event is not JSON",
		`{"Records":[{"eventSource":"aws:sqs"}]}`: "unsupported event",
		`{"version":"2.0","headers":5}`:           "not a payload 2.0 event",
		`{"httpMethod":"POST","headers":5}`:       "not an API Gateway REST event",
	} {
		if _, err := fn(context.Background(), json.RawMessage(payload)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", payload, err, want)
		}
	}
}
