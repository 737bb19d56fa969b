package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/core/request"
)

// keyRequired are the routes where AXG_IDEMPOTENCY=require makes the key
// mandatory: those whose resend would bind, or make a group, again.
var keyRequired = map[string]bool{RouteBind: true, RouteBatchBind: true, RouteGroupCreate: true}

// resendable are the routes whose operation may run again once an earlier
// run's outcome is unknown (docs/http-api.md). group/operate
// is not: only its overwriteNumbers is idempotent, and a key runs as its
// route says.
var resendable = map[string]bool{RouteUnbind: true, RouteUpdate: true, RouteQuery: true, RouteQuerySubsId: true, RouteGroupDelete: true,
	RouteOrderGet: true, RouteOrderUnbind: true}

// once serves a POST: with an Idempotency-Key, the first request with the
// key runs and its answer is recorded in the ledger, whatever happens; a
// repeat gets that answer, byte for byte, and sends nothing upstream
// (docs/idempotency-and-ledger.md). r's context carries the request's
// deadline, which bounds every ledger call.
func (h *Handler) once(w http.ResponseWriter, r *http.Request, fn http.HandlerFunc) {
	key, given := r.Header["Idempotency-Key"]
	if !given {
		if h.cfg.RequireIdempotency && keyRequired[r.URL.Path] {
			h.writeError(w, r, core.Errorf(core.CodeInvalidParameters, "Idempotency-Key is required on "+r.URL.Path+" (AXG_IDEMPOTENCY=require): a resend without one can bind twice"))
			return
		}
		fn(w, r)
		return
	}
	if len(key) != 1 || !validKey(key[0]) {
		h.writeError(w, r, core.Errorf(core.CodeInvalidParameters, "Idempotency-Key must be one header of 1 to 255 printable ASCII characters"))
		return
	}
	body, e := h.readBody(w, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body)) // the route reads it again
	until, _ := r.Context().Deadline()
	c, err := h.cfg.Ledger.Begin(r.Context(), ledger.Op{Key: h.callerScope(r) + ":" + key[0], Fingerprint: fingerprint(r.URL.Path, body),
		Resend: resendable[r.URL.Path], Deadline: until, TTL: h.cfg.IdempotencyTTL})
	if err != nil {
		note(r, slog.String("ledger_error", redactText(err.Error())))
		msg := "the record of Idempotency-Key cannot be reached: nothing was sent; try again"
		if errors.Is(err, ledger.ErrFull) {
			msg = "this instance's ledger is full (AXG_LEDGER_MEMORY_BYTES): nothing was sent; try again later"
			w.Header().Set("Retry-After", "1")
		}
		h.writeError(w, r, core.Errorf(core.CodeIdempotencyUnavailable, msg))
		return
	}
	switch c.Outcome {
	case ledger.Run:
		if c.TookOver {
			// An idempotent route sent again after an unknown outcome:
			// "already gone" may be the first request's doing.
			r = r.WithContext(core.AfterUnknown(r.Context()))
		}
		h.runOnce(w, r, c, fn)
	case ledger.Unknown:
		// The first request recorded no answer by its deadline: what it
		// sent is unknown, and this operation is never sent again.
		h.runOnce(w, r, c, func(w http.ResponseWriter, r *http.Request) {
			h.writeError(w, r, core.Errorf(core.CodeUpstreamTimeout, "the first request with this Idempotency-Key recorded no answer by its deadline: its outcome is unknown, and it was not sent again"))
		})
	default:
		h.answerAgain(w, r, c)
	}
}

// runOnce runs fn for a claim and records what it answered. The answer is
// recorded whatever happens to the caller: the ledger tries again until
// the request's deadline and a grace.
func (h *Handler) runOnce(w http.ResponseWriter, r *http.Request, c ledger.Claim, fn http.HandlerFunc) {
	cw := &statusWriter{ResponseWriter: w, keep: &bytes.Buffer{}}
	fn(cw, r) // a panic leaves the key started: after its deadline its outcome is unknown
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	a := ledger.Answer{Status: cw.status, ContentType: cw.Header().Get("Content-Type"), Body: cw.keep.Bytes()}
	if err := h.cfg.Ledger.Finish(r.Context(), c, a); err != nil {
		note(r, slog.String("ledger_error", redactText(err.Error())))
	}
}

// answerAgain answers a repeat of a key: its recorded answer, or why not.
func (h *Handler) answerAgain(w http.ResponseWriter, r *http.Request, c ledger.Claim) {
	old := c.Record
	switch c.Outcome {
	case ledger.Reused:
		h.writeError(w, r, core.Errorf(core.CodeIdempotencyKeyReused, "this Idempotency-Key was used with another request (route or body): use a new key for a new request"))
	case ledger.InFlight:
		secs := int(math.Ceil(time.Until(old.Lease).Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
		h.writeError(w, r, core.Errorf(core.CodeIdempotencyKeyInFlight, "the first request with this Idempotency-Key is still running: ask again after it"))
	default:
		h.setCode(r, "replayed", "")
		h.cfg.Metrics.Add(&metrics.Replays, 1)
		note(r, slog.Int("replayed_status", old.Status))
		w.Header().Set("Content-Type", old.ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(old.Body)))
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(old.Status)
		_, _ = w.Write(old.Body)
	}
}

// fingerprint identifies a request by its route and body, without copying
// the body.
func fingerprint(path string, body []byte) string {
	d := sha256.New()
	_, _ = io.WriteString(d, path+"\n")
	_, _ = d.Write(body)
	return hex.EncodeToString(d.Sum(nil))
}

// validKey: 1 to 255 printable ASCII characters.
func validKey(k string) bool {
	if k == "" || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// callerScope keeps callers' keys apart: the platform's identity of the
// caller where it gives one (an IAM principal, the AccessKey that signed
// the call), else a hash of the bearer token the caller presented (never
// the token); where neither is there, every caller of the deployment shares
// one scope (docs/idempotency-and-ledger.md).
func (h *Handler) callerScope(r *http.Request) string {
	if in, _ := request.From(r.Context()); in.Caller != "" {
		sum := sha256.Sum256([]byte(in.Caller))
		return "p-" + hex.EncodeToString(sum[:16])
	}
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		return "t-" + hex.EncodeToString(sum[:16])
	}
	return "deployment"
}
