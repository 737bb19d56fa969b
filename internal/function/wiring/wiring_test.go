package wiring

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core/request"
)

// TestAuthModes: the wired handler under each AXG_AUTH mode, on the real SDK
// against the in-process emulator.
func TestAuthModes(t *testing.T) {
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	body := `{"PoolKey":"FC123456","PhoneNoA":"13800000000","GroupId":1234,"Expiration":"` + exp + `"}`
	for _, c := range []struct {
		name  string
		env   map[string]string
		def   string
		token string
		want  int
	}{
		{"deployed default, no tokens: fail closed", nil, AuthToken, "", 401},
		{"deployed default, a token", map[string]string{"AXG_API_TOKENS": "t1,t2"}, AuthToken, "t2", 200},
		{"deployed default, no token sent", map[string]string{"AXG_API_TOKENS": "t1"}, AuthToken, "", 401},
		{"platform: the trigger authenticates", map[string]string{"AXG_AUTH": "platform", "AXG_API_TOKENS": "t1"}, AuthToken, "", 200},
		{"local default, no tokens", nil, AuthIfTokens, "", 200},
		{"local default, tokens set", map[string]string{"AXG_API_TOKENS": "t1"}, AuthIfTokens, "", 401},
		{"local, token mode forced, no tokens", map[string]string{"AXG_AUTH": "token"}, AuthIfTokens, "", 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emulator.DemoAccessKeySecret}
			for k, v := range c.env {
				env[k] = v
			}
			cfg, err := Load(func(k string) string { return env[k] }, HTTP, c.def)
			if err != nil {
				t.Fatal(err)
			}
			e, err := Build(cfg, Deps{Log: slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), Transport: emulator.New(emulator.Demo()).Transport()})
			if err != nil {
				t.Fatal(err)
			}
			h := e.HTTP()
			r := httptest.NewRequest("POST", "/v1/axg/bind", strings.NewReader(body))
			r = r.WithContext(request.With(r.Context(), request.Info{ID: "platform-id-1"})) // as an adapter gives it
			if c.token != "" {
				r.Header.Set("Authorization", "Bearer "+c.token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != c.want || !strings.Contains(w.Body.String(), `"RequestId":"platform-id-1"`) {
				t.Fatalf("got %d %s, want %d with the platform's request ID", w.Code, w.Body, c.want)
			}
		})
	}
}

func TestBuildRefusesMissingPieces(t *testing.T) {
	if _, err := Build(Config{}, Deps{}); err == nil {
		t.Error("no logger accepted")
	}
	if _, err := Build(Config{}, Deps{Log: slog.Default()}); err == nil || !strings.Contains(err.Error(), "ALIBABA_CLOUD_ACCESS_KEY_ID") {
		t.Errorf("no credentials: %v", err)
	}
}
