package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/testkit/syncbuf"
)

var curlRE = regexp.MustCompile(`(?m)^curl -s -X POST (\S+) .* -d '(.*)'$`)

// start runs the local server on a free port and waits for its curl line.
func start(t *testing.T, envs map[string]string) (stdout, stderr *syncbuf.Buffer, url, body string, stop func() error) {
	t.Helper()
	envs["PORT"] = "0"
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return envs[k] }, stdout, stderr) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := curlRE.FindStringSubmatch(stdout.String()); m != nil {
			return stdout, stderr, m[1], m[2], func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			t.Fatalf("run returned %v before serving; stdout %q", err, stdout.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("no curl line printed: %q", stdout.String())
	return
}

func TestRunPrintsACurlThatBinds(t *testing.T) {
	stdout, stderr, url, body, stop := start(t, map[string]string{})
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Code          string
		SecretBindDTO struct{ SecretNo, SubsId string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if resp.StatusCode != 200 || a.Code != "OK" || a.SecretBindDTO.SecretNo == "" {
		t.Fatalf("got %d %+v", resp.StatusCode, a)
	}
	// The line as printed, in a shell, where curl is installed.
	if _, err := exec.LookPath("curl"); err == nil {
		line := curlRE.FindString(stdout.String())
		out, err := exec.Command("sh", "-c", line).CombinedOutput()
		if err != nil || !strings.Contains(string(out), `"Code":"OK"`) {
			t.Fatalf("printed curl: %v %s", err, out)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if !strings.Contains(stdout.String(), "stopped") || !strings.Contains(stderr.String(), `"route":"/v1/axg/bind"`) {
		t.Fatalf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
}

func TestRunWithTokens(t *testing.T) {
	stdout, _, url, body, stop := start(t, map[string]string{"AXG_API_TOKENS": "local-token"})
	defer stop()
	if strings.Contains(stdout.String(), "local-token") {
		t.Fatal("the token was printed")
	}
	for tok, want := range map[string]int{"": 401, "local-token": 200} {
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("token %q: %d, want %d", tok, resp.StatusCode, want)
		}
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	err := run(context.Background(), nil, func(k string) string {
		return map[string]string{"AXG_UPSTREAM_QPS": "fast"}[k]
	}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "AXG_UPSTREAM_QPS") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunAgainstAnotherEndpointNeedsCredentials(t *testing.T) {
	err := run(context.Background(), nil, func(k string) string {
		return map[string]string{"DYPLS_ENDPOINT": "http://127.0.0.1:1"}[k]
	}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "ALIBABA_CLOUD_ACCESS_KEY_ID") {
		t.Fatalf("err = %v", err)
	}
}

// TestUsageAndBusyPort: -h and help print a usage instead of starting a
// server; a wrong argument is refused; a busy port's error names PORT; with
// tokens set, the output says how to set the AXG_TOKEN its curl uses.
func TestUsageAndBusyPort(t *testing.T) {
	none := func(string) string { return "" }
	for _, arg := range []string{"-h", "--help", "help"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"axg-binder", arg}, none, &out, &bytes.Buffer{}); err != nil || !strings.Contains(out.String(), "usage:") {
			t.Errorf("%s: %v, %q", arg, err, out.String())
		}
	}
	var ex exitError
	if err := run(context.Background(), []string{"axg-binder", "serve"}, none, &bytes.Buffer{}, &bytes.Buffer{}); !errors.As(err, &ex) || ex.code != 2 {
		t.Errorf("a wrong argument: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	err = run(context.Background(), nil, func(k string) string { return map[string]string{"PORT": port}[k] }, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "PORT "+port) {
		t.Errorf("a busy port: %v", err)
	}
	stdout, _, _, _, stop := start(t, map[string]string{"AXG_API_TOKENS": "local-token"})
	defer stop()
	if !strings.Contains(stdout.String(), "set AXG_TOKEN to one of AXG_API_TOKENS") {
		t.Errorf("nothing says how to set AXG_TOKEN: %q", stdout.String())
	}
}

// TestMetricsRoute: the local server serves its metrics as Prometheus text
// at /metrics, the bind it was asked for counted.
func TestMetricsRoute(t *testing.T) {
	_, _, url, body, stop := start(t, map[string]string{})
	defer stop()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(strings.TrimSuffix(url, "/v1/axg/bind") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `axg_upstream_calls_total{api="BindAxg",outcome="ok"} 1`) {
		t.Fatalf("/metrics: %d\n%.600s", resp.StatusCode, b)
	}
}

// TestServesItsOpenAPI: the local server serves the API's document at
// /openapi.json, without a token even where tokens are required.
func TestServesItsOpenAPI(t *testing.T) {
	_, _, url, _, stop := start(t, map[string]string{"AXG_API_TOKENS": "tok"})
	defer stop()
	res, err := http.Get(strings.TrimSuffix(url, "/v1/axg/bind") + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]any
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != 200 || doc.OpenAPI != "3.1.0" || doc.Paths["/v1/axg/bind"] == nil {
		t.Fatalf("%d %+v %v", res.StatusCode, doc.OpenAPI, err)
	}
}

// TestPullsTheReceiptQueues: with AXG_RECEIPTS_QUEUES, the local server
// reads its sandbox's receipt queues (a token, the vendor's MNS client):
// a call's SecretReport is taken off its queue and shown under the order.
func TestPullsTheReceiptQueues(t *testing.T) {
	t.Parallel()
	_, _, url, _, stop := start(t, map[string]string{"AXG_LEDGER": "dir:" + t.TempDir(),
		"AXG_RECEIPTS_QUEUES": "SecretReport=" + emulator.QueueName("SecretReport")})
	defer stop()
	base := strings.TrimSuffix(url, "/v1/axg/bind")
	post := func(path, body string) map[string]any {
		res, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return out
	}
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	bound := post("/v1/axg/bind", `{"PoolKey":"FC123456","PhoneNoA":"13800000801","GroupId":1234,"OutOrderId":"o-q","Expiration":"`+exp+`"}`)
	subs, _ := bound["SecretBindDTO"].(map[string]any)["SubsId"].(string)
	post("/_emulator/calls", `{"SubsId":"`+subs+`"}`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get(base + "/_emulator/state")
		if err != nil {
			t.Fatal(err)
		}
		var st emulator.State
		_ = json.NewDecoder(res.Body).Decode(&st)
		res.Body.Close()
		if st.Queued[emulator.QueueName("SecretReport")] == 0 && st.Queued[emulator.QueueName("SecretStartReport")] == 1 {
			break // the configured queue read, the other left alone
		}
		if time.Now().After(deadline) {
			t.Fatalf("queues after 10 s: %v", st.Queued)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := post("/v1/axg/order/get", `{"PoolKey":"FC123456","OutOrderId":"o-q"}`)
	if b, _ := json.Marshal(got); !strings.Contains(string(b), `"Type":"SecretReport"`) {
		t.Fatalf("order: %s", b)
	}
}

// TestServesTheConsole: the local server shows its sandbox's console at /,
// which links the API's document it serves beside.
func TestServesTheConsole(t *testing.T) {
	_, _, url, _, stop := start(t, map[string]string{})
	defer stop()
	res, err := http.Get(strings.TrimSuffix(url, "/v1/axg/bind") + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "Dyplsapi emulator") || !strings.Contains(string(b), `href="/openapi.json"`) {
		t.Fatalf("%d %.200s", res.StatusCode, b)
	}
}
