package dypls

import "context"

// Credentials are an AccessKey pair, with a security token for STS.
type Credentials struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
}

func (c Credentials) ok() bool { return c.AccessKeyID != "" && c.AccessKeySecret != "" }

type credKey struct{}

// WithCredentials makes the calls under ctx sign with c: the platform's
// per-invocation credentials (Function Compute rotates its role's STS
// credentials; those read at start-up may expire in a long-lived instance).
func WithCredentials(ctx context.Context, c Credentials) context.Context {
	if !c.ok() {
		return ctx
	}
	return context.WithValue(ctx, credKey{}, c)
}

// CredentialsFrom returns the credentials WithCredentials put on ctx: the
// invocation's role, for the platform's other clients (the Tablestore
// ledger) to sign with too.
func CredentialsFrom(ctx context.Context) (Credentials, bool) {
	c, ok := ctx.Value(credKey{}).(Credentials)
	return c, ok
}
