package fchttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/axg-binder/binder/internal/function/fchttp"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

// BenchmarkFCEventBind is one bind from the HTTP trigger's event JSON to the
// response JSON: compare with BenchmarkHandlerBind for the adapter's cost.
func BenchmarkFCEventBind(b *testing.B) {
	h, meter := wiringtest.Metered(b)
	fn := fchttp.Handler(h, discard)
	_, ev := load(&testing.T{}, "testdata/bind.json")
	raw, _ := json.Marshal(ev)
	b.ReportAllocs()
	i := 0
	meter.Reset()
	for b.Loop() {
		i++
		payload := strings.Replace(string(raw), "13800138000", fmt.Sprintf("139%08d", i), 1)
		var in = ev
		if err := json.Unmarshal([]byte(payload), &in); err != nil {
			b.Fatal(err)
		}
		resp, err := fn(context.Background(), in)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%+v %v", resp, err)
		}
		if _, err := json.Marshal(resp); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(meter.NsPerOp(b.N), "upstream-ns/op")
}
