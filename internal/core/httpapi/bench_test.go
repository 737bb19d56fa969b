package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/validate"
	"github.com/axg-binder/binder/internal/testkit/benchmeter"
)

// benchHandler is the whole handler and client against the emulator in
// process (no port), with logs discarded and no rate ceiling in the way; the
// meter times the upstream's part.
func benchHandler(b *testing.B) (*httpapi.Handler, *benchmeter.Meter, *emulator.Emulator) {
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	meter := &benchmeter.Meter{Inner: emu.Transport()}
	up, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: emulator.DemoAccessKeySecret, Transport: meter})
	if err != nil {
		b.Fatal(err)
	}
	svc, _ := core.NewService(up, core.Options{QPS: 1e9})
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return httpapi.NewHandler(svc, validate.New(nil, 1000), log, httpapi.Config{}), meter, emu
}

// direct is a client of the same emulator that the meter does not time:
// what a benchmark sets up between its timed requests.
func direct(b *testing.B, emu *emulator.Emulator) *dypls.Client {
	c, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: emulator.DemoAccessKeySecret, Transport: emu.Transport()})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// benchRequests serves one request a loop, made by req from the loop's
// number, through the whole handler, client and in-process emulator;
// upstream-ns/op is the emulator's part (with its in-process transport),
// measured in the same run. ok says whether an answer is a success.
func benchRequests(b *testing.B, req func(i int, exp string) *http.Request, ok func(*httptest.ResponseRecorder) bool) {
	benchRequestsOn(b, func(*emulator.Emulator) func(int, string) *http.Request { return req }, ok)
}

// benchRequestsOn is benchRequests whose requests are made knowing the
// emulator (to set up what they act on, untimed).
func benchRequestsOn(b *testing.B, on func(*emulator.Emulator) func(i int, exp string) *http.Request, ok func(*httptest.ResponseRecorder) bool) {
	h, meter, emu := benchHandler(b)
	req := on(emu)
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	b.ReportAllocs()
	i := 0
	meter.Reset()
	for b.Loop() {
		i++
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req(i, exp))
		if !ok(w) {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(meter.NsPerOp(b.N), "upstream-ns/op")
}

func bindRequest(i int, exp string) *http.Request {
	body := fmt.Sprintf(`{"PoolKey":"FC123456","PhoneNoA":"139%08d","GroupId":1234,"Expiration":"%s"}`, i, exp)
	return httptest.NewRequest("POST", bind, strings.NewReader(body))
}

func is200(w *httptest.ResponseRecorder) bool { return w.Code == 200 }

// BenchmarkHandlerBind is one bind through the whole HTTP handler.
func BenchmarkHandlerBind(b *testing.B) { benchRequests(b, bindRequest, is200) }

// BenchmarkHandlerBatch100 is a 100-item batch-bind the same way, every item
// bound.
func BenchmarkHandlerBatch100(b *testing.B) {
	benchRequests(b, func(i int, exp string) *http.Request {
		items := make([]string, 100)
		for k := range items {
			items[k] = fmt.Sprintf(`{"PhoneNoA":"13%09d","GroupId":1234,"Expiration":"%s"}`, i*100+k, exp)
		}
		body := `{"PoolKey":"FC123456","AxgBindList":[` + strings.Join(items, ",") + `]}`
		return httptest.NewRequest("POST", batch, strings.NewReader(body))
	}, func(w *httptest.ResponseRecorder) bool {
		return w.Code == 200 && !strings.Contains(w.Body.String(), "isv.")
	})
}

// BenchmarkHandlerBindWithKey is BenchmarkHandlerBind with an
// Idempotency-Key on every bind (a new key each), its records in memory:
// what a key costs a bind.
func BenchmarkHandlerBindWithKey(b *testing.B) {
	benchRequests(b, func(i int, exp string) *http.Request {
		r := bindRequest(i, exp)
		r.Header.Set("Idempotency-Key", fmt.Sprintf("order-%d", i))
		return r
	}, is200)
}

// BenchmarkHandlerUnbind is one unbind through the whole HTTP handler, of
// a binding made untimed before it (500 at a time: stopping the timer reads
// the memory statistics, which costs more than an unbind).
func BenchmarkHandlerUnbind(b *testing.B) {
	benchRequestsOn(b, func(emu *emulator.Emulator) func(int, string) *http.Request {
		c := direct(b, emu)
		var ready []core.ItemResult
		return func(i int, exp string) *http.Request {
			if len(ready) == 0 {
				b.StopTimer()
				for k := 0; k < 5; k++ {
					items := make([]*core.Item, 100)
					for j := range items {
						items[j] = &core.Item{PhoneNoA: fmt.Sprintf("139%08d", i+k*100+j), GroupId: "1234", Expiration: exp}
					}
					res, err := c.BindBatchAxg(context.Background(), emulator.DemoPoolKey, items)
					if err != nil || res[0].Code != core.CodeOK {
						b.Fatal(err, res[0])
					}
					ready = append(ready, res...)
				}
				b.StartTimer()
			}
			bd := ready[0]
			ready = ready[1:]
			body := `{"PoolKey":"FC123456","SubsId":"` + bd.SubsId + `","SecretNo":"` + bd.SecretNo + `"}`
			return httptest.NewRequest("POST", httpapi.RouteUnbind, strings.NewReader(body))
		}
	}, is200)
}

// BenchmarkHandlerUpdate is one update (updateExpire) through the whole
// HTTP handler, of one binding made before the loop.
func BenchmarkHandlerUpdate(b *testing.B) {
	benchRequestsOn(b, func(emu *emulator.Emulator) func(int, string) *http.Request {
		exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
		bd, err := direct(b, emu).BindAxg(context.Background(), emulator.DemoPoolKey, &core.Item{PhoneNoA: "13900000000", GroupId: "1234", Expiration: exp})
		if err != nil {
			b.Fatal(err)
		}
		prefix := `{"PoolKey":"FC123456","SubsId":"` + bd.SubsId + `","PhoneNoX":"` + bd.SecretNo + `","OperateType":"updateExpire","Expiration":"`
		return func(_ int, exp string) *http.Request {
			return httptest.NewRequest("POST", httpapi.RouteUpdate, strings.NewReader(prefix+exp+`"}`))
		}
	}, is200)
}
