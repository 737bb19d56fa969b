package binder

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/axg-binder/binder/core/forward"
	"github.com/axg-binder/binder/core/ledger"
)

// ReceiptsConfig is where call receipts go (docs: "Call receipts").
type ReceiptsConfig struct {
	// To is AXG_RECEIPTS_TO: an https:// webhook ("" keeps receipts in
	// the ledger only).
	To string
	// SigningKey signs each webhook delivery (AXG_RECEIPTS_SIGNING_KEY).
	SigningKey string
	// Attempts before a delivery is dead (AXG_RECEIPTS_ATTEMPTS).
	Attempts int
}

func loadReceipts(getenv func(string) string, bad func(name, want, got string), errs *[]error) ReceiptsConfig {
	c := ReceiptsConfig{To: strings.TrimSpace(getenv("AXG_RECEIPTS_TO")), SigningKey: strings.TrimSpace(getenv("AXG_RECEIPTS_SIGNING_KEY")),
		Attempts: intVar(getenv, "AXG_RECEIPTS_ATTEMPTS", forward.DefaultAttempts, 1, 100, bad)}
	if c.To == "" {
		return c
	}
	switch {
	case strings.HasPrefix(c.To, "mns:"), strings.HasPrefix(c.To, "sqs:"):
		*errs = append(*errs, errors.New("AXG_RECEIPTS_TO: a queue (mns:, sqs:) is not served yet: give an https:// webhook"))
	case !webhookURL(c.To):
		bad("AXG_RECEIPTS_TO", "an https:// URL (http:// only to this machine)", c.To)
	}
	if len(c.SigningKey) < 16 {
		*errs = append(*errs, fmt.Errorf("AXG_RECEIPTS_SIGNING_KEY: want at least 16 characters to sign the deliveries to AXG_RECEIPTS_TO (got %d)", len(c.SigningKey)))
	}
	return c
}

// webhookURL reports whether s is a destination receipts may go to: HTTPS,
// or plain HTTP to this machine (the local server's receivers).
func webhookURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	h := u.Hostname()
	ip := net.ParseIP(h)
	return u.Scheme == "http" && (h == "localhost" || ip != nil && ip.IsLoopback())
}

// forwarder is the receipts' way to AXG_RECEIPTS_TO, or nil.
func (e *Env) forwarder() *forward.Forwarder {
	c := e.Config.Receipts
	if c.To == "" {
		return nil
	}
	return &forward.Forwarder{Outbox: ledger.NewOutbox(e.Ledger, e.Config.Core.LedgerRetention),
		To: &forward.Webhook{URL: c.To, Key: []byte(c.SigningKey)}, Attempts: c.Attempts, Log: e.Log}
}

// pushSweep is how long a push waits on its receipts' first deliveries
// (and any due retries) before it acknowledges: the vendor waits ~700 ms.
const pushSweep = 250 * time.Millisecond

// onReceipts enqueues a push's receipts, then tries what is due for a
// moment: where no process sweeps (a function per request), deliveries
// and their retries go out with the pushes.
func onReceipts(f *forward.Forwarder) func(context.Context, []ledger.Recorded) error {
	if f == nil {
		return nil
	}
	return func(ctx context.Context, rs []ledger.Recorded) error {
		if err := f.Enqueue(ctx, rs); err != nil {
			return err
		}
		sctx, cancel := context.WithTimeout(ctx, pushSweep)
		defer cancel()
		_, _, _ = f.Sweep(sctx) // what is not delivered now stays due
		return nil
	}
}

// replay is the replay route's action: dead deliveries due again.
func replay(f *forward.Forwarder) func(context.Context) (int, error) {
	if f == nil {
		return nil
	}
	return f.Outbox.Replay
}
