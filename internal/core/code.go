package core

import "strings"

// Code is a status code as the upstream spells it ("OK", "isv.BIND_CONFLICT"), or
// one of the binder's own codes for what the upstream never says.
type Code string

// The upstream's codes that the binder acts on (the vendor's error-code page; docs/http-api.md, "Errors").
const (
	CodeOK                 Code = "OK"
	CodeRAMPermissionDeny  Code = "isp.RAM_PERMISSION_DENY"
	CodeOutOfService       Code = "isv.OUT_OF_SERVICE"
	CodeProductUnSubscript Code = "isv.PRODUCT_UN_SUBSCRIPT"
	CodeProductUnsubscribe Code = "isv.PRODUCT_UNSUBSCRIBE"
	CodeAccountNotExists   Code = "isv.ACCOUNT_NOT_EXISTS"
	CodeAccountAbnormal    Code = "isv.ACCOUNT_ABNORMAL"
	CodeSystemError        Code = "isp.SYSTEM_ERROR"
	CodeDAOException       Code = "isp.DAO_EXCEPTION"
	CodeGatewayError       Code = "isp.GATEWAY_ERROR"
	CodeVendorUnavailable  Code = "isp.VENDOR_UNAVAILABLE"
	CodeUnknownErrCode     Code = "isp.UNKNOWN_ERR_CODE"
	CodeFlowLimit          Code = "isv.FLOW_LIMIT"
	CodeInvalidParameters  Code = "isv.INVALID_PARAMETERS"
	CodeMobileIllegal      Code = "isv.MOBILE_NUMBER_ILLEGAL"
	CodeExpireDateIllegal  Code = "isv.EXPIRE_DATE_ILLEGAL"
	CodeNoAvailableNumber  Code = "isv.NO_AVAILABLE_NUMBER"
	CodeBindConflict       Code = "isv.BIND_CONFLICT"
	CodePartnerNotExist    Code = "isv.PARTNER_NOT_EXIST"  // "unknown partner, retry later"
	CodePoolKeyNotExists   Code = "isv.POOLKEY_NOT_EXISTS" // the answer to an unknown PoolKey
	CodeNoNotExist         Code = "isv.NO_NOT_EXIST"
	CodeSubsNotBelong      Code = "isv.SUBS_NOT_BELONG"
	CodeForbiddenAction    Code = "isv.FORBIDDEN_ACTION"
	CodeSignatureMismatch  Code = "SignatureDoesNotMatch"
)

// The binder's own codes (docs/http-api.md, "Errors").
const (
	CodeUnauthorized        Code = "Unauthorized"
	CodeNotFound            Code = "NotFound"
	CodeMethodNotAllowed    Code = "MethodNotAllowed"
	CodeRequestTooLarge     Code = "RequestTooLarge"
	CodeRequestTimeout      Code = "RequestTimeout"
	CodeOverloaded          Code = "Overloaded"
	CodeUpstreamTimeout     Code = "UpstreamTimeout"
	CodeUpstreamUnavailable Code = "UpstreamUnavailable"
	CodeInternal            Code = "InternalError"
	// Idempotency keys (docs/idempotency-and-ledger.md).
	CodeIdempotencyKeyReused   Code = "IdempotencyKeyReused"
	CodeIdempotencyKeyInFlight Code = "IdempotencyKeyInFlight"
	CodeIdempotencyUnavailable Code = "IdempotencyStoreUnavailable"
	// Bindings by order (docs/orders-and-receipts.md): the deployment's ledger keeps no
	// bindings (an instance's memory), or cannot be reached.
	CodeOrdersNotKept Code = "OrdersNotKept"
	// CodeReceiptsNotForwarded: the replay route, where AXG_RECEIPTS_TO is
	// not set.
	CodeReceiptsNotForwarded Code = "ReceiptsNotForwarded"
	CodeLedgerUnavailable    Code = "LedgerUnavailable"
)

// Transient reports whether the upstream, answering with c, said it did not act
// and a resend is safe: throttling and the transient isp.* codes only.
func (c Code) Transient() bool {
	switch c {
	case CodeFlowLimit, CodeSystemError, CodeDAOException, CodeGatewayError, CodeVendorUnavailable:
		return true
	}
	return c.Throttled()
}

// Throttled reports whether c says the caller went over a rate limit: the
// product's own isv.FLOW_LIMIT or the API gateway's Throttling.* codes.
func (c Code) Throttled() bool {
	return c == CodeFlowLimit || c == "Throttling" || strings.HasPrefix(string(c), "Throttling.")
}

// AboutAccount reports whether c is about the binder's own account, credentials
// or permissions rather than about the request: callers cannot fix these.
func (c Code) AboutAccount() bool {
	switch c {
	case CodeRAMPermissionDeny, CodeOutOfService, CodeProductUnSubscript, CodeProductUnsubscribe,
		CodeAccountNotExists, CodeAccountAbnormal, CodeSubsNotBelong:
		return true
	}
	return false
}
