// Package httpapi is the binder's HTTP API (docs/http-api.md): routes, the bearer
// token check, the body limit, deadlines, the code → status table, and one
// JSON log line per request. Every platform adapter serves this one handler.
package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/core/tracing"
	"github.com/axg-binder/binder/internal/core/validate"
)

// The Config's defaults, which the configuration's are (one place each).
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultRequestTimeout = 15 * time.Second
	DefaultIdempotencyTTL = 24 * time.Hour
)

// Config is the handler's part of the configuration.
type Config struct {
	// Tokens are the bearer tokens callers may present; several allow rotation.
	Tokens []string
	// RequireToken refuses every call without a valid token; with no Tokens,
	// every call is refused (fail closed).
	RequireToken bool
	// MaxBodyBytes limits a request body.
	MaxBodyBytes int64
	// MaxInflightBytes bounds the memory the request bodies in flight may
	// take, each counted bodyCost (8) times its size (0: no bound). A request
	// past it waits AdmitWait (default 1 s), then answers 503 Overloaded.
	MaxInflightBytes int64
	AdmitWait        time.Duration
	// RequestTimeout is a request's deadline, retries included, where the
	// platform gives none (the context has no deadline).
	RequestTimeout time.Duration
	// Ledger keeps the answers to requests with an Idempotency-Key (nil:
	// the instance's memory, bounded by ledger.DefaultMemoryBytes), for
	// IdempotencyTTL (default 24h). RequireIdempotency makes the key
	// mandatory where a resend would bind again (AXG_IDEMPOTENCY=require).
	Ledger             *ledger.Ledger
	IdempotencyTTL     time.Duration
	RequireIdempotency bool
	// Orders are the ledger's bindings, for the order routes (nil: the
	// ledger keeps none, and they answer 501 OrdersNotKept).
	Orders *ledger.Bindings
	// Metrics takes the requests', bindings' and replays' counts (none
	// when nil); MetricsHandler, where given, serves GET /metrics behind
	// the token check.
	Metrics        metrics.Sink
	MetricsHandler http.Handler
	// Receipts records the vendor's call receipts pushed to
	// RouteReceipts+ReceiptsSecret (AXG_RECEIPTS_SECRET); the route is
	// not there without both. OnReceipts, where given, is told of each
	// batch recorded, before it is acknowledged (to forward them: an
	// error asks the vendor for the batch again). ReplayReceipts makes the
	// deliveries whose attempts were spent due again (nil: receipts are
	// not forwarded, and the replay route answers 501).
	// OpenAPI, where given, is served at GET /openapi.json (api.OpenAPI).
	OpenAPI        []byte
	Receipts       *ledger.Receipts
	ReceiptsSecret string
	OnReceipts     func(context.Context, []ledger.Recorded) error
	ReplayReceipts func(context.Context) (int, error)
}

// Handler serves the HTTP API.
type Handler struct {
	admission *admission // nil: no bound
	svc       *core.Service
	v         *validate.Validator
	log       *slog.Logger
	cfg       Config
	routes    map[string]map[string]http.HandlerFunc
	// routeList words the routes for a caller who asked for another.
	routeList string
}

// NewHandler returns the HTTP API over svc, validating with v and logging to log.
func NewHandler(svc *core.Service, v *validate.Validator, log *slog.Logger, cfg Config) *Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.Ledger == nil {
		cfg.Ledger = ledger.New(ledger.NewMemory(0))
	}
	if cfg.IdempotencyTTL <= 0 {
		cfg.IdempotencyTTL = DefaultIdempotencyTTL
	}
	cfg.Metrics = metrics.Or(cfg.Metrics)
	if cfg.AdmitWait <= 0 {
		cfg.AdmitWait = time.Second
	}
	h := &Handler{svc: svc, v: v, log: log, cfg: cfg}
	if cfg.MaxInflightBytes > 0 {
		h.admission = newAdmission(cfg.MaxInflightBytes)
	}
	h.setRoutes(h.routeTable())
	return h
}

type ctxKey int

const logKey ctxKey = 0

// logFields collects what the request's log line says beyond the basics.
type logFields struct {
	code    core.Code
	message string
	attrs   []slog.Attr
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// The request's ID, caller and credentials are the platform adapter's
	// (internal/core/request); a request that came without an ID a platform makes
	// gets ours.
	ctx := r.Context()
	in, ok := request.From(ctx)
	if !ok || !validRequestID(in.ID) {
		in.ID = NewRequestID()
		ctx = request.With(ctx, in)
	}
	id := in.ID
	lf := &logFields{}
	ctx = context.WithValue(ctx, logKey, lf)
	ctx, trace := core.WithTrace(ctx)
	ctx, span := tracing.StartRequest(ctx, r, h.routeName(r.URL.Path))
	r = r.WithContext(ctx)
	sw := &statusWriter{ResponseWriter: w}
	sw.Header().Set("X-Request-Id", id)

	defer func() {
		defer func() { tracing.EndRequest(span, sw.status, string(lf.code)) }()
		if p := recover(); p != nil {
			h.log.LogAttrs(ctx, slog.LevelError, "panic", slog.String("panic", redactAny(p)))
			if sw.status == 0 {
				h.writeError(sw, r, core.Errorf(core.CodeInternal, "internal error"))
			}
		}
		h.logRequest(ctx, r, sw.status, lf, trace, time.Since(start))
	}()

	h.serve(sw, r)
}

// logRequest writes the request's line; its request_id and cold_start come
// from the context (internal/core/logs).
func (h *Handler) logRequest(ctx context.Context, r *http.Request, status int, lf *logFields, trace *core.Trace, d time.Duration) {
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("route", h.routeName(r.URL.Path)),
		slog.Int("status", status),
		slog.String("code", string(lf.code)),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
	}
	if lf.message != "" {
		// "message" is the line's own key (internal/core/logs): the answer's is "detail".
		attrs = append(attrs, slog.String("detail", lf.message))
	}
	attrs = append(attrs, lf.attrs...)
	if calls := trace.Calls(); len(calls) > 0 {
		attrs = append(attrs, slog.Any("upstream", calls))
	}
	if m := h.cfg.Metrics; m != metrics.Discard {
		route := h.routeName(r.URL.Path)
		m.Add(&metrics.Requests, 1, route, strconv.Itoa(status))
		m.Observe(&metrics.RequestSeconds, d.Seconds(), route)
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	h.log.LogAttrs(ctx, level, "request", attrs...)
}

// note adds attributes to the request's log line.
func note(r *http.Request, attrs ...slog.Attr) {
	if lf, ok := r.Context().Value(logKey).(*logFields); ok {
		lf.attrs = append(lf.attrs, attrs...)
	}
}

// deadline bounds a request: the platform's deadline less a margin to answer
// in, or RequestTimeout where the platform gives none. A caller hanging up
// cancels nothing: a call already sent runs to its answer, which is recorded
// for the caller's Idempotency-Key (docs/idempotency-and-ledger.md).
func (h *Handler) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	budget := h.cfg.RequestTimeout
	if dl, ok := ctx.Deadline(); ok {
		budget = time.Until(dl)
	}
	margin := min(budget/10, time.Second)
	return context.WithTimeout(context.WithoutCancel(ctx), budget-margin)
}

// statusWriter notes the status it passes on, and keeps a copy of the body
// where keep is set (an answer to keep for an idempotency key).
type statusWriter struct {
	http.ResponseWriter
	status int
	keep   *bytes.Buffer
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.keep != nil {
		w.keep.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// validRequestID reports whether a platform's request ID can be logged and
// echoed as it is: 1 to 128 letters, digits, and - _ . : / + = (FC's and
// Lambda's are UUIDs, hex or base64; a header a caller forged may be
// anything).
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':', c == '/', c == '+', c == '=':
		default:
			return false
		}
	}
	return true
}

// NewRequestID is a request ID of the binder's own (a random UUID), for an
// answer the platform gave no ID to.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
