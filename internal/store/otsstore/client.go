package otsstore

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/request"
)

// Credentials sign a request: an AccessKey pair, with a security token for
// STS (Function Compute's role).
type Credentials = request.Credentials

// Client calls Tablestore's API of one instance: a protocol buffer POSTed
// to Endpoint/Action, signed as the SDK signs (HMAC-SHA1 over the path,
// the method and the x-ots- headers), each call bounded by its context.
type Client struct {
	Endpoint, Instance string
	// Credentials returns the credentials for a call.
	Credentials func(context.Context) (Credentials, error)
	HTTP        *http.Client
}

const apiVersion = "2015-12-31"

// Error is what Tablestore answered other than success.
type Error struct {
	Status        int
	Code, Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("tablestore: %d %s: %s", e.Status, e.Code, e.Message)
}

// conditionFailed: the row did not meet the write's condition.
const conditionFailed = "OTSConditionCheckFail"

// busy says the service did not act on the call and asks for it again
// later (the SDK's retryNotMatterActions).
func busy(code string) bool {
	switch code {
	case "OTSRowOperationConflict", "OTSNotEnoughCapacityUnit", "OTSTableNotReady", "OTSPartitionUnavailable",
		"OTSServerBusy", "OTSQuotaExhausted":
		return true
	}
	return false
}

// Do calls action with body and returns the answer's body; a call the
// service was too busy to act on is sent again until ctx ends.
func (c *Client) Do(ctx context.Context, action string, body []byte) ([]byte, error) {
	wait := 20 * time.Millisecond
	for {
		b, err := c.do(ctx, action, body)
		e, ok := err.(*Error)
		if !ok || !busy(e.Code) {
			return b, err
		}
		var done error
		if wait, done = ledger.Pause(ctx, wait); done != nil {
			return nil, err
		}
	}
}

func (c *Client) do(ctx context.Context, action string, body []byte) ([]byte, error) {
	cred, err := c.Credentials(ctx)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.Endpoint, "/")+"/"+action, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	sum := md5.Sum(body)
	h := map[string]string{
		"x-ots-date":         time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"x-ots-apiversion":   apiVersion,
		"x-ots-accesskeyid":  cred.AccessKeyID,
		"x-ots-instancename": c.Instance,
		"x-ots-contentmd5":   base64.StdEncoding.EncodeToString(sum[:]),
	}
	if cred.SecurityToken != "" {
		h["x-ots-ststoken"] = cred.SecurityToken
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	req.Header.Set("x-ots-signature", Sign("/"+action, h, cred.AccessKeySecret))
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{Status: resp.StatusCode}
		if e.Code, e.Message = apiError(b); e.Code == "" {
			e.Message = string(b)
		}
		return nil, e
	}
	return b, nil
}

// Sign is a request's x-ots-signature: HMAC-SHA1 with the AccessKey
// secret over the path, the method, an empty query and the x-ots- headers
// (each "name:value", sorted by name), base64.
func Sign(path string, headers map[string]string, secret string) string {
	names := make([]string, 0, len(headers))
	for k := range headers {
		if strings.HasPrefix(k, "x-ots-") && k != "x-ots-signature" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var s strings.Builder
	s.WriteString(path + "\nPOST\n\n")
	for _, k := range names {
		s.WriteString(k + ":" + strings.TrimSpace(headers[k]) + "\n")
	}
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(s.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
