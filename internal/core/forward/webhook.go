package forward

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The signature headers (docs: "Call receipts"): X-AXG-Timestamp is the
// Unix time of the attempt, X-AXG-Signature "v1=" and the hex HMAC-SHA256
// of the timestamp, a dot and the body, keyed with AXG_RECEIPTS_SIGNING_KEY.
const (
	HeaderTimestamp = "X-AXG-Timestamp"
	HeaderSignature = "X-AXG-Signature"
	HeaderDelivery  = "X-AXG-Delivery"
	HeaderAttempt   = "X-AXG-Attempt"
)

// Webhook posts each delivery to URL, signed.
type Webhook struct {
	URL    string
	Key    []byte
	Client *http.Client
	Now    func() time.Time
}

// Sign is the signature of body sent at timestamp ts.
func Sign(key []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature says a delivery's signature does not verify.
var ErrBadSignature = errors.New("forward: the signature does not match")

// Verify checks a delivery as a receiver should: the signature over its
// timestamp and body, and the timestamp within tolerance of now (a
// replayed old delivery is refused).
func Verify(key []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("forward: no timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("forward: the timestamp is too far from now")
	}
	if !hmac.Equal([]byte(h.Get(HeaderSignature)), []byte(Sign(key, ts, body))) {
		return ErrBadSignature
	}
	return nil
}

// Deliver posts body; any 2xx answer takes it.
func (w *Webhook) Deliver(ctx context.Context, id string, body []byte, attempt int) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.Key, ts, body))
	req.Header.Set(HeaderDelivery, id)
	req.Header.Set(HeaderAttempt, strconv.Itoa(attempt))
	return send(w.Client, req, func(status int) bool { return status/100 == 2 })
}

// send makes one delivery's request; taken says which status takes it,
// any other is the delivery's error, with the start of the answer.
func send(c *http.Client, req *http.Request, taken func(status int) bool) error {
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
	if !taken(res.StatusCode) {
		return errStatus{res.StatusCode, strings.TrimSpace(string(b))}
	}
	return nil
}
