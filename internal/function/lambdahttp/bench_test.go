package lambdahttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/axg-binder/binder/internal/function/lambdahttp"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

func benchEvent(b *testing.B, fixture string) {
	h, meter := wiringtest.Metered(b)
	fn := lambdahttp.Handler(h, discard)
	raw, err := os.ReadFile(fixture)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	meter.Reset()
	for b.Loop() {
		i++
		payload := strings.Replace(string(raw), "13800138000", fmt.Sprintf("139%08d", i), 1)
		resp, err := fn(context.Background(), json.RawMessage(payload))
		if err != nil {
			b.Fatal(err)
		}
		out, _ := json.Marshal(resp)
		if !strings.Contains(string(out), `"statusCode":200`) {
			b.Fatalf("%s", out)
		}
	}
	b.ReportMetric(meter.NsPerOp(b.N), "upstream-ns/op")
}

// BenchmarkLambdaV2EventBind is one bind from an HTTP API (payload 2.0) event
// to the response JSON: compare with BenchmarkHandlerBind for the adapter's cost.
func BenchmarkLambdaV2EventBind(b *testing.B) { benchEvent(b, "testdata/httpapi-bind.json") }

// BenchmarkLambdaV1EventBind is the same from a REST (payload 1.0) event.
func BenchmarkLambdaV1EventBind(b *testing.B) { benchEvent(b, "testdata/rest-bind.json") }
