package fchttp_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"github.com/axg-binder/binder/internal/function/fchttp"
)

// FuzzRequest: no HTTP trigger event makes the translation panic; one it
// accepts becomes a request with a method, a path and the event's body.
func FuzzRequest(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		if !strings.HasSuffix(name, ".golden.json") {
			b, _ := os.ReadFile(name)
			f.Add(b)
		}
	}
	f.Add([]byte(`{"rawPath":"%zz","isBase64Encoded":true,"body":"!!"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		var ev events.HTTPTriggerEvent
		if json.Unmarshal(payload, &ev) != nil {
			return
		}
		r, err := fchttp.Event(ev).Request(context.Background())
		if err != nil {
			return
		}
		if r.Method == "" || r.URL == nil || r.URL.Host != "" || !strings.HasPrefix(r.URL.Path, "/") {
			t.Fatalf("%s: request %s %v", payload, r.Method, r.URL)
		}
		if _, err := io.ReadAll(r.Body); err != nil {
			t.Fatal(err)
		}
	})
}
