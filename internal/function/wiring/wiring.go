package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/forward"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/core/pull"
	"github.com/axg-binder/binder/internal/core/redact"
	"github.com/axg-binder/binder/internal/core/validate"
	"github.com/axg-binder/binder/internal/function/otelsetup"
	"github.com/axg-binder/binder/internal/store/dirstore"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

// Deps are what a deployable may supply beyond the configuration.
type Deps struct {
	// Log is the logger (JSON lines to stderr when nil, in Setup).
	Log *slog.Logger
	// Now is the clock for validation (time.Now when nil).
	Now func() time.Time
	// Transport carries upstream calls (a tuned transport when nil).
	Transport http.RoundTripper
	// ContextCredentials: the platform brings credentials with every call
	// (internal/core/request), so none are required at start-up.
	ContextCredentials bool
	// Shared opens what every instance shares at AXG_REDIS_URL, the
	// ledger and the rate budget (redisstore.Shared).
	Shared func(url string, qps float64, instances int, log *slog.Logger, sink metrics.Sink) (ledger.Driver, core.Budget, error)
	// Table opens the cloud table AXG_LEDGER names ("dynamodb:TABLE" on
	// Lambda, "tablestore:INSTANCE/TABLE" on Function Compute), or is nil:
	// a deployable links only its own cloud's driver.
	Table func(spec string) (ledger.Driver, error)
	// ReceiptQueue opens one of the vendor's receipt queues (mnsqueue.New),
	// where the deployable reads them (AXG_RECEIPTS_QUEUES): the local
	// server and the receipts functions. Others link no queue client.
	ReceiptQueue func(q QueueSpec) pull.Queue
	// SQS opens an SQS queue as the receipts' destination (sqs:URL), where
	// the deployable delivers there (the Lambda receipts function); others
	// only queue the receipts for it.
	SQS func(url string) (forward.Destination, error)
	// Metrics is where the binder's metrics go (metrics.Discard when nil):
	// EMF lines on Lambda, Prometheus on the local server and FC web.
	Metrics metrics.Sink
	// MetricsHandler serves them at GET /metrics, behind the API's token
	// check (nil: no such route).
	MetricsHandler http.Handler
}

// Env is what every deployable builds on: its configuration, the core that
// HTTP requests, files and messages all go through, and the logger.
type Env struct {
	Config    Config
	Service   *core.Service
	Validator *validate.Validator
	Log       *slog.Logger
	Metrics   metrics.Sink
	// Ledger keeps what must happen once (AXG_LEDGER), and Bindings every
	// binding made or unmade in it (nil on a memory ledger, which keeps
	// none).
	Ledger   *ledger.Ledger
	Bindings *ledger.Bindings
	// Receipts records the vendor's call receipts, joined to Bindings
	// where there are any.
	Receipts *ledger.Receipts
	// OpenAPI, where set before HTTP, is served at GET /openapi.json (the
	// local server sets api.OpenAPI; deployed functions leave it out).
	OpenAPI []byte
	// Forwarder takes receipts on to AXG_RECEIPTS_TO (nil: none set), and
	// Puller reads them from the vendor's queues (nil: AXG_RECEIPTS_QUEUES
	// names none).
	Forwarder      *forward.Forwarder
	Puller         *pull.Puller
	metricsHandler http.Handler
	// tracing exports spans where OTEL_EXPORTER_OTLP_ENDPOINT says (nil:
	// none, spans are no-ops).
	tracing *otelsetup.Tracing
}

// Setup is what every deployed function's main does first: tune the Go
// runtime, read the core's configuration and the parts the deployable uses
// (AXG_AUTH defaulting to token, failing closed), and build the core, with
// JSON log lines to stderr.
func Setup(getenv func(string) string, stderr io.Writer, parts Part, d Deps) (*Env, error) {
	TuneRuntime(getenv)
	cfg, err := Load(getenv, parts, AuthToken)
	if err != nil {
		return nil, err
	}
	if err := sharedWhenScaled(cfg.Core); err != nil {
		return nil, err
	}
	if d.Log == nil {
		d.Log = cfg.Log.Logger(stderr)
	}
	tr, err := otelsetup.Start(getenv, cfg.Log.Function)
	if err != nil {
		return nil, err
	}
	e, err := Build(cfg, d)
	if err != nil {
		return nil, err
	}
	e.tracing = tr
	return e, nil
}

// Flush sends what this instance observed and has not sent yet: its
// metrics (where their sink keeps them, as EMF does) and its spans.
func (e *Env) Flush() {
	if f, ok := e.Metrics.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
	e.tracing.Flush()
}

// FlushingHandler is h sending what each request observed as it ends: for
// a web function, whose instance may be frozen between requests. It costs a
// request something only where there is something to send (OTLP set).
func (e *Env) FlushingHandler(h http.Handler) http.Handler {
	if e.tracing == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer e.Flush()
		h.ServeHTTP(w, r)
	})
}

// Shutdown stops the span exporter, sending what it holds.
func (e *Env) Shutdown() { e.tracing.Shutdown() }

// Flushing wraps an invocation handler so that what each invocation
// observed is sent as it returns, before the platform freezes the instance.
func Flushing[E, R any](e *Env, h func(context.Context, E) (R, error)) func(context.Context, E) (R, error) {
	return func(ctx context.Context, ev E) (R, error) {
		defer e.Flush()
		return h(ctx, ev)
	}
}

// Build builds the core from a configuration already read: Setup's second
// half, and the local server's, which points the configuration at its
// emulator first.
func Build(cfg Config, d Deps) (*Env, error) {
	if d.Log == nil {
		return nil, errors.New("binder: a logger is required")
	}
	c := cfg.Core
	sink := metrics.Or(d.Metrics)
	if c.AccessKeyID == "" && !d.ContextCredentials {
		return nil, errors.New("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are required to call the upstream")
	}
	up, err := dypls.New(dypls.Config{
		Endpoint: c.Endpoint, Region: c.Region, // "": the public endpoint
		AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken,
		Timeout: c.UpstreamTimeout, Transport: d.Transport, ContextCredentials: d.ContextCredentials, Metrics: sink,
	})
	if err != nil {
		return nil, err
	}
	var shared ledger.Driver
	var budget core.Budget
	if c.RedisURL != "" {
		if d.Shared == nil {
			return nil, errors.New("AXG_REDIS_URL: this deployable cannot use Redis")
		}
		// Not reached at start: a request whose key finds Redis away answers
		// 503, and the rate budget falls back to this instance's share.
		if shared, budget, err = d.Shared(c.RedisURL, c.UpstreamQPS, c.MaxInstances, d.Log, sink); err != nil {
			return nil, errors.New("AXG_REDIS_URL: want redis://[user:password@]host:port[/db] or rediss://...")
		}
	}
	drv, err := openLedger(c, shared, d.Table)
	if err != nil {
		return nil, err
	}
	l := ledger.New(drv)
	opts := core.Options{Chunk: c.UpstreamChunk, QPS: c.UpstreamQPS, Budget: budget, CallTimeout: c.UpstreamTimeout, MinCallTime: c.MinCallTime}
	var bindings *ledger.Bindings
	var svc *core.Service // for the reuse check's queries, once it is built
	// A memory ledger keeps no bindings: under load they filled it (the
	// local server went from 27 to 84 MB resident, and 93 to 132 µs of CPU
	// a bind, its collector scanning them), and each instance would see
	// only its own.
	if _, inMemory := drv.(*ledger.Memory); !inMemory {
		bindings = ledger.NewBindings(l, c.LedgerRetention)
		bindings.Failed = func(err error) {
			d.Log.Warn("ledger: a binding could not be recorded (the binding stands)", "error", redact.Text(err.Error()))
		}
		opts.Recorder, opts.Orders = bindings, bindings
		if c.ReuseOrderBindings {
			opts.Reuse = bindings.Reuse(func(ctx context.Context, r core.QueryRequest) (core.BindingDetail, error) { return svc.Query(ctx, r) })
		}
	} else if c.ReuseOrderBindings {
		return nil, errors.New("AXG_ORDER_BINDINGS=reuse: the ledger keeps no bindings (an instance's memory): set AXG_LEDGER to a folder, Redis, DynamoDB or Tablestore")
	} else {
		d.Log.Info("ledger: bindings are not recorded, as the ledger is this instance's memory: set AXG_LEDGER (or AXG_REDIS_URL) to a shared one")
	}
	if d.Metrics != nil {
		opts.OnWait = func(api string, waited time.Duration) {
			sink.Observe(&metrics.BudgetWaitSeconds, waited.Seconds(), api)
		}
	}
	svc, err = core.NewService(up, opts)
	if err != nil {
		return nil, err
	}
	env := &Env{Config: cfg, Service: svc, Validator: validate.New(d.Now, c.MaxBatchItems), Log: d.Log, Metrics: sink,
		Ledger: l, Bindings: bindings, Receipts: ledger.NewReceipts(l, c.LedgerRetention, bindings != nil), metricsHandler: d.MetricsHandler}
	if env.Forwarder, err = env.forwarder(d); err != nil {
		return nil, err
	}
	if env.Puller, err = env.puller(d); err != nil {
		return nil, err
	}
	return env, nil
}

// HTTP is the HTTP API over the core, as its part of the configuration says.
func (e *Env) HTTP() *httpapi.Handler {
	c := e.Config.HTTP
	tokens := c.APITokens
	if c.Auth == AuthPlatform {
		tokens = nil // the trigger authenticates callers
	}
	return httpapi.NewHandler(e.Service, e.Validator, e.Log, httpapi.Config{
		Tokens:             tokens,
		RequireToken:       c.Auth == AuthToken,
		MaxBodyBytes:       c.MaxBodyBytes,
		MaxInflightBytes:   c.MaxInflightBytes,
		RequestTimeout:     c.RequestTimeout,
		Ledger:             e.Ledger,
		Orders:             e.Bindings,
		IdempotencyTTL:     c.IdempotencyTTL,
		RequireIdempotency: c.RequireIdempotency,
		Metrics:            e.Metrics,
		MetricsHandler:     e.metricsHandler,
		Receipts:           e.Receipts,
		ReceiptsSecret:     c.ReceiptsSecret,
		OnReceipts:         onReceipts(e.Forwarder),
		OpenAPI:            e.OpenAPI,
		ReplayReceipts:     replay(e.Forwarder),
	})
}

// openLedger opens the ledger AXG_LEDGER names; unset, the Redis of
// AXG_REDIS_URL (shared) where there is one, else this instance's memory.
func openLedger(c CoreConfig, shared ledger.Driver, table func(string) (ledger.Driver, error)) (ledger.Driver, error) {
	switch l := c.Ledger; {
	case strings.HasPrefix(l, "dynamodb:"), strings.HasPrefix(l, "tablestore:"):
		if table == nil {
			return nil, fmt.Errorf("AXG_LEDGER: %s: this deployable links no driver for it (dynamodb: the Lambda functions; tablestore: the Function Compute ones)", l)
		}
		d, err := table(l)
		if err != nil {
			return nil, fmt.Errorf("AXG_LEDGER: %s: %w", l, err)
		}
		return d, nil
	case strings.HasPrefix(l, "dir:"):
		d, err := dirstore.Open(strings.TrimPrefix(l, "dir:"))
		if err != nil {
			return nil, fmt.Errorf("AXG_LEDGER: the folder cannot be used: %w", err)
		}
		return d, nil
	case strings.HasPrefix(l, "redis://"), strings.HasPrefix(l, "rediss://"):
		return redisstore.OpenLedger(l)
	case l == "" && shared != nil:
		return shared, nil
	}
	return ledger.NewMemory(c.LedgerMemoryBytes), nil
}

// sharedWhenScaled refuses a deployed function that may run as several
// instances with nothing shared to keep its records in: each instance
// would keep its own, and a retry landing on another one would bind again.
// Writing AXG_LEDGER=memory out accepts that; so does one instance.
func sharedWhenScaled(c CoreConfig) error {
	if c.MaxInstances <= 1 || c.Ledger != "" || c.RedisURL != "" {
		return nil
	}
	return fmt.Errorf("AXG_LEDGER: not set, and AXG_MAX_INSTANCES=%d: each instance would keep its own records, "+
		"so a retried request landing on another instance would bind again. Set AXG_LEDGER to a shared ledger "+
		"(dynamodb:TABLE, as template.yaml does; tablestore:INSTANCE/TABLE, as s.yaml does; a redis:// URL) or "+
		"AXG_REDIS_URL; or write AXG_LEDGER=memory to accept records per instance", c.MaxInstances)
}
