package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/redact"
)

// DefaultRetention is how long a binding's record outlives its Expiration
// (AXG_LEDGER_RETENTION): late receipts still find it.
const DefaultRetention = 7 * 24 * time.Hour

// The states of a binding (contract.md, "Bindings by order"). Expired is
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
	PoolKey    string    `json:"PoolKey"`
	SubsId     string    `json:"SubsId,omitempty"`
	SecretNo   string    `json:"SecretNo,omitempty"`
	PhoneNoA   string    `json:"PhoneNoA,omitempty"`
	PhoneNoB   string    `json:"PhoneNoB,omitempty"`
	GroupId    string    `json:"GroupId,omitempty"`
	OutId      string    `json:"OutId,omitempty"`
	OutOrderId string    `json:"OutOrderId,omitempty"`
	Expiration string    `json:"Expiration,omitempty"`
	State      string    `json:"State"`
	Updated    time.Time `json:"Updated"`
}

// Bindings records every binding the Service makes, unmakes or loses track
// of, under its SubsId and under its order (PoolKey and OutOrderId).
type Bindings struct {
	l         *Ledger
	retention time.Duration
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
	return &Bindings{l: l, retention: retention}
}

func bindingKey(pool, subs string) string { return "binding:" + pool + ":" + subs }
func orderKey(pool, order string) string  { return "order:" + pool + ":" + order }

// cst is the zone of the upstream's Expiration.
var cst = time.FixedZone("CST", 8*3600)

func (b *Bindings) expires(expiration string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", expiration, cst)
	if err != nil {
		t = b.l.now()
	}
	return t.Add(b.retention)
}

func (b *Bindings) fromItem(pool string, it *core.Item, state string) Binding {
	return Binding{PoolKey: pool, PhoneNoA: redact.Phone(it.PhoneNoA), PhoneNoB: redact.Phone(it.PhoneNoB), GroupId: it.GroupId,
		OutId: it.OutId, OutOrderId: it.OutOrderId, Expiration: it.Expiration, State: state, Updated: b.l.now().UTC()}
}

// Bound records a binding made.
func (b *Bindings) Bound(ctx context.Context, pool string, it *core.Item, made core.Binding) {
	rec := b.fromItem(pool, it, BindingLive)
	rec.SubsId, rec.SecretNo = made.SubsId, made.SecretNo
	b.failed(b.record(ctx, bindingKey(pool, made.SubsId), rec))
}

// Unknown records a bind whose outcome is unknown: under its order only,
// since no SubsId came back.
func (b *Bindings) Unknown(ctx context.Context, pool string, it *core.Item) {
	if it.OutOrderId == "" {
		return // nothing could find it
	}
	b.failed(b.record(ctx, bindingKey(pool, "unknown-"+newToken()), b.fromItem(pool, it, BindingUnknown)))
}

// Unbound records a binding unmade, keeping what was known of it.
func (b *Bindings) Unbound(ctx context.Context, r core.UnbindRequest) {
	key := bindingKey(r.PoolKey, r.SubsId)
	b.failed(b.update(ctx, key, func(old []byte) ([]byte, time.Time, error) {
		rec := Binding{PoolKey: r.PoolKey, SubsId: r.SubsId, SecretNo: r.SecretNo}
		if old != nil {
			if err := json.Unmarshal(old, &rec); err != nil {
				return nil, time.Time{}, err
			}
		}
		rec.State, rec.Updated = BindingUnbound, b.l.now().UTC()
		body, err := json.Marshal(rec)
		return body, b.expires(rec.Expiration), err
	}))
}

func (b *Bindings) failed(err error) {
	if err != nil && b.Failed != nil {
		b.Failed(err)
	}
}

// record writes a binding under key, and the key under its order.
func (b *Bindings) record(ctx context.Context, key string, rec Binding) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	exp := b.expires(rec.Expiration)
	if err := b.update(ctx, key, func([]byte) ([]byte, time.Time, error) { return body, exp, nil }); err != nil {
		return err
	}
	if rec.OutOrderId == "" {
		return nil
	}
	return b.update(ctx, orderKey(rec.PoolKey, rec.OutOrderId), func(old []byte) ([]byte, time.Time, error) {
		var keys []string
		if old != nil {
			if err := json.Unmarshal(old, &keys); err != nil {
				return nil, time.Time{}, err
			}
		}
		if !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
		body, err := json.Marshal(keys)
		return body, exp, err
	})
}

// update writes under key what fn makes of the body there (nil: none):
// a read, then a write conditional on the record read, again if another
// writer came between.
func (b *Bindings) update(ctx context.Context, key string, fn func(old []byte) ([]byte, time.Time, error)) error {
	for range 8 {
		old, err := b.l.d.Get(ctx, key)
		if err != nil {
			return err
		}
		var oldBody []byte
		if old != nil {
			oldBody = old.Body
		}
		body, exp, err := fn(oldBody)
		if err != nil {
			return err
		}
		if old != nil && old.Expires.After(exp) {
			exp = old.Expires // an order lasts as long as its longest binding
		}
		rec := Record{Key: key, Fingerprint: "binding", State: Answered, Token: newToken(), Expires: exp, Body: body}
		if old == nil {
			got, err := b.l.d.Create(ctx, rec)
			if err != nil || got == nil {
				return err
			}
			continue // written meanwhile: read it again
		}
		err = b.l.d.Replace(ctx, old.Token, rec)
		if !errors.Is(err, ErrLost) {
			return err
		}
	}
	return fmt.Errorf("ledger: the record %q kept changing", key)
}

// Order returns an order's bindings, newest first; none for an order the
// ledger never saw. A live binding past its Expiration reads as expired.
func (b *Bindings) Order(ctx context.Context, pool, order string) ([]Binding, error) {
	idx, err := b.l.d.Get(ctx, orderKey(pool, order))
	if err != nil || idx == nil {
		return nil, err
	}
	var keys []string
	if err := json.Unmarshal(idx.Body, &keys); err != nil {
		return nil, err
	}
	out := make([]Binding, 0, len(keys))
	for i := len(keys) - 1; i >= 0; i-- {
		r, err := b.l.d.Get(ctx, keys[i])
		if err != nil {
			return nil, err
		}
		if r == nil {
			continue // dropped (a bounded memory ledger)
		}
		var rec Binding
		if err := json.Unmarshal(r.Body, &rec); err != nil {
			return nil, err
		}
		if rec.State == BindingLive {
			if t, err := time.ParseInLocation("2006-01-02 15:04:05", rec.Expiration, cst); err == nil && !b.l.now().Before(t) {
				rec.State = BindingExpired
			}
		}
		out = append(out, rec)
	}
	return out, nil
}
