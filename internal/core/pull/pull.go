// Package pull reads the vendor's receipt queues (docs/orders-and-
// receipts.md): each message a receipt, recorded in the ledger (once,
// however often the vendor delivers it) and queued for forwarding before
// it is deleted — a message whose receipt could not be recorded comes back
// when the queue's visibility timeout passes, and is read again.
package pull

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/core/receipt"
	"github.com/axg-binder/binder/internal/core/redact"
)

// Queue is a receipt queue (mnsqueue.ReceiptQueue on the vendor's MNS).
type Queue interface {
	// Receive reads up to n messages, waiting up to wait for one.
	Receive(ctx context.Context, n int, wait time.Duration) ([]Message, error)
	// Delete deletes the messages of the handles.
	Delete(ctx context.Context, handles []string) error
}

// Message is a message read: its body, and the handle that deletes it.
type Message struct {
	ID, Body, Handle string
	Dequeued         int
}

// Source is one receipt type's queue.
type Source struct {
	Type  string
	Queue Queue
}

// Puller drains receipt queues into the ledger.
type Puller struct {
	Sources  []Source
	Receipts *ledger.Receipts
	// Forward, where given, takes each batch recorded before its messages
	// are deleted (the forwarder's Enqueue).
	Forward func(context.Context, []ledger.Recorded) error
	Log     *slog.Logger
	Metrics metrics.Sink
}

// batch is how many messages one receive takes (MNS's most).
const batch = 16

// Pull reads every queue until it is empty or ctx ends, and says how many
// receipts it recorded (repeats included). An error from one queue stops
// that queue, not the others; the errors are joined.
func (p *Puller) Pull(ctx context.Context) (int, error) {
	total := 0
	var errs []error
	for _, s := range p.Sources {
		for ctx.Err() == nil {
			n, more, err := p.one(ctx, s)
			total += n
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.Type, err))
				break
			}
			if !more {
				break
			}
		}
	}
	return total, errors.Join(errs...)
}

// one takes one batch of s: recorded, forwarded, deleted.
func (p *Puller) one(ctx context.Context, s Source) (int, bool, error) {
	msgs, err := s.Queue.Receive(ctx, batch, time.Second)
	if err != nil || len(msgs) == 0 {
		return 0, false, err
	}
	now := time.Now()
	var done []string
	var recorded []ledger.Recorded
	repeats, unreadable := 0, 0
	for _, m := range msgs {
		rc, err := receipt.One(body(m.Body), s.Type, now)
		if err != nil {
			// It will never read: logged, counted and deleted, so that it
			// does not come back for ever.
			unreadable++
			p.log().Warn("receipt not read", "type", s.Type, "message_id", m.ID, "error", redact.Text(err.Error()))
			done = append(done, m.Handle)
			continue
		}
		r, err := p.Receipts.Record(ctx, rc)
		if err != nil {
			return len(recorded), false, err // this and the rest come back
		}
		if r.Repeat {
			repeats++
		}
		recorded = append(recorded, r)
		done = append(done, m.Handle)
	}
	if p.Forward != nil && len(recorded) > 0 {
		if err := p.Forward(ctx, recorded); err != nil {
			return len(recorded), false, err // recorded; forwarded when read again
		}
	}
	sink := metrics.Or(p.Metrics)
	sink.Add(&metrics.Receipts, float64(len(recorded)-repeats), "pull", "recorded")
	sink.Add(&metrics.Receipts, float64(repeats), "pull", "repeat")
	sink.Add(&metrics.Receipts, float64(unreadable), "pull", "unreadable")
	if err := s.Queue.Delete(ctx, done); err != nil {
		return len(recorded), false, err // read again, and found recorded
	}
	return len(recorded), len(msgs) == batch, nil
}

// body is a message's receipt: the JSON record, or the same base64-encoded
// (as some of the vendor's SDKs send and read them).
func body(s string) []byte {
	b := bytes.TrimSpace([]byte(s))
	if len(b) > 0 && b[0] == '{' {
		return b
	}
	if d, err := base64.StdEncoding.DecodeString(string(b)); err == nil {
		return d
	}
	return b
}

func (p *Puller) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}
