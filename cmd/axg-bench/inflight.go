package main

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/testkit/payload"
)

// inflight sends 100 batch-binds of about 1 MiB at once to the local
// server (the FC web function's handler) at FC web's settings, 256 MB and
// AXG_MAX_INFLIGHT_BYTES at its default, against an emulator answering in
// 300 ms: what each request was answered, and the peak resident memory
// (issue 25 saw 268-275 MB before requests were admitted by bytes).
func inflight(out io.Writer, o options) error {
	bin := filepath.Join(o.dist, "local", "axg-binder")
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0), emulator.WithLatency(300*time.Millisecond))
	srv, err := emulator.Start(emu, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	cmd, base, err := startLocal(bin, append(upstreamEnv(srv.URL), "FC_FUNCTION_MEMORY_SIZE=256",
		"AXG_MAX_BODY_BYTES=2097152", "AXG_UPSTREAM_QPS=1000000", "AXG_REQUEST_TIMEOUT=60s"))
	if err != nil {
		return err
	}
	defer stop(cmd)
	body := payload.FullBatch(emulator.DemoPoolKey, time.Now())
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range 100 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", base+"/v1/axg/batch-bind", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			status := -1
			if resp, err := http.DefaultClient.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			mu.Lock()
			codes[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	peak, _ := procStat(cmd.Process.Pid)
	fmt.Fprintf(out, "## Memory under concurrency: 100 batch-binds of %.2f MB at once, FC web's 256 MB\n\n", float64(len(body))/1e6)
	fmt.Fprintf(out, "| answered 200 | 503 Overloaded | other | seconds | peak RSS MB |\n|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(out, "| %d | %d | %d | %.1f | %.1f |\n\n", codes[200], codes[503], 100-codes[200]-codes[503], time.Since(start).Seconds(), float64(peak)/1024)
	return nil
}
