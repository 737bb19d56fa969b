package binder

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/dypls"
	"github.com/axg-binder/binder/core/httpapi"
	"github.com/axg-binder/binder/core/validate"
)

// Deps are what a deployable may supply beyond the configuration.
type Deps struct {
	Log *slog.Logger
	// Now is the clock for validation (time.Now when nil).
	Now func() time.Time
	// Transport carries upstream calls (a tuned transport when nil).
	Transport http.RoundTripper
	// RequestID returns the platform's request ID, or "".
	RequestID func(*http.Request) string
}

// New builds the HTTP API from cfg.
func New(cfg Config, d Deps) (*httpapi.Handler, error) {
	if d.Log == nil {
		return nil, errors.New("binder: a logger is required")
	}
	if cfg.AccessKeyID == "" {
		return nil, errors.New("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are required to call the upstream")
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = dypls.DefaultEndpoint
	}
	up, err := dypls.New(dypls.Config{
		Endpoint: endpoint, Region: cfg.Region,
		AccessKeyID: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret, SecurityToken: cfg.SecurityToken,
		Timeout: cfg.UpstreamTimeout, Transport: d.Transport,
	})
	if err != nil {
		return nil, err
	}
	svc, err := core.NewService(up, core.Options{Chunk: cfg.UpstreamChunk, QPS: cfg.UpstreamQPS})
	if err != nil {
		return nil, err
	}
	tokens := cfg.APITokens
	if cfg.Auth == AuthPlatform {
		tokens = nil // the trigger authenticates callers
	}
	return httpapi.NewHandler(svc, validate.New(d.Now, cfg.MaxBatchItems), d.Log, httpapi.Config{
		Tokens:         tokens,
		RequireToken:   cfg.Auth == AuthToken,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		RequestTimeout: cfg.RequestTimeout,
		RequestID:      d.RequestID,
	}), nil
}
