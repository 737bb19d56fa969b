package binder

import (
	"errors"
	"io"
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
	// ContextCredentials: the platform brings credentials with every call
	// (dypls.WithCredentials), so none are required at start-up.
	ContextCredentials bool
}

// New builds the HTTP API from cfg.
func New(cfg Config, d Deps) (*httpapi.Handler, error) {
	if d.Log == nil {
		return nil, errors.New("binder: a logger is required")
	}
	svc, v, err := Service(cfg, d)
	if err != nil {
		return nil, err
	}
	tokens := cfg.APITokens
	if cfg.Auth == AuthPlatform {
		tokens = nil // the trigger authenticates callers
	}
	return httpapi.NewHandler(svc, v, d.Log, httpapi.Config{
		Tokens:         tokens,
		RequireToken:   cfg.Auth == AuthToken,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		RequestTimeout: cfg.RequestTimeout,
		RequestID:      d.RequestID,
	}), nil
}

// Service builds the core from cfg: what event paths (files, messages) use.
func Service(cfg Config, d Deps) (*core.Service, *validate.Validator, error) {
	if cfg.AccessKeyID == "" && !d.ContextCredentials {
		return nil, nil, errors.New("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are required to call the upstream")
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = dypls.DefaultEndpoint
	}
	up, err := dypls.New(dypls.Config{
		Endpoint: endpoint, Region: cfg.Region,
		AccessKeyID: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret, SecurityToken: cfg.SecurityToken,
		Timeout: cfg.UpstreamTimeout, Transport: d.Transport, ContextCredentials: d.ContextCredentials,
	})
	if err != nil {
		return nil, nil, err
	}
	svc, err := core.NewService(up, core.Options{Chunk: cfg.UpstreamChunk, QPS: cfg.UpstreamQPS})
	if err != nil {
		return nil, nil, err
	}
	return svc, validate.New(d.Now, cfg.MaxBatchItems), nil
}

// FromEnv is what a deployed function's main does: tune the Go runtime, read
// the configuration (AXG_AUTH defaulting to token, failing closed), log JSON
// lines to stderr, and build the handler.
func FromEnv(getenv func(string) string, stderr io.Writer, d Deps) (*httpapi.Handler, *slog.Logger, error) {
	TuneRuntime(getenv)
	cfg, err := Load(getenv, AuthToken)
	if err != nil {
		return nil, nil, err
	}
	d.Log = slog.New(slog.NewJSONHandler(stderr, nil))
	h, err := New(cfg, d)
	return h, d.Log, err
}

// Core is what an event function's main does first: tune the Go runtime, read
// the configuration, and build the core that files and messages go through.
func Core(getenv func(string) string, d Deps) (Config, *core.Service, *validate.Validator, error) {
	TuneRuntime(getenv)
	cfg, err := Load(getenv, AuthToken)
	if err != nil {
		return cfg, nil, nil, err
	}
	svc, v, err := Service(cfg, d)
	return cfg, svc, v, err
}

// Credentials are the configured AccessKey, the fallback where a platform
// brings none per call.
func (c Config) Credentials() dypls.Credentials {
	return dypls.Credentials{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}
}
