package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/axg-binder/binder/api"
	"github.com/axg-binder/binder/internal/core/httpapi"
)

// The OpenAPI document (api/openapi.json) is checked against every answer
// the tests receive: a route, status or answer it does not describe fails
// the test that got it.

var openapiDoc = sync.OnceValues(func() (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, err
	}
	doc.Servers = nil // any host: the tests' requests have none
	return legacy.NewRouter(doc)
})

// checkAnswer validates one answer against the document.
func checkAnswer(t *testing.T, method, path string, hdr http.Header, status int, rh http.Header, body []byte) {
	t.Helper()
	router, err := openapiDoc()
	if err != nil {
		t.Fatalf("api/openapi.json: %v", err)
	}
	req, _ := http.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusUnauthorized {
			return // a route the API has not (the token is checked first)
		}
		t.Errorf("api/openapi.json has no %s %s, answered %d", method, path, status)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{ExcludeRequestBody: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: status, Header: rh,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020()}},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s answered %d, not as api/openapi.json says: %v\n%s", method, path, status, firstLine(err.Error()), bytes.TrimSpace(body))
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

// TestOpenAPINamesEveryRoute: every route the handler serves is in the
// document, and the document has none it does not serve.
func TestOpenAPINamesEveryRoute(t *testing.T) {
	t.Parallel()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi %s, want 3.1", doc.OpenAPI)
	}
	var documented []string
	for p := range doc.Paths.Map() {
		documented = append(documented, p)
	}
	served := append(httpapi.Routes(), httpapi.RouteMetrics, httpapi.RouteOpenAPI, httpapi.RouteReceipts+"{secret}", httpapi.RouteReceipts+"{secret}/{type}")
	slices.Sort(documented)
	slices.Sort(served)
	served = slices.Compact(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("documented %v\nserved %v", documented, served)
	}
}
