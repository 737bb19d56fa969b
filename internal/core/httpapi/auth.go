package httpapi

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/axg-binder/binder/internal/core"
)

// authorize checks the bearer token. Every configured token is compared, in
// constant time, so timing tells nothing of which (or whether one) matched.
func (h *Handler) authorize(r *http.Request) *core.Error {
	if !h.cfg.RequireToken && len(h.cfg.Tokens) == 0 {
		return nil
	}
	if len(h.cfg.Tokens) == 0 {
		return core.Errorf(core.CodeUnauthorized, "no API tokens are configured (AXG_API_TOKENS): every call is refused")
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return core.Errorf(core.CodeUnauthorized, "missing bearer token: send Authorization: Bearer <token>")
	}
	match := 0
	for _, t := range h.cfg.Tokens {
		match |= subtle.ConstantTimeCompare([]byte(t), []byte(token))
	}
	if match != 1 {
		return core.Errorf(core.CodeUnauthorized, "invalid bearer token")
	}
	return nil
}
