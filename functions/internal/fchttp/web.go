package fchttp

import (
	"net/http"

	"github.com/axg-binder/binder/core/dypls"
	"github.com/axg-binder/binder/functions/internal/platform"
)

// WebFunction serves h as a Function Compute web function (custom runtime):
// the platform's request ID comes in x-fc-request-id and the role's current
// credentials in x-fc-access-key-id, x-fc-access-key-secret and
// x-fc-security-token, which are taken off the request before h sees it.
func WebFunction(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := dypls.Credentials{AccessKeyID: r.Header.Get("x-fc-access-key-id"),
			AccessKeySecret: r.Header.Get("x-fc-access-key-secret"), SecurityToken: r.Header.Get("x-fc-security-token")}
		for _, k := range []string{"x-fc-access-key-id", "x-fc-access-key-secret", "x-fc-security-token"} {
			r.Header.Del(k)
		}
		ctx := platform.WithRequestID(r.Context(), r.Header.Get("x-fc-request-id"))
		ctx = platform.WithCaller(ctx, Signer(r.Header))
		h.ServeHTTP(w, r.WithContext(dypls.WithCredentials(ctx, c)))
	})
}
