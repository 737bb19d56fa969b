//go:build release

package releasecheck

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/testkit/payload"
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
	base, p := startWeb(t, "FC_FUNCTION_MEMORY_SIZE=256",
		"DYPLS_ENDPOINT="+up.URL, "AXG_API_TOKENS=test-token", "AXG_MAX_BODY_BYTES=2097152", "AXG_UPSTREAM_QPS=1000000",
		"ALIBABA_CLOUD_ACCESS_KEY_ID="+emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+emulator.DemoAccessKeySecret)
	body := payload.FullBatch(emulator.DemoPoolKey, time.Now())
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
