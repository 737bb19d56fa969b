package wiring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/forward"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/pull"
	"github.com/axg-binder/binder/internal/core/receipt"
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
	// Queues are the vendor's receipt queues to read, by type
	// (AXG_RECEIPTS_QUEUES: Type=QueueName,...), at MNSEndpoint with
	// tokens from DybaseEndpoint.
	Queues                      []ReceiptQueue
	MNSEndpoint, DybaseEndpoint string
}

// ReceiptQueue is one receipt type's queue.
type ReceiptQueue struct{ Type, Name string }

// DefaultDybaseEndpoint is where QueryTokenForMnsQueue is called.
const DefaultDybaseEndpoint = "https://dybaseapi.aliyuncs.com"

func loadReceipts(getenv func(string) string, bad func(name, want, got string), errs *[]error) ReceiptsConfig {
	c := ReceiptsConfig{To: strings.TrimSpace(getenv("AXG_RECEIPTS_TO")), SigningKey: strings.TrimSpace(getenv("AXG_RECEIPTS_SIGNING_KEY")),
		Attempts:       intVar(getenv, "AXG_RECEIPTS_ATTEMPTS", forward.DefaultAttempts, 1, 100, bad),
		MNSEndpoint:    orDefault(getenv("AXG_RECEIPTS_MNS_ENDPOINT"), dypls.VendorMNSEndpoint),
		DybaseEndpoint: orDefault(getenv("AXG_DYBASE_ENDPOINT"), DefaultDybaseEndpoint)}
	for _, part := range strings.Split(getenv("AXG_RECEIPTS_QUEUES"), ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		typ, name, ok := strings.Cut(part, "=")
		if !ok || !receipt.Known(strings.TrimSpace(typ)) || strings.TrimSpace(name) == "" {
			bad("AXG_RECEIPTS_QUEUES", "Type=QueueName pairs, comma-separated, each Type one of "+strings.Join(receipt.Types(), ", "), part)
			continue
		}
		c.Queues = append(c.Queues, ReceiptQueue{strings.TrimSpace(typ), strings.TrimSpace(name)})
	}
	if c.To == "" {
		return c
	}
	switch {
	case strings.HasPrefix(c.To, "mns:"):
		if err := forward.MNSQueueURL(strings.TrimPrefix(c.To, "mns:")); err != nil {
			*errs = append(*errs, fmt.Errorf("AXG_RECEIPTS_TO: %w", err))
		}
		return c // a queue: the deliveries are signed by MNS's own scheme
	case strings.HasPrefix(c.To, "sqs:"):
		if u, err := url.Parse(strings.TrimPrefix(c.To, "sqs:")); err != nil || u.Scheme != "https" || strings.Count(strings.Trim(u.Path, "/"), "/") != 1 {
			bad("AXG_RECEIPTS_TO", "sqs:https://sqs.<region>.amazonaws.com/<account>/<queue>", c.To)
		}
		return c // a queue: the role's credentials sign
	case !webhookURL(c.To):
		bad("AXG_RECEIPTS_TO", "an https:// URL (http:// only to this machine), or mns:https://<account>.mns.<region>.aliyuncs.com/queues/<name>", c.To)
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

// forwarder is the receipts' way to AXG_RECEIPTS_TO, or nil. An SQS
// destination is reached only where the deployable can (Deps.SQS: the
// Lambda receipts function); elsewhere the forwarder only queues, and
// that function delivers within a minute.
func (e *Env) forwarder(d Deps) (*forward.Forwarder, error) {
	c := e.Config.Receipts
	if c.To == "" {
		return nil, nil
	}
	f := &forward.Forwarder{Outbox: ledger.NewOutbox(e.Ledger, e.Config.Core.LedgerRetention), Attempts: c.Attempts, Log: e.Log}
	switch {
	case strings.HasPrefix(c.To, "mns:"):
		f.To = &forward.MNSQueue{URL: strings.TrimPrefix(c.To, "mns:"), Fallback: e.Config.Core.Credentials()}
	case strings.HasPrefix(c.To, "sqs:"):
		if d.SQS != nil {
			to, err := d.SQS(strings.TrimPrefix(c.To, "sqs:"))
			if err != nil {
				return nil, err
			}
			f.To = to
		}
	default:
		f.To = &forward.Webhook{URL: c.To, Key: []byte(c.SigningKey)}
	}
	return f, nil
}

// QueueSpec is what opens one receipt queue: its name and type, where it
// lives, and the client that trades for its tokens.
type QueueSpec struct {
	Name, Type, Endpoint string
	Tokens               *dypls.Client
	Timeout              time.Duration
}

// puller reads the vendor's receipt queues into the ledger (and the
// forwarder), or is nil where none are configured or the deployable reads
// none (no Deps.ReceiptQueue).
func (e *Env) puller(d Deps) (*pull.Puller, error) {
	rc, c := e.Config.Receipts, e.Config.Core
	if len(rc.Queues) == 0 || d.ReceiptQueue == nil {
		return nil, nil
	}
	tokens, err := dypls.New(dypls.Config{Endpoint: rc.DybaseEndpoint, Region: c.Region, AccessKeyID: c.AccessKeyID,
		AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken, Timeout: c.UpstreamTimeout,
		Transport: d.Transport, ContextCredentials: d.ContextCredentials})
	if err != nil {
		return nil, err
	}
	p := &pull.Puller{Receipts: e.Receipts, Log: e.Log, Metrics: e.Metrics}
	if e.Forwarder != nil {
		p.Forward = e.Forwarder.Enqueue
	}
	for _, q := range rc.Queues {
		p.Sources = append(p.Sources, pull.Source{Type: q.Type,
			Queue: d.ReceiptQueue(QueueSpec{Name: q.Name, Type: q.Type, Endpoint: rc.MNSEndpoint, Tokens: tokens, Timeout: c.UpstreamTimeout})})
	}
	return p, nil
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
		if f.To == nil {
			return nil // delivered by the receipts function
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

// Tick is what one scheduled run of the receipts function did.
type Tick struct {
	Pulled    int `json:"pulled"`
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
}

// tickMargin is left of a run's deadline to record what it did.
const tickMargin = 5 * time.Second

// ReceiptsTick is one run of the scheduled receipts function: the vendor's
// queues read (AXG_RECEIPTS_QUEUES), then the outbox swept (AXG_RECEIPTS_TO),
// within ctx's deadline less a margin. Where a platform runs no process
// between calls, this is what reads the queues and retries deliveries on
// time.
func (e *Env) ReceiptsTick(ctx context.Context) (Tick, error) {
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-min(tickMargin, time.Until(dl)/4)))
		defer cancel()
	}
	var t Tick
	var errs []error
	if e.Puller != nil {
		n, err := e.Puller.Pull(ctx)
		t.Pulled = n
		errs = append(errs, err)
	}
	if e.Forwarder != nil && e.Forwarder.To != nil {
		d, f, err := e.Forwarder.Sweep(ctx)
		t.Delivered, t.Failed = d, f
		errs = append(errs, err)
	}
	e.Log.InfoContext(ctx, "receipts", "pulled", t.Pulled, "delivered", t.Delivered, "failed", t.Failed)
	return t, errors.Join(errs...)
}
