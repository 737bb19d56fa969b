package ledger

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Ledger holds the rules over a Driver: who may run an operation, what a
// repeat is told, and when an outcome is unknown.
type Ledger struct {
	d Driver
	// Grace is how long past its deadline a run may still record its
	// answer (default 5 s): a record started is kept from others until its
	// deadline and this.
	Grace time.Duration
	now   func() time.Time
}

// New returns the rules over d.
func New(d Driver) *Ledger { return &Ledger{d: d, Grace: 5 * time.Second, now: time.Now} }

// At returns these rules judged on another clock (leases lapse by it): for
// tests that would otherwise wait a lease out.
func (l *Ledger) At(now func() time.Time) *Ledger {
	c := *l
	c.now = now
	return &c
}

// Op is one operation that must happen once.
type Op struct {
	// Key is the operation's key, already scoped to its caller.
	Key         string
	Fingerprint string
	// Resend: the operation may run again once an earlier run's outcome is
	// unknown (unbind, update, query...); a bind never does.
	Resend bool
	// Deadline is when this run must have answered.
	Deadline time.Time
	// TTL is how long the answer is kept.
	TTL time.Duration
}

// Outcome is what Begin decided.
type Outcome int

const (
	// Run: this run holds the key; run the operation, then Finish.
	Run Outcome = iota + 1
	// Replay: the operation was answered; Claim.Record holds the answer.
	Replay
	// Reused: the key was used for another operation (another fingerprint).
	Reused
	// InFlight: another run holds the key until Claim.Record.Lease.
	InFlight
	// Unknown: a run started and recorded no answer within its lease, and
	// the operation is never resent: answer that its outcome is unknown,
	// and Finish with that answer (it is then what every repeat gets).
	Unknown
)

// Claim is Begin's decision, and what Finish needs.
type Claim struct {
	Outcome Outcome
	// Record is the record found (Replay, Reused, InFlight, Unknown).
	Record *Record
	// TookOver: this run (Run) follows one whose outcome is unknown; the
	// operation is idempotent, and "already done" may be the first run's.
	TookOver bool
	op       Op
	token    string
	lease    time.Time
}

// Answer is an operation's answer as the ledger keeps it.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
}

// Begin decides whether this run may run op. Its writes are bounded by
// ctx, which should carry the request's deadline; an error (ErrUnavailable,
// ErrFull) means nothing may be sent.
func (l *Ledger) Begin(ctx context.Context, op Op) (Claim, error) {
	lease := op.Deadline.Add(l.Grace)
	c := Claim{op: op, token: newToken(), lease: lease}
	rec := Record{Key: op.Key, Fingerprint: op.Fingerprint, State: Started, Token: c.token, Lease: lease,
		Expires: lease.Add(op.TTL), Resend: op.Resend}
	for attempt := 0; attempt < 3; attempt++ {
		old, err := l.d.Create(ctx, rec)
		if err != nil {
			if errors.Is(err, ErrUnavailable) {
				// The write may have been made and only its answer lost (a
				// store that stopped mid-call): nothing is sent, so the key
				// is freed. (ErrFull and an ended context wrote nothing.)
				go l.release(op.Key, c.token)
			}
			return Claim{}, err
		}
		if old == nil || old.Token == c.token { // ours: a retried write whose answer was lost
			c.Outcome = Run
			return c, nil
		}
		c.Record = old
		switch {
		case old.Fingerprint != op.Fingerprint:
			c.Outcome = Reused
		case old.State == Answered:
			c.Outcome = Replay
		case l.now().Before(old.Lease):
			c.Outcome = InFlight
		case !old.Resend:
			// The first run's outcome is unknown: it is never a second run.
			c.Outcome, c.token = Unknown, old.Token
		default:
			// An idempotent operation whose run died: this one takes over.
			err := l.d.Replace(ctx, old.Token, rec)
			if errors.Is(err, ErrLost) {
				continue // another repeat took it first: look again
			}
			if err != nil {
				return Claim{}, err
			}
			c.Outcome, c.Record, c.TookOver = Run, nil, true
		}
		return c, nil
	}
	return Claim{}, fmt.Errorf("%w: the record under the key kept changing", ErrUnavailable)
}

// Finish records the answer of a claim that ran (Run) or was found of
// unknown outcome (Unknown). Once anything may have been sent, the answer
// must be kept: a failed write is tried again until the claim's lease (the
// deadline and the grace), whatever happened to ctx's cancellation. It
// returns ErrLost when the record was taken over meanwhile.
func (l *Ledger) Finish(ctx context.Context, c Claim, a Answer) error {
	if c.Outcome != Run && c.Outcome != Unknown {
		return errors.New("ledger: Finish of a claim that did not run")
	}
	lease := c.lease // for Unknown, the repeat's own: the record's has passed
	rec := Record{Key: c.op.Key, Fingerprint: c.op.Fingerprint, State: Answered, Token: c.token,
		Lease: lease, Expires: l.now().Add(c.op.TTL), Resend: c.op.Resend,
		Status: a.Status, ContentType: a.ContentType, Body: bytes.Clone(a.Body)}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), lease)
	defer cancel()
	wait := 20 * time.Millisecond
	for {
		err := l.d.Replace(ctx, c.token, rec)
		if errors.Is(err, ErrLost) {
			err = l.recreate(ctx, rec)
		}
		if err == nil || errors.Is(err, ErrLost) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("ledger: the answer could not be recorded by the lease: %w", err)
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
}

// Abandon frees the key of a claim that ran and sent nothing (the upstream
// refused it unheard, or it could not be reached): a repeat runs it anew.
// It is not for a claim whose call may have reached the upstream.
// Like Finish it is bounded by the claim's lease, not ctx's cancellation: a
// record left behind would make the repeat an unknown outcome.
func (l *Ledger) Abandon(ctx context.Context, c Claim) error {
	if c.Outcome != Run {
		return errors.New("ledger: Abandon of a claim that did not run")
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), c.lease)
	defer cancel()
	return l.d.Delete(ctx, c.op.Key, c.token)
}

// release removes a record this run wrote but could not learn it wrote,
// trying until the grace has passed; a write that reaches the store later
// than its deadline takes no effect (Driver).
func (l *Ledger) release(key, token string) {
	ctx, cancel := context.WithTimeout(context.Background(), max(l.Grace, time.Second))
	defer cancel()
	for ctx.Err() == nil {
		if l.d.Delete(ctx, key, token) == nil {
			return
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// recreate writes an answer whose started record is gone (a store that lost
// it: a Redis restarted without persistence, a memory bound), so that a
// repeat replays it rather than sending again; ErrLost if another run's
// record is there now.
func (l *Ledger) recreate(ctx context.Context, rec Record) error {
	old, err := l.d.Create(ctx, rec)
	if err != nil || old == nil || old.Token == rec.Token {
		return err
	}
	return ErrLost
}

// First records value under key unless a value is there, and returns the
// value recorded first: a content's first name, whatever names it comes
// under after. It is kept for ttl, as an answer (a bounded store may drop
// it before).
func (l *Ledger) First(ctx context.Context, key, value string, ttl time.Duration) (string, error) {
	now := l.now()
	old, err := l.d.Create(ctx, Record{Key: key, Fingerprint: value, State: Answered, Token: newToken(), Lease: now, Expires: now.Add(ttl)})
	if err != nil || old == nil {
		return value, err
	}
	return old.Fingerprint, nil
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
