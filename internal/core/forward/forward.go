// Package forward delivers call receipts to the user's destination
// (AXG_RECEIPTS_TO) at least once: each receipt enqueued in the ledger's
// outbox when it is recorded, tried, tried again with a growing wait, and
// after its attempts kept as dead until replayed. Every delivery of one
// receipt carries the same ID, so that a receiver drops repeats.
package forward

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/receipt"
	"github.com/axg-binder/binder/internal/core/redact"
)

// Envelope is what a destination receives for one receipt: one shape for
// every type, with the binding (and so the order) it belongs to.
type Envelope struct {
	// Id is the receipt's: the same on every delivery of it.
	Id      string          `json:"Id"`
	Type    string          `json:"Type"`
	Receipt receipt.Receipt `json:"Receipt"`
	// Binding is the receipt's binding where the ledger keeps it: its
	// OutOrderId names the order.
	Binding *ledger.Binding `json:"Binding,omitempty"`
}

// Destination takes one delivery: nil once it has it.
type Destination interface {
	Deliver(ctx context.Context, id string, body []byte, attempt int) error
}

// DefaultAttempts is AXG_RECEIPTS_ATTEMPTS's default.
const DefaultAttempts = 8

// Forwarder moves receipts from the outbox to the destination.
type Forwarder struct {
	Outbox *ledger.Outbox
	// To is where deliveries go; nil: this deployable only queues them
	// (another reaches the destination), and Sweep does nothing.
	To Destination
	// Attempts before a delivery is dead (DefaultAttempts when 0).
	Attempts int
	// Backoff is the wait after the nth failed attempt (Wait when nil).
	Backoff func(n int) time.Duration
	// AttemptTimeout bounds one attempt (10 s when 0).
	AttemptTimeout time.Duration
	Log            *slog.Logger
}

// Wait is the default backoff: a minute after the first failure, doubling
// to half an hour — eight attempts span an hour and a half, so a
// destination down for an hour loses nothing.
func Wait(n int) time.Duration {
	d := time.Minute << min(max(n-1, 0), 5)
	return min(d, 30*time.Minute)
}

// Enqueue adds the receipts of a batch to the outbox: each once, repeats
// of the vendor's included (an earlier delivery whose enqueue failed is
// enqueued now). An error means some may not be: the vendor is asked for
// the batch again.
func (f *Forwarder) Enqueue(ctx context.Context, recorded []ledger.Recorded) error {
	for _, r := range recorded {
		body, err := json.Marshal(Envelope{Id: r.Receipt.ID, Type: r.Receipt.Type, Receipt: r.Receipt, Binding: r.Binding})
		if err != nil {
			return err
		}
		if _, err := f.Outbox.Enqueue(ctx, r.Receipt.ID, body); err != nil {
			return err
		}
	}
	return nil
}

// Sweep tries each delivery due once, until ctx ends, and says how many
// were delivered and how many failed.
func (f *Forwarder) Sweep(ctx context.Context) (delivered, failed int, err error) {
	if f.To == nil {
		return 0, 0, nil
	}
	due, err := f.Outbox.Due(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, d := range due {
		if ctx.Err() != nil {
			break
		}
		if err := f.Outbox.Take(ctx, d); err != nil {
			continue // another sweep has it, or the ledger failed: found again
		}
		attemptCtx, cancel := context.WithTimeout(ctx, f.attemptTimeout())
		derr := f.To.Deliver(attemptCtx, d.ID, d.Body, d.Attempts+1)
		cancel()
		retry := time.Duration(0)
		if derr != nil && d.Attempts+1 < f.attempts() {
			retry = f.backoff(d.Attempts + 1)
		}
		if err := f.Outbox.Done(context.WithoutCancel(ctx), d, derr, retry); err != nil {
			f.log().Warn("receipts: an attempt could not be recorded (it is tried again)", "id", d.ID, "error", redact.Text(err.Error()))
		}
		if derr == nil {
			delivered++
			continue
		}
		failed++
		level, what := slog.LevelWarn, "receipt not delivered: tried again later"
		if retry == 0 {
			level, what = slog.LevelError, "receipt not delivered: attempts spent, kept as dead (replay it)"
		}
		f.log().Log(ctx, level, what, "id", d.ID, "attempt", d.Attempts, "error", redact.Text(derr.Error()))
	}
	return delivered, failed, nil
}

func (f *Forwarder) attempts() int {
	if f.Attempts > 0 {
		return f.Attempts
	}
	return DefaultAttempts
}

func (f *Forwarder) backoff(n int) time.Duration {
	if f.Backoff != nil {
		return f.Backoff(n)
	}
	return Wait(n)
}

func (f *Forwarder) attemptTimeout() time.Duration {
	if f.AttemptTimeout > 0 {
		return f.AttemptTimeout
	}
	return 10 * time.Second
}

func (f *Forwarder) log() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.New(slog.DiscardHandler)
}

// errStatus is a destination's answer that is not a success.
type errStatus struct {
	status int
	body   string
}

func (e errStatus) Error() string {
	return fmt.Sprintf("the destination answered %d %s", e.status, e.body)
}
