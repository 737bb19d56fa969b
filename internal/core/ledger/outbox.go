package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// Outbox keeps what must be delivered at least once (a receipt forwarded
// to the user's webhook) until it is, or until its attempts are spent:
// each delivery a record, due ones found by the minute they are due in (a
// set per minute, read from a cursor on), so that a sweep reads what is due
// and nothing else. Any instance may sweep: a delivery is taken under a
// lease before it is tried, so two sweeps try it once between them.
type Outbox struct {
	l   *Ledger
	ttl time.Duration
}

// NewOutbox keeps deliveries for ttl (DefaultRetention when 0).
func NewOutbox(l *Ledger, ttl time.Duration) *Outbox {
	if ttl <= 0 {
		ttl = DefaultRetention
	}
	return &Outbox{l: l, ttl: ttl}
}

// The states of a delivery.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"
)

// Delivery is one thing to deliver, and how its delivery goes.
type Delivery struct {
	ID        string          `json:"Id"`
	Body      json.RawMessage `json:"Body"`
	State     string          `json:"State"`
	Attempts  int             `json:"Attempts"`
	Next      time.Time       `json:"Next"`
	LastError string          `json:"LastError,omitempty"`
	Enqueued  time.Time       `json:"Enqueued"`
	Delivered time.Time       `json:"Delivered,omitzero"`
	token     string
}

func deliveryKey(id string) string { return "delivery:" + id }
func minuteKey(m int64) string     { return "outbox:" + strconv.FormatInt(m, 10) }

const (
	outboxCursor = "outbox:cursor"
	outboxDead   = "outbox:dead"
	// deliveryLease is how long a sweep holds a delivery it is trying.
	deliveryLease = 30 * time.Second
)

func minuteOf(t time.Time) int64 { return t.Unix() / 60 }

// Enqueue adds a delivery under id, due now, unless one is there (a
// receipt delivered again by the vendor is forwarded once).
func (o *Outbox) Enqueue(ctx context.Context, id string, body []byte) (bool, error) {
	now := o.l.now()
	d := Delivery{ID: id, Body: body, State: DeliveryPending, Next: now, Enqueued: now.UTC()}
	rec, err := o.record(d, newToken(), now)
	if err != nil {
		return false, err
	}
	// The cursor and the minute first: a delivery whose record is written
	// is always found (a member with no record is skipped).
	if err := o.setCursor(ctx, minuteOf(now), now, true); err != nil {
		return false, err
	}
	if err := o.due(ctx, id, now); err != nil {
		return false, err
	}
	old, err := o.l.d.Create(ctx, rec)
	if err != nil {
		return false, err
	}
	return old == nil || old.Token == rec.Token, nil
}

func (o *Outbox) due(ctx context.Context, id string, at time.Time) error {
	return o.l.d.PutBatch(ctx, nil, []Member{{Key: minuteKey(minuteOf(at)), Value: id, Expires: at.Add(o.ttl)}})
}

// record is d's record: held by a sweep for deliveryLease when d.token is
// set (Take), free otherwise. A delivery done is an answered record, which
// a bounded store may drop; a pending or dead one holds its place.
func (o *Outbox) record(d Delivery, token string, now time.Time) (Record, error) {
	body, err := json.Marshal(d)
	lease, state := now, Started
	if d.State == DeliveryPending && d.token != "" {
		lease = now.Add(deliveryLease)
	}
	if d.State == DeliveryDelivered {
		state = Answered
	}
	return Record{Key: deliveryKey(d.ID), Fingerprint: "delivery", State: state, Token: token, Lease: lease,
		Expires: d.Enqueued.Add(o.ttl), Body: body}, err
}

// Get returns the delivery under id, or nil.
func (o *Outbox) Get(ctx context.Context, id string) (*Delivery, error) {
	r, err := o.l.d.Get(ctx, deliveryKey(id))
	if err != nil || r == nil {
		return nil, err
	}
	var d Delivery
	if err := json.Unmarshal(r.Body, &d); err != nil {
		return nil, err
	}
	d.token = r.Token
	return &d, nil
}

// ErrTaken says another sweep holds the delivery.
var ErrTaken = errors.New("ledger: another sweep is trying this delivery")

// Take holds a delivery for this sweep's attempt, if it is still pending
// and due (another sweep may have tried it since Due read it), and
// refreshes d to it.
func (o *Outbox) Take(ctx context.Context, d *Delivery) error {
	now := o.l.now()
	r, err := o.l.d.Get(ctx, deliveryKey(d.ID))
	if err != nil {
		return err
	}
	if r == nil || now.Before(r.Lease) {
		return ErrTaken
	}
	// As it is now, not as the sweep read it: another may have done it.
	var mine Delivery
	if err := json.Unmarshal(r.Body, &mine); err != nil {
		return err
	}
	if mine.State != DeliveryPending || now.Before(mine.Next) {
		return ErrTaken
	}
	mine.token = newToken()
	rec, err := o.record(mine, mine.token, now)
	if err != nil {
		return err
	}
	if err := o.l.d.Replace(ctx, r.Token, rec); errors.Is(err, ErrLost) {
		return ErrTaken
	} else if err != nil {
		return err
	}
	*d = mine
	return nil
}

// Done records an attempt of a delivery this sweep took: delivered (err
// nil), or failed — tried again at retry from now, or dead once attempts
// are spent (retry 0), kept for Replay.
func (o *Outbox) Done(ctx context.Context, d *Delivery, err error, retry time.Duration) error {
	now := o.l.now()
	d.Attempts++
	switch {
	case err == nil:
		d.State, d.Delivered, d.LastError = DeliveryDelivered, now.UTC(), ""
	case retry <= 0:
		d.State, d.LastError = DeliveryDead, err.Error()
	default:
		d.Next, d.LastError = now.Add(retry), err.Error()
	}
	held := d.token
	d.token = ""
	rec, rerr := o.record(*d, held, now)
	if rerr != nil {
		return rerr
	}
	if d.State == DeliveryPending {
		if err := o.due(ctx, d.ID, d.Next); err != nil {
			return err
		}
	}
	if d.State == DeliveryDead {
		if err := o.l.d.PutBatch(ctx, nil, []Member{{Key: outboxDead, Value: d.ID, Expires: now.Add(o.ttl)}}); err != nil {
			return err
		}
	}
	return o.l.d.Replace(ctx, held, rec)
}

// sweepMinutes is the most minutes one sweep reads: a backlog (no sweep
// for hours) is worked through over several.
const sweepMinutes = 60

// Due returns the pending deliveries due by now, from the cursor's minute
// on. The cursor then moves to the earliest minute that still holds one
// (tried now, it is found again if this sweep dies before recording the
// attempt), else to the last minute read.
func (o *Outbox) Due(ctx context.Context) ([]*Delivery, error) {
	now := o.l.now()
	last := minuteOf(now)
	cur, err := o.l.d.Get(ctx, outboxCursor)
	if err != nil {
		return nil, err
	}
	from := last
	if cur != nil {
		if m, err := strconv.ParseInt(string(cur.Body), 10, 64); err == nil {
			from = max(m, last-int64(o.ttl/time.Minute))
		}
	}
	end := min(last, from+sweepMinutes)
	next := end
	seen := map[string]bool{}
	var out []*Delivery
	for m := from; m <= end; m++ {
		ids, err := o.l.d.Members(ctx, minuteKey(m))
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			d, err := o.Get(ctx, id)
			if err != nil {
				return nil, err
			}
			if d != nil && d.State == DeliveryPending && !now.Before(d.Next) {
				out = append(out, d)
				next = min(next, m)
			}
		}
	}
	if err := o.setCursor(ctx, next, now, false); err != nil {
		return nil, err
	}
	return out, nil
}

// setCursor writes the cursor; first only where there is none (the first
// delivery enqueued starts the sweeps there).
func (o *Outbox) setCursor(ctx context.Context, m int64, now time.Time, first bool) error {
	rec := Record{Key: outboxCursor, Fingerprint: "cursor", State: Answered, Token: "cursor", Expires: now.Add(o.ttl),
		Body: []byte(strconv.FormatInt(m, 10))}
	if first {
		_, err := o.l.d.Create(ctx, rec)
		return err
	}
	old, err := o.l.d.Create(ctx, rec)
	if err != nil || old == nil {
		return err
	}
	return o.l.d.Replace(ctx, old.Token, rec)
}

// Dead returns the deliveries whose attempts were spent.
func (o *Outbox) Dead(ctx context.Context) ([]*Delivery, error) {
	ids, err := o.l.d.Members(ctx, outboxDead)
	if err != nil {
		return nil, err
	}
	var out []*Delivery
	for _, id := range ids {
		d, err := o.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if d != nil && d.State == DeliveryDead {
			out = append(out, d)
		}
	}
	return out, nil
}

// Replay makes the dead deliveries pending again, due now, their attempts
// afresh; it returns how many.
func (o *Outbox) Replay(ctx context.Context) (int, error) {
	dead, err := o.Dead(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	now := o.l.now()
	for _, d := range dead {
		held := d.token
		d.State, d.Attempts, d.Next, d.token = DeliveryPending, 0, now, ""
		rec, err := o.record(*d, newToken(), now)
		if err != nil {
			return n, err
		}
		if err := o.due(ctx, d.ID, now); err != nil {
			return n, err
		}
		if err := o.l.d.Replace(ctx, held, rec); errors.Is(err, ErrLost) {
			continue // replayed by another meanwhile
		} else if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
