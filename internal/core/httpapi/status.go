package httpapi

import (
	"net/http"
	"strings"

	"github.com/axg-binder/binder/internal/core"
)

// statusOf is the one table of codes with a fixed HTTP status (docs/http-api.md, "Errors").
var statusOf = map[core.Code]int{
	core.CodeUnauthorized:           http.StatusUnauthorized,
	core.CodeNotFound:               http.StatusNotFound,
	core.CodeMethodNotAllowed:       http.StatusMethodNotAllowed,
	core.CodeRequestTooLarge:        http.StatusRequestEntityTooLarge,
	core.CodeRequestTimeout:         http.StatusRequestTimeout,
	core.CodeOverloaded:             http.StatusServiceUnavailable,
	core.CodeFlowLimit:              http.StatusTooManyRequests,
	core.CodeUpstreamTimeout:        http.StatusGatewayTimeout,
	core.CodeUpstreamUnavailable:    http.StatusBadGateway,
	core.CodeInternal:               http.StatusInternalServerError,
	core.CodeIdempotencyKeyReused:   http.StatusUnprocessableEntity,
	core.CodeIdempotencyKeyInFlight: http.StatusConflict,
	core.CodeIdempotencyUnavailable: http.StatusServiceUnavailable,
	core.CodeOrdersNotKept:          http.StatusNotImplemented,
	core.CodeReceiptsNotForwarded:   http.StatusNotImplemented,
	core.CodeLedgerUnavailable:      http.StatusServiceUnavailable,
}

// Status is the HTTP status for e. Codes not in the table take it from their
// origin: the binder's own refusals (validation) are 400; what the upstream
// said of the binder's account, credentials or permissions, a gateway error
// and its transient isp.* failures are 502; its other business codes, 422.
func Status(e *core.Error) int {
	if s, ok := statusOf[e.Code]; ok {
		return s
	}
	switch e.Origin {
	case core.OriginBinder:
		return http.StatusBadRequest
	case core.OriginTransport:
		return http.StatusBadGateway
	}
	if (e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK) || e.Code.AboutAccount() || strings.HasPrefix(string(e.Code), "isp.") {
		return http.StatusBadGateway
	}
	return http.StatusUnprocessableEntity
}
