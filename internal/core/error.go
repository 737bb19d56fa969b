package core

import (
	"errors"
	"strings"
)

// Origin says who decided an Error, which decides what a caller can do about it.
type Origin uint8

const (
	// OriginBinder: the binder itself refused (validation, auth, routing).
	OriginBinder Origin = iota
	// OriginUpstream: the upstream answered with this code.
	OriginUpstream
	// OriginTransport: no usable answer came back from the upstream.
	OriginTransport
)

// Outcome says what is known of an upstream call that failed.
type Outcome uint8

const (
	// NotSent: the call never reached the upstream; nothing was bound.
	NotSent Outcome = iota
	// Answered: the upstream answered; its code says what happened.
	Answered
	// Unknown: the call was sent and no usable answer came back. It may have bound:
	// never resend it blindly.
	Unknown
)

// FieldError names one field that broke a rule.
type FieldError struct {
	Field   string `json:"Field"`
	Message string `json:"Message"`
}

// Error is every failure the binder reports: a code as a value, a message safe
// to show the caller, and what is known of the upstream call behind it.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError // validation only
	Origin  Origin
	Outcome Outcome
	// HTTPStatus is the upstream's HTTP status where it answered with one.
	HTTPStatus int
	// RequestID is the upstream's request ID, for the logs.
	RequestID string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Retryable reports whether resending is safe and may help: the call never left,
// or the upstream said it did not act (throttling, a transient isp.* code).
func (e *Error) Retryable() bool {
	switch e.Outcome {
	case NotSent:
		return e.Origin == OriginTransport
	case Answered:
		return e.Code.Transient() || e.HTTPStatus == 429
	}
	return false
}

// Invalid builds a validation error from field errors; its code is the first
// field's (fields come in the upstream's documented order).
func Invalid(code Code, fields []FieldError) *Error {
	msgs := make([]string, len(fields))
	for i, f := range fields {
		msgs[i] = f.Field + ": " + f.Message
	}
	return &Error{Code: code, Message: strings.Join(msgs, "; "), Fields: fields}
}

// Errorf is a binder-origin error with a plain message.
func Errorf(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// AsError returns err as an *Error, wrapping anything else as an internal error.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternal, Message: "internal error"}
}
