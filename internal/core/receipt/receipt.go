// Package receipt reads the vendor's call receipts (docs: "Call receipts"):
// what happened on the calls of a binding, pushed as a JSON array per
// receipt type or read from the vendor's queues. Each record becomes a
// Receipt in one shape for every type, its phone numbers masked, with an ID
// that is the same however often the vendor delivers it.
package receipt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/axg-binder/binder/internal/core/redact"
)

// Types are the receipt types the vendor documents for AXG bindings.
var types = []string{
	"SecretStartReport", "SecretRingReport", "SecretPickUpReport", "SecretReport",
	"SecretRecording", "SecretAsrReport", "SecretSmsIntercept", "SecretExceptionPhoneReport",
}

// Types returns the documented receipt types.
func Types() []string { return slices.Clone(types) }

// Known reports whether t is a documented receipt type.
func Known(t string) bool { return slices.Contains(types, t) }

// Receipt is one receipt as the binder keeps and forwards it.
type Receipt struct {
	// ID is the same for every delivery of one receipt: its type and
	// call_id (or, without one, its id or its whole record), hashed.
	ID   string `json:"Id"`
	Type string `json:"Type"`
	// Inferred says the type was read off the record's fields, as the
	// route named none.
	Inferred bool   `json:"Inferred,omitempty"`
	PoolKey  string `json:"PoolKey,omitempty"`
	SubsId   string `json:"SubsId,omitempty"`
	CallId   string `json:"CallId,omitempty"`
	OutId    string `json:"OutId,omitempty"`
	SecretNo string `json:"SecretNo,omitempty"`
	// PhoneNo (A) and PeerNo (B) masked, as the vendor's console shows them.
	PhoneNo  string `json:"PhoneNo,omitempty"`
	PeerNo   string `json:"PeerNo,omitempty"`
	CallTime string `json:"CallTime,omitempty"`
	// Received is when the binder first took it in.
	Received time.Time `json:"Received"`
	// Fields is the vendor's record as it came, every phone number in it
	// masked (phone_no, peer_no, called_display_no, origin_no...).
	Fields map[string]any `json:"Fields"`
}

// maskedFields are the fields that carry a number of A or B, or one shown
// to them: never kept in clear. X (secret_no) is kept, as bindings keep it.
var maskedFields = []string{"phone_no", "peer_no", "called_display_no", "origin_no", "caller", "callee"}

// ErrNotArray says a body is not a JSON array: not a batch of receipts.
var ErrNotArray = errors.New("receipt: the body is not a JSON array of receipts")

// Decode reads a batch: the JSON array the vendor pushes for one receipt
// type (typ; "" to read each record's type off its fields). A record that
// is not a receipt is that record's error, the others read on; only a body
// that is no JSON array is refused whole.
func Decode(body []byte, typ string, now time.Time) ([]Receipt, []error, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var raw []json.RawMessage
	if err := d.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("%w (%v)", ErrNotArray, err)
	}
	if d.More() {
		return nil, nil, ErrNotArray
	}
	out := make([]Receipt, 0, len(raw))
	var errs []error
	for i, r := range raw {
		rc, err := One(r, typ, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("record %d: %w", i, err))
			continue
		}
		out = append(out, rc)
	}
	return out, errs, nil
}

// One reads one record of type typ ("": read off its fields).
func One(raw []byte, typ string, now time.Time) (Receipt, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var f map[string]any
	if err := d.Decode(&f); err != nil || f == nil {
		return Receipt{}, errors.New("not a JSON object")
	}
	rc := Receipt{Type: typ, Received: now.UTC(), Fields: f}
	if typ == "" {
		rc.Type, rc.Inferred = infer(f), true
	} else if !Known(typ) {
		return Receipt{}, fmt.Errorf("%q is not a receipt type (%s)", typ, strings.Join(types, ", "))
	}
	for _, x := range []struct {
		to   *string
		name string
	}{{&rc.SubsId, "sub_id"}, {&rc.CallId, "call_id"}, {&rc.OutId, "out_id"}, {&rc.SecretNo, "secret_no"}, {&rc.CallTime, "call_time"}} {
		v, err := text(f, x.name)
		if err != nil {
			return Receipt{}, err
		}
		*x.to = v
	}
	pool, err := text(f, "pool_key")
	if err != nil {
		return Receipt{}, err
	}
	if pool == "" {
		if pool, err = text(f, "partner_key"); err != nil {
			return Receipt{}, err
		}
	}
	rc.PoolKey = pool
	for _, name := range maskedFields {
		if s, ok := f[name].(string); ok {
			f[name] = redact.Phone(s)
		}
	}
	rc.PhoneNo, _ = f["phone_no"].(string)
	rc.PeerNo, _ = f["peer_no"].(string)
	if rc.CallId == "" && rc.SubsId == "" {
		return Receipt{}, errors.New("neither call_id nor sub_id: no call or binding to join it to")
	}
	id, _ := text(f, "id")
	rc.ID = identity(rc.Type, rc.CallId, id, raw)
	return rc, nil
}

// text reads a field the vendor sends as a string or a number (sub_id is
// a Long in one type's record and a string in another's; call_time a date
// or milliseconds): its text, "" when absent or null.
func text(f map[string]any, name string) (string, error) {
	switch v := f[name].(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	case json.Number:
		if _, err := strconv.ParseInt(v.String(), 10, 64); err != nil {
			return "", fmt.Errorf("%s: %s is not a whole number", name, v)
		}
		return v.String(), nil
	default:
		return "", fmt.Errorf("%s: want a string or a number", name)
	}
}

// identity is a receipt's ID: its type and call_id, which the vendor
// documents as a call's own; else the record's id; else the record.
func identity(typ, callID, id string, raw []byte) string {
	h := sha256.New()
	h.Write([]byte(typ))
	h.Write([]byte{0})
	switch {
	case callID != "":
		h.Write([]byte("call:" + callID))
	case id != "":
		h.Write([]byte("id:" + id))
	default:
		h.Write(raw)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// infer reads a record's type off its fields, for a push whose route named
// none: each type's record has fields the others lack.
func infer(f map[string]any) string {
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := f[n]; ok {
				return true
			}
		}
		return false
	}
	switch {
	case has("release_time", "release_cause", "release_dir"):
		return "SecretReport"
	case has("asr_result", "asr_text", "sentences"):
		return "SecretAsrReport"
	case has("sms_content", "sms_number") && !has("start_time"):
		return "SecretSmsIntercept"
	case !has("phone_no") && has("call_id"):
		return "SecretRecording"
	case has("start_time"):
		return "SecretPickUpReport"
	case has("ring_time"):
		return "SecretRingReport"
	default:
		return "SecretStartReport"
	}
}
