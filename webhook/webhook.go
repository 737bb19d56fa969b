// Package webhook is what a receiver of the binder's forwarded call
// receipts (AXG_RECEIPTS_TO, an HTTPS webhook of yours) needs: the headers
// each delivery carries, and Verify, which checks its signature and age
// before the receiver trusts it. The binder signs with Sign.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// The headers of a delivery (docs/orders-and-receipts.md): X-AXG-Timestamp
// is the Unix time of the attempt, X-AXG-Signature "v1=" and the hex
// HMAC-SHA256 of the timestamp, a dot and the body, keyed with
// AXG_RECEIPTS_SIGNING_KEY; X-AXG-Delivery is the receipt's Id, the same on
// every attempt (drop repeats by it), X-AXG-Attempt counts from 1.
const (
	HeaderTimestamp = "X-AXG-Timestamp"
	HeaderSignature = "X-AXG-Signature"
	HeaderDelivery  = "X-AXG-Delivery"
	HeaderAttempt   = "X-AXG-Attempt"
)

// Sign is the signature of body sent at timestamp ts (Unix seconds).
func Sign(key []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature says a delivery's signature does not verify.
var ErrBadSignature = errors.New("webhook: the signature does not match")

// Verify checks a delivery as a receiver should: the signature over its
// timestamp and body, and the timestamp within tolerance of now (a
// replayed old delivery is refused).
func Verify(key []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("webhook: no timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook: the timestamp is too far from now")
	}
	if !hmac.Equal([]byte(h.Get(HeaderSignature)), []byte(Sign(key, ts, body))) {
		return ErrBadSignature
	}
	return nil
}
