package httpapi

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/core/receipt"
	"github.com/axg-binder/binder/internal/core/request"
)

// The receipt push (docs/receipts.md): the vendor posts a JSON array of
// one receipt type to a URL the user set in its console. The route's
// secret stands in for a token, which the vendor cannot send; the type
// may follow it (/v1/receipts/SECRET/SecretReport), else each record's
// type is read off its fields.

// RouteReceipts is the receipt push's prefix; the secret follows it.
const RouteReceipts = "/v1/receipts/"

// routeReceiptsName is the route as logs, metrics and spans name it: never
// with its secret.
const routeReceiptsName = RouteReceipts + "{secret}"

// receiptAck is the acknowledgement the vendor expects: HTTP 200 and a
// numeric code (it checks nothing else); the RequestId as every answer.
type receiptAck struct {
	Code      int    `json:"code"`
	Msg       string `json:"msg"`
	RequestId string `json:"RequestId"`
}

// receiptConcurrency is how many of a batch's receipts are recorded at
// once: a 100-record push is answered well inside the vendor's 700 ms on
// a ledger of a few milliseconds a write.
const receiptConcurrency = 16

// isReceipts reports whether path is the receipt push's, secret and all.
func isReceipts(path string) bool { return strings.HasPrefix(path, RouteReceipts) }

// receiptRoute splits the path into its secret and type, and says whether
// the secret is the configured one (compared in constant time).
func (h *Handler) receiptRoute(path string) (typ string, ok bool) {
	secret, typ, _ := strings.Cut(strings.TrimPrefix(path, RouteReceipts), "/")
	want := h.cfg.ReceiptsSecret
	if want == "" || h.cfg.Receipts == nil {
		return "", false
	}
	return typ, subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
}

func (h *Handler) receipts(w http.ResponseWriter, r *http.Request) {
	typ, ok := h.receiptRoute(r.URL.Path)
	if !ok {
		// As any unknown route: a wrong secret learns nothing.
		h.writeError(w, r, core.Errorf(core.CodeNotFound, "no route "+r.Method+" "+routeReceiptsName+"; routes: "+h.routeList))
		return
	}
	if typ != "" && !receipt.Known(typ) {
		h.writeError(w, r, core.Errorf(core.CodeNotFound, "no receipt type "+safePath(typ)+": want one of "+strings.Join(receipt.Types(), ", ")))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.writeError(w, r, core.Errorf(core.CodeMethodNotAllowed, r.Method+" is not allowed on "+routeReceiptsName+"; allowed: POST"))
		return
	}
	body, e := h.readBody(w, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	rcs, bad, err := receipt.Decode(body, typ, time.Now())
	if err != nil {
		h.writeError(w, r, core.Errorf(core.CodeInvalidParameters, err.Error()))
		return
	}
	for _, b := range bad {
		// Logged and counted, never the batch refused: the vendor would
		// send the same record again, and the good ones with it.
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "receipt not read", slog.String("type", orUnnamed(typ)), slog.String("error", redactText(b.Error())))
	}
	recorded, err := h.record(r.Context(), rcs)
	repeats := 0
	for _, x := range recorded {
		if x.Repeat {
			repeats++
		}
	}
	note(r, slog.String("receipt_type", orUnnamed(typ)), slog.Int("receipts", len(rcs)), slog.Int("repeats", repeats), slog.Int("unreadable", len(bad)))
	m := h.cfg.Metrics
	m.Add(&metrics.Receipts, float64(len(rcs)-repeats), "push", "recorded")
	m.Add(&metrics.Receipts, float64(repeats), "push", "repeat")
	m.Add(&metrics.Receipts, float64(len(bad)), "push", "unreadable")
	if err != nil {
		note(r, slog.String("ledger_error", redactText(err.Error())))
		h.writeError(w, r, core.Errorf(core.CodeLedgerUnavailable, "the receipts could not all be recorded: the vendor sends them again"))
		return
	}
	if h.cfg.OnReceipts != nil {
		if err := h.cfg.OnReceipts(r.Context(), recorded); err != nil {
			note(r, slog.String("ledger_error", redactText(err.Error())))
			h.writeError(w, r, core.Errorf(core.CodeLedgerUnavailable, "the receipts could not all be queued for delivery: the vendor sends them again"))
			return
		}
	}
	h.setCode(r, core.CodeOK, "")
	writeJSON(w, http.StatusOK, receiptAck{Code: 0, Msg: "成功", RequestId: request.ID(r.Context())})
}

// record records a batch's receipts, a few at once; the first error, if
// any (the receipts recorded before it stand: a repeat finds them).
func (h *Handler) record(ctx context.Context, rcs []receipt.Receipt) ([]ledger.Recorded, error) {
	out := make([]ledger.Recorded, len(rcs))
	errs := make([]error, len(rcs))
	sem := make(chan struct{}, receiptConcurrency)
	var wg sync.WaitGroup
	for i := range rcs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i], errs[i] = h.cfg.Receipts.Record(ctx, rcs[i])
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func orUnnamed(typ string) string {
	if typ == "" {
		return "inferred"
	}
	return typ
}

// ReplayAnswer answers the replay route: how many dead deliveries are due
// again.
type ReplayAnswer struct {
	core.Answer
	Replayed int `json:"Replayed"`
}

func (h *Handler) receiptsReplay(w http.ResponseWriter, r *http.Request) {
	if h.cfg.ReplayReceipts == nil {
		h.writeError(w, r, core.Errorf(core.CodeReceiptsNotForwarded, "receipts are not forwarded (AXG_RECEIPTS_TO is not set): there is nothing to replay"))
		return
	}
	n, err := h.cfg.ReplayReceipts(r.Context())
	if err != nil {
		h.writeError(w, r, core.AsError(ledgerError(err)))
		return
	}
	note(r, slog.Int("replayed", n))
	h.setCode(r, core.CodeOK, "")
	writeJSON(w, http.StatusOK, ReplayAnswer{Answer: h.ok(r), Replayed: n})
}
