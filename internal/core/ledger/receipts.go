package ledger

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/axg-binder/binder/internal/core/receipt"
)

// Receipts records call receipts once each (by their ID), and, where the
// ledger keeps bindings, joins each to its binding (shown by order/get
// under it) and settles a binding it holds as unknown.
type Receipts struct {
	l   *Ledger
	ttl time.Duration
	// joined: the ledger keeps bindings (not an instance's memory).
	joined bool
}

// NewReceipts records receipts in l, each kept for ttl; joined when the
// ledger keeps bindings.
func NewReceipts(l *Ledger, ttl time.Duration, joined bool) *Receipts {
	if ttl <= 0 {
		ttl = DefaultRetention
	}
	return &Receipts{l: l, ttl: ttl, joined: joined}
}

// Recorded is what Record made of a receipt.
type Recorded struct {
	// Receipt as first recorded (a repeat gets the first one's Received).
	Receipt receipt.Receipt
	// Repeat: recorded before; it was forwarded then, not again now.
	Repeat bool
	// Binding is the receipt's binding, where the ledger keeps it.
	Binding *Binding
	// Settled: the binding was held as unknown, and is live now.
	Settled bool
}

func receiptKey(id string) string          { return "receipt:" + id }
func receiptsKey(pool, subs string) string { return "receipts:" + pool + ":" + subs }
func unknownKey(pool string) string        { return "unknown:" + pool }

// Record records rc unless its ID was recorded before, and joins it to
// its binding whichever. An error means it may not be recorded: the
// vendor is to deliver it again.
func (r *Receipts) Record(ctx context.Context, rc receipt.Receipt) (Recorded, error) {
	body, err := json.Marshal(rc)
	if err != nil {
		return Recorded{}, err
	}
	now := r.l.now()
	rec := Record{Key: receiptKey(rc.ID), Fingerprint: "receipt", State: Answered, Token: newToken(), Lease: now,
		Expires: now.Add(r.ttl), Body: body}
	old, err := r.l.d.Create(ctx, rec)
	if err != nil {
		return Recorded{}, err
	}
	out := Recorded{Receipt: rc}
	if old != nil && old.Token != rec.Token {
		out.Repeat = true
		_ = json.Unmarshal(old.Body, &out.Receipt)
	}
	if !r.joined || rc.SubsId == "" || rc.PoolKey == "" {
		return out, nil
	}
	b, err := r.bindingOf(ctx, rc)
	if err != nil {
		return out, err
	}
	if b == nil {
		if b, err = r.settle(ctx, rc); err != nil {
			return out, err
		}
		out.Settled = b != nil
	}
	out.Binding = b
	// Joined on every delivery: a set add is idempotent, and a first
	// delivery that failed here is joined by the next.
	return out, r.l.d.PutBatch(ctx, nil, []Member{{Key: receiptsKey(rc.PoolKey, rc.SubsId), Value: rec.Key, Expires: now.Add(r.ttl)}})
}

func (r *Receipts) bindingOf(ctx context.Context, rc receipt.Receipt) (*Binding, error) {
	got, err := r.l.d.Get(ctx, bindingKey(rc.PoolKey, rc.SubsId))
	if err != nil || got == nil {
		return nil, err
	}
	var b Binding
	return &b, json.Unmarshal(got.Body, &b)
}

// settle finds the binding a receipt names among the pool's bindings of
// unknown outcome: the bind was made after all. It must match one alone,
// by the masked A number and, where the bind gave them, its OutId and the
// X it asked for; it is then recorded live under its SubsId and order,
// and the unknown record points at it.
func (r *Receipts) settle(ctx context.Context, rc receipt.Receipt) (*Binding, error) {
	keys, err := r.l.d.Members(ctx, unknownKey(rc.PoolKey))
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	recs, err := readEach[Binding](ctx, r.l.d, keys)
	if err != nil {
		return nil, err
	}
	var found *Binding
	var foundKey string
	var foundExpires time.Time
	for _, x := range recs {
		b := x.V
		if b.State != BindingUnknown || b.SettledAs != "" || b.PhoneNoA == "" || b.PhoneNoA != rc.PhoneNo ||
			(b.OutId != "" && b.OutId != rc.OutId) || (b.SecretNo != "" && b.SecretNo != rc.SecretNo) {
			continue
		}
		if found != nil {
			return nil, nil // two could be it: left unknown, never guessed
		}
		found, foundKey, foundExpires = &b, x.Key, x.Expires
	}
	if found == nil {
		return nil, nil
	}
	live := *found
	live.State, live.SubsId, live.SecretNo, live.Updated = BindingLive, rc.SubsId, rc.SecretNo, r.l.now().UTC()
	key := bindingKey(rc.PoolKey, rc.SubsId)
	settled := *found
	settled.SettledAs = key
	liveRec, err := bindingRecord(key, live, foundExpires)
	if err != nil {
		return nil, err
	}
	settledRec, err := bindingRecord(foundKey, settled, foundExpires)
	if err != nil {
		return nil, err
	}
	writes := []Record{liveRec, settledRec}
	var adds []Member
	if live.OutOrderId != "" {
		adds = append(adds, Member{Key: orderKey(rc.PoolKey, live.OutOrderId), Value: key, Expires: foundExpires})
	}
	if err := r.l.d.PutBatch(ctx, writes, adds); err != nil {
		return nil, err
	}
	return &live, nil
}

// of returns the receipts recorded for a binding, in the order the calls
// were made (as the vendor dates them), then taken in.
func (r *Receipts) of(ctx context.Context, pool, subs string) ([]receipt.Receipt, error) {
	keys, err := r.l.d.Members(ctx, receiptsKey(pool, subs))
	if err != nil {
		return nil, err
	}
	recs, err := readEach[receipt.Receipt](ctx, r.l.d, keys)
	if err != nil {
		return nil, err
	}
	out := make([]receipt.Receipt, len(recs))
	for i, x := range recs {
		out[i] = x.V
	}
	slices.SortStableFunc(out, func(x, y receipt.Receipt) int { return x.Received.Compare(y.Received) })
	return out, nil
}
