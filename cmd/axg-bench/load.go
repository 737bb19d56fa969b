package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/axg-binder/binder/emulator"
)

// load runs the local server against the emulator at 0 and 20 ms latency
// with o.clients concurrent clients for o.duration each.
func load(out io.Writer, o options) error {
	bin := filepath.Join(o.dist, "local", "axg-binder")
	fmt.Fprintf(out, "## Throughput: the local server, %d clients, %s per run\n\n", o.clients, o.duration)
	fmt.Fprintf(out, "The emulator runs in the load generator's process; the server's CPU and memory are its own. "+
		"AXG_UPSTREAM_QPS is lifted to 1000000 so that the binder, not its ceiling, is measured.\n\n")
	fmt.Fprintf(out, "| upstream latency | binds/s | p50 ms | p99 ms | errors | server CPU µs/bind | server peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
		if err := loadRun(out, o, bin, "", lat); err != nil {
			return err
		}
	}
	// The floor: a bare net/http proxy (./floor) under the same load.
	floor := filepath.Join(o.dist, "bench-floor")
	build := exec.Command("go", "build", "-o", floor, "./cmd/axg-bench/floor")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the floor proxy: %w", err)
	}
	if err := loadRun(out, o, floor, "bare net/http proxy (the floor), ", 0); err != nil {
		return err
	}
	fmt.Fprintln(out)
	return nil
}

func loadRun(out io.Writer, o options, bin, label string, latency time.Duration) error {
	srv, err := emulator.Start(emulator.New(emulator.Demo(), emulator.WithQPS(0), emulator.WithLatency(latency)), "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	cmd, base, err := startLocal(bin, append(append(upstreamEnv(srv.URL), "AXG_UPSTREAM_QPS=1000000"), o.serverEnv...))
	if err != nil {
		return err
	}
	defer stop(cmd)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients * 2, MaxIdleConns: o.clients * 2}}
	var seq atomic.Int64
	var errs atomic.Int64
	post := func() (time.Duration, bool) {
		body := bindBody(fmt.Sprintf("13%09d", seq.Add(1)))
		req, _ := http.NewRequest("POST", base+"/v1/axg/bind", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		t := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(t), resp.StatusCode == 200
	}
	// Warm up connections, then measure.
	for i := 0; i < o.clients; i++ {
		post()
	}
	_, cpu0 := procStat(cmd.Process.Pid)
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	end := time.Now().Add(o.duration)
	start := time.Now()
	for c := 0; c < o.clients; c++ {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(end) {
				d, ok := post()
				if !ok {
					errs.Add(1)
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	peak, cpu1 := procStat(cmd.Process.Pid)
	n := len(lat)
	cpuPer := 0.0
	if n > 0 {
		cpuPer = float64((cpu1 - cpu0).Microseconds()) / float64(n)
	}
	fmt.Fprintf(out, "| %s%s | %.0f | %s | %s | %d | %.0f | %.1f |\n", label, latency, float64(n)/elapsed.Seconds(),
		ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)), errs.Load(), cpuPer, float64(peak)/1024)
	return nil
}
