package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/axg-binder/binder/emulator"
)

// instances runs 4 local servers that share one redis-server against the
// emulator with its ceiling enforced at 500 calls a second: together near
// the ceiling, none of their calls refused by it; again with Redis killed
// halfway; and 8 requests with one Idempotency-Key over the 4 at once.
func instances(out io.Writer, o options) error {
	bin := o.dist + "/local/axg-binder"
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		fmt.Fprintf(out, "## Many instances\n\nredis-server is not installed: not run.\n\n")
		return nil
	}
	const ceiling, n = 500, 4
	fmt.Fprintf(out, "## Many instances: %d local servers sharing one redis-server, the emulator's ceiling %d calls/s\n\n", n, ceiling)
	fmt.Fprintf(out, "AXG_UPSTREAM_QPS=%d and AXG_MAX_INSTANCES=%d on every server; 8 clients each for %s.\n\n", ceiling, n, o.duration)
	fmt.Fprintf(out, "| run | binds/s together | of the ceiling | calls refused by the ceiling | answers not 200 |\n|---|---:|---:|---:|---:|\n")
	for _, kill := range []bool{false, true} {
		if err := instancesRun(out, o, bin, redisBin, ceiling, n, kill); err != nil {
			return err
		}
	}
	fmt.Fprintln(out)
	return nil
}

func startRedis(bin string) (*exec.Cmd, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", "")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Ready to accept connections") {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return cmd, fmt.Sprintf("redis://127.0.0.1:%d/0", port), nil
		}
	}
	stop(cmd)
	return nil, "", fmt.Errorf("redis-server did not start")
}

func instancesRun(out io.Writer, o options, bin, redisBin string, ceiling, n int, kill bool) error {
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(ceiling))
	srv, err := emulator.Start(emu, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	redis, url, err := startRedis(redisBin)
	if err != nil {
		return err
	}
	defer stop(redis)
	env := append(upstreamEnv(srv.URL), "AXG_REDIS_URL="+url, "AXG_UPSTREAM_QPS="+strconv.Itoa(ceiling), "AXG_MAX_INSTANCES="+strconv.Itoa(n))
	var bases []string
	for i := 0; i < n; i++ {
		cmd, base, err := startLocal(bin, env)
		if err != nil {
			return err
		}
		defer stop(cmd)
		bases = append(bases, base)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	post := func(base, body, key string) (int, string) {
		req, _ := http.NewRequest("POST", base+"/v1/axg/bind", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, ""
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if !kill {
		// 8 requests with one key over the 4 servers at once: one binding, one answer.
		body := bindBody("13912345678")
		answers := make([]string, 8)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				for tries := 0; tries < 50; tries++ {
					status, b := post(bases[i%n], body, "bench-key-1")
					if status == http.StatusConflict { // the first still runs: come back
						time.Sleep(20 * time.Millisecond)
						continue
					}
					answers[i] = fmt.Sprint(status, " ", b)
					return
				}
			})
		}
		wg.Wait()
		same := true
		for _, a := range answers {
			same = same && a == answers[0]
		}
		fmt.Fprintf(out, "| 8 requests, one Idempotency-Key, over %d servers | bindings made: %d | answers alike: %v | | |\n",
			n, len(emu.BindingsOf("13912345678")), same)
	}
	var seq, bad atomic.Int64
	end := time.Now().Add(o.duration)
	start := time.Now()
	before := emu.Stats()
	var killed atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < n*8; i++ {
		wg.Go(func() {
			for time.Now().Before(end) {
				if kill && !killed.Load() && time.Since(start) > o.duration/2 && killed.CompareAndSwap(false, true) {
					stop(redis)
				}
				status, _ := post(bases[i%n], bindBody(fmt.Sprintf("13%09d", seq.Add(1))), "")
				if status != http.StatusOK {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	after := emu.Stats()
	calls := after.Calls["BindAxg"] - before.Calls["BindAxg"]
	label := "shared budget"
	if kill {
		label = "Redis killed halfway"
	}
	rate := float64(calls-(after.Throttled-before.Throttled)) / elapsed.Seconds()
	fmt.Fprintf(out, "| %s | %.0f | %.1f %% | %d | %d |\n", label, rate, 100*rate/float64(ceiling), after.Throttled-before.Throttled, bad.Load())
	return nil
}
