package fchttp_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/fc-runtime-go-sdk/events"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/function/fchttp"
	"github.com/axg-binder/binder/internal/function/platform/platformtest"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

var update = flag.Bool("update", false, "rewrite the golden answers")

var discard = slog.New(slog.NewJSONHandler(io.Discard, nil))

func load(t *testing.T, path string) ([]byte, events.HTTPTriggerEvent) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.HTTPTriggerEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return b, ev
}

// TestFixtures: each documented event shape, answered as the golden file says.
func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, ev := load(t, f)
			// The SDK's type holds every documented field: nothing is lost.
			back, _ := json.Marshal(ev)
			if !platformtest.JSONSubset(raw, back) {
				t.Fatalf("round trip changed the event:\n%s", back)
			}
			h, _ := wiringtest.Handler(t, false)
			resp, err := fchttp.Handler(h, discard)(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			platformtest.Golden(t, strings.TrimSuffix(f, ".json")+".golden.json", resp, *update)
		})
	}
}

func TestInvocationCredentials(t *testing.T) {
	h, emu := wiringtest.Handler(t, true)
	emu.AddKey(emulator.Key{ID: "STS.fc", Secret: "fc-secret", SecurityToken: "fc-token"})
	_, ev := load(t, "testdata/bind.json")
	ctx := fccontext.NewContext(context.Background(), &fccontext.FcContext{RequestID: "r1",
		Credentials: fccontext.Credentials{AccessKeyId: "STS.fc", AccessKeySecret: "fc-secret", SecurityToken: "fc-token"}})
	resp, err := fchttp.Handler(h, discard)(ctx, ev)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("with the invocation's credentials: %+v %v", resp, err)
	}
	resp, _ = fchttp.Handler(h, discard)(context.Background(), ev)
	if resp.StatusCode != 500 || !strings.Contains(resp.Body, "no AccessKey") {
		t.Fatalf("without credentials: %+v", resp)
	}
}

func TestBrokenEvents(t *testing.T) {
	h, _ := wiringtest.Handler(t, false)
	bad := "%%%"
	yes := true
	body := "not base64!"
	for name, ev := range map[string]events.HTTPTriggerEvent{
		"bad rawPath":     {RawPath: &bad},
		"bad base64 body": {Body: &body, IsBase64Encoded: &yes},
	} {
		resp, err := fchttp.Handler(h, discard)(context.Background(), ev)
		if err != nil || resp.StatusCode != 400 || !json.Valid([]byte(resp.Body)) {
			t.Errorf("%s: %+v %v", name, resp, err)
		}
	}
}

// TestPanicBecomes500: a panic in the handler answers 500 with the
// contract's JSON body; the runtime loop never sees it.
func TestPanicBecomes500(t *testing.T) {
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	_, ev := load(t, "testdata/bind.json")
	resp, err := fchttp.Handler(boom, discard)(context.Background(), ev)
	if err != nil || resp.StatusCode != 500 || !strings.Contains(resp.Body, `"Code":"InternalError"`) {
		t.Fatalf("%+v %v", resp, err)
	}
}

func TestWebFunction(t *testing.T) {
	h, emu := wiringtest.Handler(t, true)
	emu.AddKey(emulator.Key{ID: "STS.web", Secret: "web-secret", SecurityToken: "web-token"})
	raw, _ := load(t, "testdata/bind.json")
	var ev struct{ Body string }
	_ = json.Unmarshal(raw, &ev)
	r := httptest.NewRequest("POST", "/v1/axg/bind", strings.NewReader(ev.Body))
	r.Header.Set("Authorization", "Bearer "+wiringtest.Token)
	r.Header.Set("x-fc-request-id", "fc-web-1")
	r.Header.Set("x-fc-access-key-id", "STS.web")
	r.Header.Set("x-fc-access-key-secret", "web-secret")
	r.Header.Set("x-fc-security-token", "web-token")
	w := httptest.NewRecorder()
	fchttp.WebFunction(h).ServeHTTP(w, r)
	if w.Code != 200 || w.Header().Get("X-Request-Id") != "fc-web-1" {
		t.Fatalf("%d %s %v", w.Code, w.Body, w.Header())
	}
}
