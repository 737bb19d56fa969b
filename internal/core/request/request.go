// Package request is what one request carries on its context, set once
// where it enters the binder — a platform adapter, or the HTTP handler when
// no adapter did — and read by everyone after: its ID (logs, answers), the
// caller the platform authenticated (idempotency keys), the credentials the
// invocation brings (upstream and store calls sign with them), and the
// trace it continues.
package request

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"
)

// Credentials are an AccessKey pair, with a security token for STS: a
// Function Compute invocation's role, rotated by the platform (those read
// at start-up may expire in a long-lived instance).
type Credentials struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
}

// OK reports whether c can sign.
func (c Credentials) OK() bool { return c.AccessKeyID != "" && c.AccessKeySecret != "" }

// Info is what a request carries.
type Info struct {
	// ID is the platform's request ID (the binder's own where none came).
	ID string
	// Caller is the identity the platform authenticated (an IAM principal,
	// the AccessKey ID that signed the call), or "".
	Caller string
	// Credentials are the invocation's, where the platform brings some.
	Credentials Credentials
	// Parent is the trace the platform says the request belongs to (X-Ray
	// on Lambda, Function Compute's span context): its span is a child.
	Parent trace.SpanContext
	// Cold is true for the instance's first request.
	Cold bool

	counted bool // Cold was decided
}

type key struct{}

// served counts the requests this instance began, for Cold.
var served atomic.Int64

// With returns a context carrying in. The instance's first request to be
// given one is Cold; in given again (its ID replaced) keeps what it was.
func With(ctx context.Context, in Info) context.Context {
	if !in.counted {
		in.Cold, in.counted = served.Add(1) == 1, true
	}
	return context.WithValue(ctx, key{}, &in)
}

// From is what ctx carries, and whether it carries anything.
func From(ctx context.Context) (Info, bool) {
	if in, ok := ctx.Value(key{}).(*Info); ok {
		return *in, true
	}
	return Info{}, false
}

// ID is the ID ctx carries, or "".
func ID(ctx context.Context) string {
	if in, ok := ctx.Value(key{}).(*Info); ok {
		return in.ID
	}
	return ""
}

// CredentialsOf are the credentials ctx carries, if it carries any.
func CredentialsOf(ctx context.Context) (Credentials, bool) {
	if in, ok := ctx.Value(key{}).(*Info); ok && in.Credentials.OK() {
		return in.Credentials, true
	}
	return Credentials{}, false
}
