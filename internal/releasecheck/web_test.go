//go:build release

package releasecheck

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWebFunction runs the web-function build as Function Compute's custom
// runtime does: FC_CUSTOM_LISTEN_PORT set, the request ID and the role's
// credentials in x-fc-* headers.
func TestWebFunction(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("Function Compute's custom runtime build is x86_64")
	}
	up := httptest.NewServer(freshEmulator())
	defer up.Close()
	base, _ := startWeb(t, "DYPLS_ENDPOINT="+up.URL, "AXG_API_TOKENS=test-token")
	raw, _ := os.ReadFile("../function/fchttp/testdata/bind.json")
	var ev struct{ Body string }
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	payload := ev.Body
	for _, c := range []struct {
		token string
		want  int
	}{{"", 401}, {"test-token", 200}} {
		req, _ := http.NewRequest("POST", base+"/v1/axg/bind", strings.NewReader(payload))
		req.Header.Set("x-fc-request-id", "fc-web-req-1")
		for k, v := range fcCredentials {
			req.Header[k] = v
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want || resp.Header.Get("X-Request-Id") != "fc-web-req-1" {
			t.Errorf("token %q: %d, request ID %q", c.token, resp.StatusCode, resp.Header.Get("X-Request-Id"))
		}
	}
	// Its metrics, as Prometheus text behind the same token: the bind above is counted.
	for _, c := range []struct {
		token string
		want  int
	}{{"", 401}, {"test-token", 200}} {
		req, _ := http.NewRequest("GET", base+"/metrics", nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want || c.want == 200 && !strings.Contains(string(body), `axg_requests_total{route="/v1/axg/bind",status="200"} 1`) {
			t.Errorf("GET /metrics, token %q: %d\n%.400s", c.token, resp.StatusCode, body)
		}
	}
}

// startWeb runs the built web function as Function Compute's custom
// runtime does (FC_CUSTOM_LISTEN_PORT set), with env, and answers its base
// URL once it serves.
func startWeb(t *testing.T, env ...string) (string, *process) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p := start(t, hostBinary(t, "fc-web-%s/axg-binder"), append(env, "FC_CUSTOM_LISTEN_PORT="+strconv.Itoa(port))...)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return base, p
		}
		if time.Now().After(deadline) {
			t.Fatal("the web function never listened")
		}
	}
}
