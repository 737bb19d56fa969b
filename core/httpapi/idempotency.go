package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/idempotency"
	"github.com/axg-binder/binder/core/metrics"
)

// keyRequired are the routes where AXG_IDEMPOTENCY=require makes the key
// mandatory: those whose resend would bind, or make a group, again.
var keyRequired = map[string]bool{RouteBind: true, RouteBatchBind: true, RouteGroupCreate: true}

// once serves a POST: with an Idempotency-Key, the first request with the
// key runs and its answer is kept; a repeat gets that answer, byte for byte,
// and sends nothing upstream (contract.md, "Idempotency keys").
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
	fp := fingerprint(r.URL.Path, body)
	scoped := callerScope(r) + ":" + key[0]
	ctx, cancel := h.deadline(r.Context())
	until, _ := ctx.Deadline()
	cancel()
	keep := context.WithoutCancel(r.Context())
	old, started, err := h.cfg.Idempotency.Begin(keep, scoped, idempotency.Record{Fingerprint: fp, Until: until})
	if err != nil {
		note(r, slog.String("idempotency_error", redactText(err.Error())))
		h.writeError(w, r, core.Errorf(core.CodeIdempotencyUnavailable, "the record of Idempotency-Key cannot be reached: nothing was sent; try again"))
		return
	}
	if !started {
		h.answerAgain(w, r, old, fp)
		return
	}
	cw := &statusWriter{ResponseWriter: w, keep: &bytes.Buffer{}}
	fn(cw, r) // a panic leaves the key running until its deadline: what it did is not known
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	rec := idempotency.Record{Fingerprint: fp, Status: cw.status, ContentType: cw.Header().Get("Content-Type"), Body: cw.keep.Bytes()}
	if err := h.cfg.Idempotency.Finish(keep, scoped, rec, h.cfg.IdempotencyTTL); err != nil {
		note(r, slog.String("idempotency_error", redactText(err.Error())))
	}
}

// answerAgain answers a repeat of a key: its recorded answer, or why not.
func (h *Handler) answerAgain(w http.ResponseWriter, r *http.Request, old *idempotency.Record, fp string) {
	switch {
	case old.Fingerprint != fp:
		h.writeError(w, r, core.Errorf(core.CodeIdempotencyKeyReused, "this Idempotency-Key was used with another request (route or body): use a new key for a new request"))
	case !old.Done:
		secs := int(math.Ceil(time.Until(old.Until).Seconds()))
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

// callerScope keeps callers' keys apart: a hash of the bearer token the
// caller presented (never the token); where the platform authenticates and
// no token comes, all callers share one scope (its caller identities are not
// read yet).
func callerScope(r *http.Request) string {
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		return "t-" + hex.EncodeToString(sum[:16])
	}
	return "platform"
}
