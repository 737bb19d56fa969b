package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/core/redact"
	"github.com/axg-binder/binder/internal/core/request"
)

func (h *Handler) bind(w http.ResponseWriter, r *http.Request) {
	body, e := h.readBody(w, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	req, e := h.v.DecodeBind(body, "")
	note(r, slog.String("phone_a", redact.Phone(req.PhoneNoA)), pool(req.PoolKey))
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	ctx := r.Context() // the request's deadline, set by serve
	b, err := h.svc.Bind(ctx, req)
	if err != nil {
		h.writeError(w, r, core.AsError(err))
		return
	}
	h.setCode(r, core.CodeOK, "")
	h.cfg.Metrics.Add(&metrics.Bound, 1, "http")
	writeJSON(w, http.StatusOK, core.BindAnswer{Code: core.CodeOK, Message: "OK", RequestId: request.ID(r.Context()), SecretBindDTO: b})
}

func (h *Handler) batchBind(w http.ResponseWriter, r *http.Request) {
	body, e := h.readBody(w, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	req, e := h.v.DecodeBatch(body, "")
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	ctx := r.Context() // the request's deadline, set by serve
	items := h.svc.BatchBind(ctx, req)
	counts := map[core.Code]int{}
	for _, it := range items {
		counts[it.Code]++
	}
	note(r, pool(req.PoolKey), slog.Int("items", len(items)), slog.Any("item_codes", counts))
	if n := counts[core.CodeOK]; n > 0 {
		h.cfg.Metrics.Add(&metrics.Bound, float64(n), "http")
	}
	h.setCode(r, core.CodeOK, "")
	writeJSON(w, http.StatusOK, core.BatchAnswer{Code: core.CodeOK, Message: "OK", RequestId: request.ID(r.Context()),
		SecretBindList: core.SecretBindList{SecretBind: items}})
}

func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	h.setCode(r, core.CodeOK, "")
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readBody reads the body up to the limit.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *core.Error) {
	tooLarge := core.Errorf(core.CodeRequestTooLarge, "body is larger than "+strconv.FormatInt(h.cfg.MaxBodyBytes, 10)+" bytes (AXG_MAX_BODY_BYTES)")
	if r.ContentLength > h.cfg.MaxBodyBytes {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		var ne net.Error
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			// The server's read deadline (AXG_READ_TIMEOUT) cut a slow client off.
			return nil, core.Errorf(core.CodeRequestTimeout, "the body did not arrive in time (AXG_READ_TIMEOUT)")
		}
		return nil, core.Errorf(core.CodeInvalidParameters, "could not read the body")
	}
	return body, nil
}

// errorBody is the contract's error answer.
type errorBody struct {
	Code      core.Code         `json:"Code"`
	Message   string            `json:"Message"`
	RequestId string            `json:"RequestId"`
	Errors    []core.FieldError `json:"Errors,omitempty"`
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, e *core.Error) {
	h.setCode(r, e.Code, e.Message)
	writeJSON(w, Status(e), errorBody{Code: e.Code, Message: e.Message, RequestId: request.ID(r.Context()), Errors: e.Fields})
}

func (h *Handler) setCode(r *http.Request, code core.Code, msg string) {
	if lf, ok := r.Context().Value(logKey).(*logFields); ok {
		lf.code, lf.message = code, redact.Clip(redact.Text(msg), 4*maxLogged)
	}
}

// writeJSON answers v as JSON, a line. It does not escape <, > and & as
// \u003c...: an answer is JSON, not HTML, and a message that says
// "Bearer <token>" should read so.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"Code":"InternalError","Message":"could not encode the answer"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func redactText(s string) string { return redact.Text(s) }

// maxLogged is the most of a caller's own string a log line repeats: a
// 1 MB PoolKey wrote 2 MB of log.
const maxLogged = 64

func redactAny(v any) string {
	if err, ok := v.(error); ok {
		return redact.Text(err.Error())
	}
	if s, ok := v.(string); ok {
		return redact.Text(s)
	}
	return "panic"
}
