package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/testkit/runtimeapi"
)

func bindBody(a string) string {
	exp := time.Now().Add(24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	return `{"PoolKey":"FC123456","PhoneNoA":"` + a + `","GroupId":1234,"Expiration":"` + exp + `"}`
}

func lambdaEvent(id, body string) []byte {
	b, _ := json.Marshal(map[string]any{"version": "2.0", "rawPath": "/v1/axg/bind", "rawQueryString": "",
		"headers":        map[string]string{"authorization": "Bearer " + token, "content-type": "application/json"},
		"requestContext": map[string]any{"requestId": id, "http": map[string]string{"method": "POST", "path": "/v1/axg/bind", "sourceIp": "127.0.0.1"}},
		"body":           body, "isBase64Encoded": false})
	return b
}

func fcEvent(id, body string) []byte {
	b, _ := json.Marshal(map[string]any{"version": "v1", "rawPath": "/v1/axg/bind", "body": body, "isBase64Encoded": false,
		"headers":         map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"},
		"queryParameters": map[string]string{},
		"requestContext":  map[string]any{"requestId": id, "http": map[string]string{"method": "POST", "path": "/v1/axg/bind", "sourceIp": "127.0.0.1"}}})
	return b
}

// coldStarts measures exec of each deployable to its first answered bind.
func coldStarts(out io.Writer, o options) error {
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	emu.AddKey(emulator.Key{ID: "STS.bench", Secret: "bench-secret", SecurityToken: "bench-token"})
	srv, err := emulator.Start(emu, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	arch := runtime.GOARCH
	var extra []string
	title := ""
	if o.traces {
		col := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/x-protobuf")
		}))
		defer col.Close()
		extra, title = []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + col.URL}, ", OTLP traces on"
	}
	fmt.Fprintf(out, "## Cold start: exec to the first answered bind (%d starts each%s)\n\n", o.starts, title)
	fmt.Fprintf(out, "| deployable | median ms | worst ms | peak RSS MB |\n|---|---:|---:|---:|\n")
	n := 0
	for _, d := range []struct {
		name, bin string
		once      func(bin string, i int) (time.Duration, int, error)
	}{
		{"local server", "local/axg-binder", func(bin string, i int) (time.Duration, int, error) {
			return coldLocal(bin, append(upstreamEnv(srv.URL), extra...), i)
		}},
		{"Lambda bootstrap (runtime API)", "lambda-http-" + arch + "/bootstrap", func(bin string, i int) (time.Duration, int, error) {
			return coldRuntime(bin, runtimeapi.Lambda, append(upstreamEnv(srv.URL), extra...), lambdaEvent, nil, i)
		}},
		{"FC main (runtime API)", "fc-http-" + arch + "/main", func(bin string, i int) (time.Duration, int, error) {
			creds := http.Header{"X-Fc-Access-Key-Id": {"STS.bench"}, "X-Fc-Access-Key-Secret": {"bench-secret"}, "X-Fc-Security-Token": {"bench-token"}}
			return coldRuntime(bin, runtimeapi.FC, append([]string{"DYPLS_ENDPOINT=" + srv.URL, "AXG_API_TOKENS=" + token}, extra...), fcEvent, creds, i)
		}},
	} {
		bin := filepath.Join(o.dist, d.bin)
		if _, err := os.Stat(bin); err != nil {
			fmt.Fprintf(out, "| %s | not built for %s | | |\n", d.name, arch)
			continue
		}
		var times []time.Duration
		peak := 0
		for i := 0; i < o.starts; i++ {
			n++
			t, kb, err := d.once(bin, n)
			if err != nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
			times = append(times, t)
			peak = max(peak, kb)
		}
		fmt.Fprintf(out, "| %s | %s | %s | %.1f |\n", d.name, ms(percentile(times, 0.5)), ms(percentile(times, 1)), float64(peak)/1024)
	}
	fmt.Fprintln(out)
	return nil
}

func coldLocal(bin string, env []string, i int) (time.Duration, int, error) {
	start := time.Now()
	cmd, base, err := startLocal(bin, env)
	if err != nil {
		return 0, 0, err
	}
	defer stop(cmd)
	req, _ := http.NewRequest("POST", base+"/v1/axg/bind", strings.NewReader(bindBody(fmt.Sprintf("137%08d", i))))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != 200 {
		return 0, 0, fmt.Errorf("bind answered %d", resp.StatusCode)
	}
	kb, _ := procStat(cmd.Process.Pid)
	return d, kb, nil
}

func coldRuntime(bin string, p runtimeapi.Protocol, env []string, event func(id, body string) []byte, extra http.Header, i int) (time.Duration, int, error) {
	rt := runtimeapi.Start(p)
	defer rt.Close()
	id := fmt.Sprintf("cold-%d", i)
	answer := rt.Queue(runtimeapi.Invocation{ID: id, Payload: event(id, bindBody(fmt.Sprintf("136%08d", i))), Deadline: time.Now().Add(20 * time.Second), Header: extra})
	cmd := exec.Command(bin)
	cmd.Env = append(env, rt.Env())
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer stop(cmd)
	select {
	case r := <-answer:
		if r.Kind != "response" || !strings.Contains(string(r.Body), `"statusCode":200`) {
			return 0, 0, fmt.Errorf("answered %s %s", r.Kind, r.Body)
		}
		kb, _ := procStat(cmd.Process.Pid)
		return r.At.Sub(start), kb, nil
	case <-time.After(20 * time.Second):
		return 0, 0, fmt.Errorf("no answer")
	}
}
