package ledger

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/receipt"
	"github.com/axg-binder/binder/internal/core/redact"
	"github.com/axg-binder/binder/internal/core/validate"
)

// DefaultRetention is how long a binding's record outlives its Expiration
// (AXG_LEDGER_RETENTION): late receipts still find it.
const DefaultRetention = 7 * 24 * time.Hour

// The states of a binding (docs/orders-and-receipts.md). Expired is
// not written: a live binding past its Expiration reads as expired.
const (
	BindingLive    = "live"
	BindingExpired = "expired"
	BindingUnbound = "unbound"
	BindingUnknown = "unknown"
)

// Binding is a binding as the ledger keeps it: SubsId and X as they are,
// the numbers of A and B masked as the vendor's console shows them, never
// in clear.
type Binding struct {
	PoolKey    string `json:"PoolKey"`
	SubsId     string `json:"SubsId,omitempty"`
	SecretNo   string `json:"SecretNo,omitempty"`
	PhoneNoA   string `json:"PhoneNoA,omitempty"`
	PhoneNoB   string `json:"PhoneNoB,omitempty"`
	GroupId    string `json:"GroupId,omitempty"`
	OutId      string `json:"OutId,omitempty"`
	OutOrderId string `json:"OutOrderId,omitempty"`
	Expiration string `json:"Expiration,omitempty"`
	State      string `json:"State"`
	// Made is when the bind answered (zero for a binding the ledger first
	// saw unbound); Updated when the record was changed since (unbound).
	Made    time.Time `json:"Made,omitzero"`
	Updated time.Time `json:"Updated,omitzero"`
	// SettledAs names, in a binding of unknown outcome that a receipt
	// showed made, the record it is kept under now.
	SettledAs string `json:"SettledAs,omitempty"`
	// Receipts are the receipts of its calls (order/get), oldest first.
	Receipts []receipt.Receipt `json:"Receipts,omitempty"`
}

// Bindings records every binding the Service makes, unmakes or loses track
// of, under its SubsId and under its order (PoolKey and OutOrderId).
type Bindings struct {
	l         *Ledger
	retention time.Duration
	// receipts are read with an order's bindings.
	receipts *Receipts
	// Failed, where given, is told of a record that could not be written
	// (the binding stands; its record is missing).
	Failed func(error)
}

var _ core.Recorder = (*Bindings)(nil)

// NewBindings records bindings in l, each kept until its Expiration and
// retention (DefaultRetention when 0).
func NewBindings(l *Ledger, retention time.Duration) *Bindings {
	if retention <= 0 {
		retention = DefaultRetention
	}
	return &Bindings{l: l, retention: retention, receipts: NewReceipts(l, retention, true)}
}

func bindingKey(pool, subs string) string { return "binding:" + pool + ":" + subs }
func orderKey(pool, order string) string  { return "order:" + pool + ":" + order }

// expiration reads a binding's Expiration, as the upstream writes it.
func expiration(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(validate.ExpirationLayout, s, validate.CST)
	return t, err == nil
}

// expires is when a binding's record may go: its Expiration and the
// retention (from now, for an Expiration that does not parse).
func (b *Bindings) expires(s string) time.Time {
	t, ok := expiration(s)
	if !ok {
		t = b.l.now()
	}
	return t.Add(b.retention)
}

func fromItem(pool string, it *core.Item, state string, now time.Time) Binding {
	return Binding{PoolKey: pool, PhoneNoA: redact.Phone(it.PhoneNoA), PhoneNoB: redact.Phone(it.PhoneNoB), GroupId: it.GroupId,
		OutId: it.OutId, OutOrderId: it.OutOrderId, Expiration: it.Expiration, State: state, Made: now}
}

// Bound records the bindings of one call or batch in one write: each
// binding under its SubsId (a bind of unknown outcome under a key of its
// own, since no SubsId came back), and each under its order.
func (b *Bindings) Bound(ctx context.Context, pool string, made []core.Made) {
	recs := make([]Record, 0, len(made))
	var adds []Member
	now := b.l.now().UTC()
	for _, m := range made {
		rec := fromItem(pool, m.Item, BindingLive, now)
		key := bindingKey(pool, m.Binding.SubsId)
		if m.Unknown {
			if m.Item.OutOrderId == "" {
				continue // nothing could find it
			}
			rec.State, key = BindingUnknown, bindingKey(pool, "unknown-"+newToken())
		}
		rec.SubsId, rec.SecretNo = m.Binding.SubsId, m.Binding.SecretNo
		if m.Unknown {
			rec.SecretNo = m.Item.PhoneNoX // the X it asked for, if any: query-subs-id settles it
		}
		r, err := b.record(key, rec)
		if err != nil {
			b.failed(err)
			continue
		}
		recs = append(recs, r)
		if rec.OutOrderId != "" {
			adds = append(adds, Member{Key: orderKey(pool, rec.OutOrderId), Value: key, Expires: r.Expires})
		}
		if m.Unknown {
			// A receipt of one of its calls settles it: see Receipts.
			adds = append(adds, Member{Key: unknownKey(pool), Value: key, Expires: r.Expires})
		}
	}
	b.failed(b.l.d.PutBatch(ctx, recs, adds))
}

// Unbound records a binding unmade, keeping what was known of it.
func (b *Bindings) Unbound(ctx context.Context, u core.UnbindRequest) {
	key := bindingKey(u.PoolKey, u.SubsId)
	rec := Binding{PoolKey: u.PoolKey, SubsId: u.SubsId, SecretNo: u.SecretNo}
	old, err := b.l.d.Get(ctx, key)
	if err == nil && old != nil {
		err = json.Unmarshal(old.Body, &rec)
	}
	if err != nil {
		b.failed(err)
		return
	}
	rec.State, rec.Updated = BindingUnbound, b.l.now().UTC()
	r, err := b.record(key, rec)
	if err == nil {
		err = b.l.d.PutBatch(ctx, []Record{r}, nil)
	}
	b.failed(err)
}

func (b *Bindings) failed(err error) {
	if err != nil && b.Failed != nil {
		b.Failed(err)
	}
}

// record is a binding as the ledger's record under key, kept to its
// Expiration and the retention.
func (b *Bindings) record(key string, rec Binding) (Record, error) {
	return bindingRecord(key, rec, b.expires(rec.Expiration))
}

// bindingRecord is a binding as the ledger's record under key (PutBatch
// writes it: no token, since no condition is ever put on it).
func bindingRecord(key string, rec Binding, expires time.Time) (Record, error) {
	body, err := json.Marshal(rec)
	return Record{Key: key, Fingerprint: "binding", State: Answered, Expires: expires, Body: body}, err
}

// Order returns an order's bindings, newest first; none for an order the
// ledger never saw. A live binding past its Expiration reads as expired.
func (b *Bindings) Order(ctx context.Context, pool, order string) ([]Binding, error) {
	keys, err := b.l.d.Members(ctx, orderKey(pool, order))
	if err != nil {
		return nil, err
	}
	recs, err := readEach[Binding](ctx, b.l.d, keys)
	if err != nil {
		return nil, err
	}
	out := make([]Binding, 0, len(recs))
	for _, r := range recs {
		rec := r.V
		if rec.SettledAs != "" {
			continue // a receipt showed it made: the order lists it under its SubsId
		}
		if t, ok := expiration(rec.Expiration); ok && rec.State == BindingLive && !b.l.now().Before(t) {
			rec.State = BindingExpired
		}
		if rec.SubsId != "" {
			if rec.Receipts, err = b.receipts.of(ctx, pool, rec.SubsId); err != nil {
				return nil, err
			}
		}
		out = append(out, rec)
	}
	// Newest first, by when each bind answered.
	slices.SortStableFunc(out, func(x, y Binding) int { return y.Made.Compare(x.Made) })
	return out, nil
}
