//go:build release

package shipped

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/core/dypls/emulator"
)

// TestWebFunctionMemoryUnderConcurrency: the built web function at FC
// web's settings (256 MB, AXG_MAX_INFLIGHT_BYTES at its default) takes 100
// batch-binds of about 1 MiB at once, the upstream answering each call in
// 300 ms: each is answered 200 or 503 Overloaded with Retry-After, the
// process lives, and its peak resident memory stays under the function's
// memory (issue 25 saw 268-275 MB before admission by bytes).
func TestWebFunctionMemoryUnderConcurrency(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("Function Compute's custom runtime build is x86_64")
	}
	up := httptest.NewServer(emulator.New(emulator.Demo(), emulator.WithQPS(0), emulator.WithLatency(300*time.Millisecond)))
	defer up.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p := start(t, hostBinary(t, "fc-web-%s/axg-binder"), "FC_CUSTOM_LISTEN_PORT="+strconv.Itoa(port), "FC_FUNCTION_MEMORY_SIZE=256",
		"DYPLS_ENDPOINT="+up.URL, "AXG_API_TOKENS=test-token", "AXG_MAX_BODY_BYTES=2097152", "AXG_UPSTREAM_QPS=1000000",
		"ALIBABA_CLOUD_ACCESS_KEY_ID="+emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+emulator.DemoAccessKeySecret)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the web function never listened")
		}
	}
	exp := time.Now().Add(24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"PhoneNoA":"1380%07d","GroupId":1234,"Expiration":"%s","OutId":"%s","OutOrderId":"%s","RingConfig":{"AXGRing_A":"%s"}}`,
			i, exp, strings.Repeat("x", 128), strings.Repeat("y", 128), strings.Repeat("1", 480))
	}
	body := `{"PoolKey":"` + emulator.DemoPoolKey + `","AxgBindList":[` + strings.Join(items, ",") + `]}`
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", base+"/v1/axg/batch-bind", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer test-token")
			status := -1
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
				if status == 503 && resp.Header.Get("Retry-After") == "" {
					status = -503 // a 503 without Retry-After
				}
			}
			mu.Lock()
			codes[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	peak := p.peakRSS()
	kb, _ := strconv.Atoi(strings.TrimSuffix(peak, " kB"))
	t.Logf("%d bytes each: %v; peak resident %s", len(body), codes, peak)
	if codes[200] == 0 || codes[200]+codes[503] != 100 {
		t.Errorf("answers %v: want each 200, or 503 with Retry-After, and some 200", codes)
	}
	if kb == 0 || kb > 256*1024 {
		t.Errorf("peak resident memory %s, over the function's 256 MB", peak)
	}
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("the function after the load: %v", err)
	} else {
		resp.Body.Close()
	}
}
