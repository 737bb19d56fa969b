package fchttp

import (
	"net/http"

	"github.com/axg-binder/binder/internal/core/request"
)

// WebFunction serves h as a Function Compute web function (custom runtime):
// the platform's request ID comes in x-fc-request-id and the role's current
// credentials in x-fc-access-key-id, x-fc-access-key-secret and
// x-fc-security-token, which are taken off the request before h sees it.
func WebFunction(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := request.Credentials{AccessKeyID: r.Header.Get("x-fc-access-key-id"),
			AccessKeySecret: r.Header.Get("x-fc-access-key-secret"), SecurityToken: r.Header.Get("x-fc-security-token")}
		for _, k := range []string{"x-fc-access-key-id", "x-fc-access-key-secret", "x-fc-security-token"} {
			r.Header.Del(k)
		}
		in := request.Info{ID: r.Header.Get("x-fc-request-id"), Caller: Signer(r.Header), Credentials: c}
		h.ServeHTTP(w, r.WithContext(request.With(r.Context(), in)))
	})
}
