package lambdahttp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzRequest: no REST (1.0) or payload 2.0 event makes the translation
// panic; one it accepts becomes a request for a path on this host.
func FuzzRequest(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		if !strings.HasSuffix(name, ".golden.json") {
			b, _ := os.ReadFile(name)
			f.Add(b)
		}
	}
	f.Add([]byte(`{"version":"2.0","rawPath":"//evil/x","requestContext":{"http":{"method":"POST"}}}`))
	f.Add([]byte(`{"httpMethod":"POST","path":"0"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		check := func(r *http.Request, err error) {
			if err != nil {
				return
			}
			if r.URL.Host != "" || !strings.HasPrefix(r.URL.Path, "/") {
				t.Fatalf("%s: request for %v", payload, r.URL)
			}
			if _, err := io.ReadAll(r.Body); err != nil {
				t.Fatal(err)
			}
		}
		var v2 events.APIGatewayV2HTTPRequest
		if json.Unmarshal(payload, &v2) == nil {
			check(eventV2(v2).Request(context.Background()))
		}
		var v1 events.APIGatewayProxyRequest
		if json.Unmarshal(payload, &v1) == nil {
			check(eventV1(v1).Request(context.Background()))
		}
	})
}
