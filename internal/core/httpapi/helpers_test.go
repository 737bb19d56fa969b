package httpapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/logs"
	"github.com/axg-binder/binder/internal/core/validate"
	"github.com/axg-binder/binder/internal/testkit/syncbuf"
)

var cst = time.FixedZone("CST", 8*3600)

func expIn(d time.Duration) string { return time.Now().Add(d).In(cst).Format("2006-01-02 15:04:05") }

// setup is one binder on the real SDK, against the emulator over loopback.
type setup struct {
	emu      *emulator.Emulator
	upstream *httptest.Server
	h        http.Handler
	logs     *syncbuf.Buffer
}

type options struct {
	http            httpapi.Config
	svc             core.Options
	secret          string
	upstreamTimeout time.Duration
	endpoint        string
	emu             []emulator.Option
}

func newSetup(t *testing.T, opt options) *setup {
	t.Helper()
	s := &setup{emu: emulator.New(emulator.Demo(), opt.emu...), logs: &syncbuf.Buffer{}}
	s.upstream = httptest.NewServer(s.emu)
	t.Cleanup(s.upstream.Close)
	if opt.secret == "" {
		opt.secret = emulator.DemoAccessKeySecret
	}
	if opt.upstreamTimeout == 0 {
		opt.upstreamTimeout = 2 * time.Second
	}
	if opt.endpoint == "" {
		opt.endpoint = s.upstream.URL
	}
	up, err := dypls.New(dypls.Config{Endpoint: opt.endpoint, AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: opt.secret, Timeout: opt.upstreamTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if opt.svc.MinCallTime == 0 {
		opt.svc.MinCallTime = 50 * time.Millisecond // these tests' deadlines are short
	}
	if opt.svc.BackoffBase == 0 {
		opt.svc.BackoffBase, opt.svc.BackoffMax = 5*time.Millisecond, 20*time.Millisecond
	}
	svc, err := core.NewService(up, opt.svc)
	if err != nil {
		t.Fatal(err)
	}
	if opt.http.RequestTimeout == 0 {
		opt.http.RequestTimeout = 5 * time.Second
	}
	log := logs.New(s.logs, logs.Options{Level: slog.LevelInfo, Function: "axg-test", Version: "1"})
	s.h = httpapi.NewHandler(svc, validate.New(nil, 1000), log, opt.http)
	return s
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) str(k string) string { s, _ := a.body[k].(string); return s }

func (a answer) items() []map[string]any {
	list, _ := a.body["SecretBindList"].(map[string]any)["SecretBind"].([]any)
	out := make([]map[string]any, len(list))
	for i, it := range list {
		out[i] = it.(map[string]any)
	}
	return out
}

func (s *setup) do(t *testing.T, method, path, body string, hdr ...string) answer {
	t.Helper()
	return s.doCtx(t, context.Background(), method, path, body, hdr...)
}

func (s *setup) doCtx(t *testing.T, ctx context.Context, method, path, body string, hdr ...string) answer {
	t.Helper()
	r := httptest.NewRequestWithContext(ctx, method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	a := answer{status: w.Code, header: w.Header(), raw: w.Body.String()}
	checkAnswer(t, method, path, r.Header, w.Code, w.Header(), w.Body.Bytes())
	if err := json.Unmarshal(w.Body.Bytes(), &a.body); err != nil {
		t.Fatalf("answer is not JSON: %q", w.Body.String())
	}
	if path == httpapi.RouteBatchBind && a.status == 200 {
		for i, it := range a.items() {
			if it["Code"] == "" || it["Message"] == "" {
				t.Errorf("item %d answered without a code or message: %v", i, it)
			}
		}
	}
	if w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
	}
	if id := a.str("RequestId"); a.status != 200 || strings.HasPrefix(path, "/v1/") {
		// A replay is the first answer byte for byte, its RequestId the first
		// request's; the header names this one.
		if id == "" || id != w.Header().Get("X-Request-Id") && w.Header().Get("Idempotent-Replayed") != "true" {
			t.Errorf("RequestId %q, header %q", id, w.Header().Get("X-Request-Id"))
		}
	}
	return a
}

func bindBody(a string, extra ...string) string {
	b := `{"PoolKey":"` + emulator.DemoPoolKey + `","PhoneNoA":"` + a + `","GroupId":1234,"Expiration":"` + expIn(time.Hour) + `"`
	for _, e := range extra {
		b += "," + e
	}
	return b + "}"
}

// itemJSON is an item for A; each extra member replaces a default one of
// its name (a key given twice is refused) or adds to them.
func itemJSON(a string, extra ...string) string {
	members := []string{`"PhoneNoA":"` + a + `"`, `"GroupId":"1234"`, `"Expiration":"` + expIn(time.Hour) + `"`}
	for _, e := range extra {
		name, _, _ := strings.Cut(e, ":")
		replaced := false
		for i, m := range members {
			if strings.HasPrefix(m, name+":") {
				members[i], replaced = e, true
			}
		}
		if !replaced {
			members = append(members, e)
		}
	}
	return "{" + strings.Join(members, ",") + "}"
}

func batchBody(items ...string) string {
	return `{"PoolKey":"` + emulator.DemoPoolKey + `","AxgBindList":[` + strings.Join(items, ",") + `]}`
}
