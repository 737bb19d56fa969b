package httpapi_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/dypls"
	"github.com/axg-binder/binder/core/dypls/emulator"
	"github.com/axg-binder/binder/core/httpapi"
	"github.com/axg-binder/binder/core/validate"
	"github.com/axg-binder/binder/internal/benchmeter"
)

// benchHandler is the whole handler and client against the emulator in
// process (no port), with logs discarded and no rate ceiling in the way; the
// meter times the upstream's part.
func benchHandler(b *testing.B) (*httpapi.Handler, *benchmeter.Meter) {
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	meter := &benchmeter.Meter{Inner: emu.Transport()}
	up, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: emulator.DemoAccessKeySecret, Transport: meter})
	if err != nil {
		b.Fatal(err)
	}
	svc, _ := core.NewService(up, core.Options{QPS: 1e9})
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return httpapi.NewHandler(svc, validate.New(nil, 1000), log, httpapi.Config{}), meter
}

// BenchmarkHandlerBind is one bind through the whole HTTP handler, the client
// and the in-process emulator; upstream-ns/op is the emulator's part (with
// its in-process transport), measured in the same run.
func BenchmarkHandlerBind(b *testing.B) {
	h, meter := benchHandler(b)
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	b.ReportAllocs()
	i := 0
	meter.Reset()
	for b.Loop() {
		i++
		body := fmt.Sprintf(`{"PoolKey":"FC123456","PhoneNoA":"139%08d","GroupId":1234,"Expiration":"%s"}`, i, exp)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", bind, strings.NewReader(body)))
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(meter.NsPerOp(b.N), "upstream-ns/op")
}

// BenchmarkHandlerBatch100 is a 100-item batch-bind the same way.
func BenchmarkHandlerBatch100(b *testing.B) {
	h, meter := benchHandler(b)
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	b.ReportAllocs()
	i := 0
	meter.Reset()
	for b.Loop() {
		items := make([]string, 100)
		for k := range items {
			i++
			items[k] = fmt.Sprintf(`{"PhoneNoA":"13%09d","GroupId":1234,"Expiration":"%s"}`, i, exp)
		}
		body := `{"PoolKey":"FC123456","AxgBindList":[` + strings.Join(items, ",") + `]}`
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", batch, strings.NewReader(body)))
		if w.Code != 200 || strings.Contains(w.Body.String(), "isv.") {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(meter.NsPerOp(b.N), "upstream-ns/op")
}

// BenchmarkHandlerBindWithKey is BenchmarkHandlerBind with an
// Idempotency-Key on every bind (a new key each), its records in memory:
// what a key costs a bind.
func BenchmarkHandlerBindWithKey(b *testing.B) {
	h, meter := benchHandler(b)
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	b.ReportAllocs()
	i := 0
	meter.Reset()
	for b.Loop() {
		i++
		body := fmt.Sprintf(`{"PoolKey":"FC123456","PhoneNoA":"139%08d","GroupId":1234,"Expiration":"%s"}`, i, exp)
		r := httptest.NewRequest("POST", bind, strings.NewReader(body))
		r.Header.Set("Idempotency-Key", fmt.Sprintf("order-%d", i))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(meter.NsPerOp(b.N), "upstream-ns/op")
}
