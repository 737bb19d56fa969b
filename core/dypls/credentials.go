package dypls

import (
	"context"
	"errors"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
)

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

// callCredentials is one SDK client's credentials provider, set for each call
// (an SDK client serves one call at a time).
type callCredentials struct{ c Credentials }

func (p *callCredentials) GetCredentials() (*credentials.Credentials, error) {
	if !p.c.ok() {
		return nil, errors.New("no AccessKey for the upstream: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or give the function a role")
	}
	return &credentials.Credentials{AccessKeyId: p.c.AccessKeyID, AccessKeySecret: p.c.AccessKeySecret,
		SecurityToken: p.c.SecurityToken, ProviderName: "axg-binder"}, nil
}

func (p *callCredentials) GetProviderName() string { return "axg-binder" }
