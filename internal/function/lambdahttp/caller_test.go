package lambdahttp_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/axg-binder/binder/internal/function/lambdahttp"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

// TestKeysPerIAMPrincipal: under AXG_AUTH=platform, one Idempotency-Key
// sent by two IAM principals binds twice, each replayed to its own caller
// only (before, every caller shared one key space: B got A's answer).
func TestKeysPerIAMPrincipal(t *testing.T) {
	e, emu := wiringtest.Env(t, wiring.Deps{}, map[string]string{"AXG_AUTH": "platform"})
	serve := lambdahttp.Handler(e.HTTP(), discard)
	body := wiringtest.BindBody("13800000151")
	v2 := func(arn string) []byte {
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/v1/axg/bind", Body: body,
			Headers: map[string]string{"content-type": "application/json", "idempotency-key": "order-7"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "r-" + arn,
				HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/v1/axg/bind"},
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: arn}}}}
		b, _ := json.Marshal(ev)
		return b
	}
	v1 := func(arn string) []byte {
		ev := events.APIGatewayProxyRequest{HTTPMethod: "POST", Path: "/v1/axg/bind", Body: body,
			Headers:        map[string]string{"Content-Type": "application/json", "Idempotency-Key": "order-7"},
			RequestContext: events.APIGatewayProxyRequestContext{RequestID: "r1-" + arn, Identity: events.APIGatewayRequestIdentity{UserArn: arn}}}
		b, _ := json.Marshal(ev)
		return b
	}
	call := func(ev []byte) (int, string, bool) {
		t.Helper()
		out, err := serve(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(out)
		var a struct {
			StatusCode        int
			Headers           map[string]string
			MultiValueHeaders map[string][]string
			Body              string
		}
		_ = json.Unmarshal(b, &a)
		replayed := a.Headers["Idempotent-Replayed"] == "true" || strings.Join(a.MultiValueHeaders["Idempotent-Replayed"], "") == "true"
		return a.StatusCode, a.Body, replayed
	}
	const alice, bob = "arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/orders/bob"
	sa, ba, ra := call(v2(alice))
	sb, bb, rb := call(v2(bob))
	if sa != 200 || sb != 200 || ra || rb || ba == bb {
		t.Fatalf("two principals, one key: %d %s (replayed %v)\n%d %s (replayed %v)", sa, ba, ra, sb, bb, rb)
	}
	if s, b, r := call(v1(alice)); s != 200 || !r || b != ba {
		t.Fatalf("alice again (REST): %d %s, replayed %v; want her first answer", s, b, r)
	}
	if n := len(emu.BindingsOf("13800000151")); n != 2 {
		t.Fatalf("%d bindings, want one per principal", n)
	}
}
