package httpapi_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/validate"
)

// BenchmarkLoopbackBind is the binder as deployed: concurrent callers over
// loopback HTTP, the upstream emulator on its own port.
func BenchmarkLoopbackBind(b *testing.B) {
	up := httptest.NewServer(emulator.New(emulator.Demo(), emulator.WithQPS(0)))
	defer up.Close()
	c, err := dypls.New(dypls.Config{Endpoint: up.URL, AccessKeyID: emulator.DemoAccessKeyID, AccessKeySecret: emulator.DemoAccessKeySecret})
	if err != nil {
		b.Fatal(err)
	}
	svc, _ := core.NewService(c, core.Options{QPS: 1e9})
	h := httpapi.NewHandler(svc, validate.New(nil, 1000), slog.New(slog.NewJSONHandler(io.Discard, nil)), httpapi.Config{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	var seq atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"PoolKey":"FC123456","PhoneNoA":"13%09d","GroupId":1234,"Expiration":"%s"}`, seq.Add(1), exp)
			resp, err := client.Post(srv.URL+bind, "application/json", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatal(resp.StatusCode)
			}
		}
	})
}
