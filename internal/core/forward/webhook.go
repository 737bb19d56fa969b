package forward

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/axg-binder/binder/webhook"
)

// Webhook posts each delivery to URL, signed as package webhook says (the
// receiver verifies it with webhook.Verify).
type Webhook struct {
	URL    string
	Key    []byte
	Client *http.Client
	Now    func() time.Time
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
	req.Header.Set(webhook.HeaderTimestamp, ts)
	req.Header.Set(webhook.HeaderSignature, webhook.Sign(w.Key, ts, body))
	req.Header.Set(webhook.HeaderDelivery, id)
	req.Header.Set(webhook.HeaderAttempt, strconv.Itoa(attempt))
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
