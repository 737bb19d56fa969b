// Package core is the AXG binder's domain: the requests and answers of the
// upstream's BindAxg and BindBatchAxg, their errors and codes, and the Service
// that validates, chunks, rate-limits, calls and retries. It imports no
// platform SDK; transports and triggers live beside it.
package core

// Item is one AXG binding as the upstream's BindAxg takes it, less PoolKey.
// Its fields are described, in the upstream's documented order, by
// ItemFields: names, how each is read and normalised, and its rule. Values
// are normalised (numbers without decorations, RingConfig as compact JSON)
// and validated by internal/core/validate before they reach the Service.
type Item struct {
	PhoneNoA           string
	GroupId            string
	PhoneNoB           string
	PhoneNoX           string
	ExpectCity         string
	Expiration         string
	IsRecordingEnabled *bool
	OutId              string
	OutOrderId         string
	CallDisplayType    *int
	RingConfig         string
	ASRStatus          *bool
	ASRModelId         string
	CallRestrict       string
}

// BindRequest is a validated BindAxg request.
type BindRequest struct {
	PoolKey string
	Item
}

// BatchItem is one element of a batch as the caller sent it: the item if it
// decoded and validated, else the error that keeps it from being sent.
type BatchItem struct {
	Item Item
	// PhoneNoA echoes the number normalised where it could be, else as given.
	PhoneNoA string
	GroupId  string
	Err      *Error
}

// BatchRequest is a decoded BindBatchAxg request; invalid items stay in place.
type BatchRequest struct {
	PoolKey string
	Items   []BatchItem
}

// Binding is what the upstream answers for a bound AXG.
type Binding struct {
	SecretNo  string `json:"SecretNo"`
	SubsId    string `json:"SubsId"`
	Extension string `json:"Extension"`
	// Reused: a live binding of the bind's order and A number answered it,
	// and nothing was sent (AXG_ORDER_BINDINGS=reuse).
	Reused bool `json:"Reused,omitempty"`
}

// ItemResult is the answer for one item of a batch, in the upstream's shape.
type ItemResult struct {
	SecretNo  string `json:"SecretNo"`
	SubsId    string `json:"SubsId"`
	Extension string `json:"Extension"`
	GroupId   string `json:"GroupId"`
	PhoneNoA  string `json:"PhoneNoA"`
	Code      Code   `json:"Code"`
	Message   string `json:"Message"`
}

// BindAnswer is BindAxg's success answer.
type BindAnswer struct {
	Code          Code    `json:"Code"`
	Message       string  `json:"Message"`
	RequestId     string  `json:"RequestId"`
	SecretBindDTO Binding `json:"SecretBindDTO"`
}

// BatchAnswer is BindBatchAxg's answer: one SecretBind per input item, in order.
type BatchAnswer struct {
	Code           Code           `json:"Code"`
	Message        string         `json:"Message"`
	RequestId      string         `json:"RequestId"`
	SecretBindList SecretBindList `json:"SecretBindList"`
}

// SecretBindList wraps the items as the upstream does.
type SecretBindList struct {
	SecretBind []ItemResult `json:"SecretBind"`
}
