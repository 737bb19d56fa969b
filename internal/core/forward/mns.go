package forward

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/axg-binder/binder/internal/core/request"
)

// MNSQueue sends each delivery as a message to an MNS queue of the user's
// (AXG_RECEIPTS_TO=mns:https://<account>.mns.<region>.aliyuncs.com/queues/<name>),
// signed as MNS's API asks ("MNS AccessKeyId:Signature"), with the
// invocation's credentials where the context carries them (Function
// Compute's role), else Fallback. The message body is the delivery's JSON,
// its Id inside: a consumer drops repeats by it.
type MNSQueue struct {
	URL      string
	Fallback request.Credentials
	Client   *http.Client
	Now      func() time.Time
}

const mnsVersion = "2015-06-06"

// Deliver sends one message; MNS's 201 takes it.
func (q *MNSQueue) Deliver(ctx context.Context, id string, body []byte, attempt int) error {
	u, err := url.Parse(q.URL)
	if err != nil {
		return err
	}
	var esc bytes.Buffer
	if err := xml.EscapeText(&esc, body); err != nil {
		return err
	}
	msg := []byte(xml.Header + `<Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>` + esc.String() +
		`</MessageBody><DelaySeconds>0</DelaySeconds><Priority>8</Priority></Message>`)
	sum := md5.Sum(msg)
	contentMD5 := base64.StdEncoding.EncodeToString(sum[:])
	now := time.Now
	if q.Now != nil {
		now = q.Now
	}
	date := now().UTC().Format(http.TimeFormat)
	resource := strings.TrimSuffix(u.EscapedPath(), "/") + "/messages"
	creds := q.Fallback
	if c, ok := request.CredentialsOf(ctx); ok {
		creds = c
	}
	const contentType = "text/xml;charset=utf-8"
	m := hmac.New(sha1.New, []byte(creds.AccessKeySecret))
	m.Write([]byte("POST\n" + contentMD5 + "\n" + contentType + "\n" + date + "\nx-mns-version:" + mnsVersion + "\n" + resource))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.Scheme+"://"+u.Host+resource, bytes.NewReader(msg))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Content-MD5", contentMD5)
	req.Header.Set("Date", date)
	req.Header.Set("x-mns-version", mnsVersion)
	req.Header.Set("Authorization", "MNS "+creds.AccessKeyID+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	if creds.SecurityToken != "" {
		req.Header.Set("security-token", creds.SecurityToken)
	}
	return send(q.Client, req, func(status int) bool { return status == http.StatusCreated })
}

// MNSQueueURL checks an mns: destination's URL: a queue's, on HTTPS (or
// plain HTTP to this machine, for a local queue).
func MNSQueueURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || !strings.HasPrefix(u.Path, "/queues/") || strings.Count(strings.Trim(u.Path, "/"), "/") != 1 {
		return fmt.Errorf("want https://<account>.mns.<region>.aliyuncs.com/queues/<name>, got %q", s)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1")) {
		return fmt.Errorf("want https:// (http:// only to this machine), got %q", s)
	}
	return nil
}
