package emulator

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The receipt queues: as the vendor does, a queue per receipt type (named
// QueueName(type)), read with a temporary token from Dybaseapi's
// QueryTokenForMnsQueue over MNS's HTTP API (/queues/NAME/messages: GET
// to receive, DELETE with the handles to delete), signed "MNS
// AccessKeyId:Signature" with the token's key. The calls placed
// (PlaceCall) queue their receipts there, one record a message, as well
// as pushing them.

// QueuePrefix names the receipt queues, as the vendor's console shows
// them: Alicom-Queue-<account>-<type>.
const QueuePrefix = "Alicom-Queue-1234567890-"

// QueueName is the receipt queue of a type.
func QueueName(typ string) string { return QueuePrefix + typ }

// mnsFaultAction is the Action of a fault that hits the queues' calls
// (only one that names it: a fault for any action leaves them be).
const mnsFaultAction = "MNS"

// takeFault takes the first queued fault that names action itself.
func (e *Emulator) takeFault(action string) (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, q := range e.faults {
		if q.Action == action {
			e.spend(i)
			return q, true
		}
	}
	return Fault{}, false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// visibility is how long a message received stays hidden before it may be
// received again, as an MNS queue's VisibilityTimeout; maxQueued bounds a
// queue.
const (
	visibility = 30 * time.Second
	maxQueued  = 1000
	tokenLife  = 15 * time.Minute
)

type queued struct {
	id, body, handle string
	visible          time.Time
	dequeued         int
	enqueued         time.Time
}

// enqueue adds a receipt record to its type's queue; e.mu is held.
func (e *Emulator) enqueue(typ string, record []byte, now time.Time) {
	if e.queues == nil {
		e.queues = map[string][]*queued{}
	}
	q := append(e.queues[QueueName(typ)], &queued{id: randomHex(16), body: string(record), visible: now, enqueued: now})
	if len(q) > maxQueued {
		q = q[len(q)-maxQueued:]
	}
	e.queues[QueueName(typ)] = q
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type tokenAnswer struct {
	answer
	MessageTokenDTO struct {
		AccessKeyId, AccessKeySecret, SecurityToken, CreateTime, ExpireTime string
	}
}

// queryTokenForMnsQueue answers Dybaseapi's QueryTokenForMnsQueue: a key
// of its own, with a security token, good for a while.
func (e *Emulator) queryTokenForMnsQueue(p url.Values) any {
	if !strings.HasPrefix(p.Get("QueueName"), QueuePrefix) {
		return &tokenAnswer{answer: *reply("isv.INVALID_PARAMETERS", "the queue is not one of this account's receipt queues")}
	}
	now := time.Now()
	k := Key{ID: "STS." + randomHex(24), Secret: randomHex(32), SecurityToken: "CAIS" + randomHex(48)}
	e.mu.Lock()
	e.keys[k.ID] = k
	e.mu.Unlock()
	a := &tokenAnswer{answer: answer{Code: codeOK, Message: "OK"}}
	a.MessageTokenDTO.AccessKeyId, a.MessageTokenDTO.AccessKeySecret, a.MessageTokenDTO.SecurityToken = k.ID, k.Secret, k.SecurityToken
	a.MessageTokenDTO.CreateTime = now.In(cst).Format("2006-01-02 15:04:05")
	a.MessageTokenDTO.ExpireTime = now.Add(tokenLife).In(cst).Format("2006-01-02 15:04:05")
	return a
}

// mnsError answers as MNS does: XML, its code.
func mnsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header+`<Error xmlns="http://mns.aliyuncs.com/doc/v1/"><Code>`+code+`</Code><Message>`+msg+`</Message><RequestId>`+newRequestID()+`</RequestId></Error>`)
}

// mnsStringToSign is MNS's: the method, Content-MD5, Content-Type and
// Date (each where given), the x-mns- headers sorted, and the resource.
func mnsStringToSign(r *http.Request) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	for _, h := range []string{"Content-MD5", "Content-Type", "Date"} {
		if v := r.Header.Get(h); v != "" {
			b.WriteString(v + "\n")
		}
	}
	var names []string
	for k := range r.Header {
		if l := strings.ToLower(k); strings.HasPrefix(l, "x-mns-") {
			names = append(names, l)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		b.WriteString(n + ":" + r.Header.Get(n) + "\n")
	}
	b.WriteString(r.URL.RequestURI())
	return b.String()
}

// mnsAuth checks a queue call's signature and token.
func (e *Emulator) mnsAuth(w http.ResponseWriter, r *http.Request) bool {
	id, sig, ok := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "MNS "), ":")
	if !ok || !strings.HasPrefix(r.Header.Get("Authorization"), "MNS ") {
		mnsError(w, http.StatusForbidden, "AccessDenied", "the request is not signed (Authorization: MNS AccessKeyId:Signature)")
		return false
	}
	e.mu.Lock()
	k, known := e.keys[id]
	e.mu.Unlock()
	if !known || (k.SecurityToken != "" && subtle.ConstantTimeCompare([]byte(k.SecurityToken), []byte(r.Header.Get("security-token"))) != 1) {
		mnsError(w, http.StatusForbidden, "InvalidAccessKeyId", "the AccessKeyId is unknown, or its security token does not match")
		return false
	}
	m := hmac.New(sha1.New, []byte(k.Secret))
	m.Write([]byte(mnsStringToSign(r)))
	if subtle.ConstantTimeCompare([]byte(base64.StdEncoding.EncodeToString(m.Sum(nil))), []byte(sig)) != 1 {
		mnsError(w, http.StatusForbidden, "SignatureDoesNotMatch", "the request signature does not match")
		return false
	}
	return true
}

type mnsMessage struct {
	MessageId        string `xml:"MessageId"`
	ReceiptHandle    string `xml:"ReceiptHandle"`
	MessageBodyMD5   string `xml:"MessageBodyMD5"`
	MessageBody      string `xml:"MessageBody"`
	EnqueueTime      int64  `xml:"EnqueueTime"`
	FirstDequeueTime int64  `xml:"FirstDequeueTime"`
	NextVisibleTime  int64  `xml:"NextVisibleTime"`
	DequeueCount     int    `xml:"DequeueCount"`
	Priority         int    `xml:"Priority"`
}

// mns serves /queues/NAME/messages: a batch receive (GET), a send (POST)
// or a batch delete.
func (e *Emulator) mns(w http.ResponseWriter, r *http.Request) {
	name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/queues/"), "/")
	if rest != "messages" {
		mnsError(w, http.StatusNotFound, "ResourceNotFound", "no such resource")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		mnsError(w, http.StatusBadRequest, "InvalidArgument", "the body could not be read")
		return
	}
	if md := r.Header.Get("Content-MD5"); md != "" {
		sum := md5.Sum(body)
		if md != base64.StdEncoding.EncodeToString(sum[:]) {
			mnsError(w, http.StatusBadRequest, "InvalidArgument", "Content-MD5 does not match the body")
			return
		}
	}
	if !e.mnsAuth(w, r) {
		return
	}
	if f, ok := e.takeFault(mnsFaultAction); ok {
		// A queue fault: {"Action":"MNS","Code":"SecurityTokenExpired"}
		// answers the next queue call so (403 unless Status says).
		status := f.Status
		if status == 0 {
			status = http.StatusForbidden
		}
		mnsError(w, status, f.Code, orDefault(f.Message, f.Code))
		return
	}
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok := e.queues[name]
	if !ok && !strings.HasPrefix(name, QueuePrefix) && r.Method != http.MethodPost {
		mnsError(w, http.StatusNotFound, "QueueNotExist", "the queue does not exist")
		return
	}
	switch r.Method {
	case http.MethodPost:
		// SendMessage: a queue of the user's (made on its first message,
		// a sandbox's liberty), where the binder may forward receipts.
		var m struct {
			Body string `xml:"MessageBody"`
		}
		if err := xml.Unmarshal(body, &m); err != nil || m.Body == "" {
			mnsError(w, http.StatusBadRequest, "InvalidArgument", "want <Message> with a <MessageBody>")
			return
		}
		if e.queues == nil {
			e.queues = map[string][]*queued{}
		}
		msg := &queued{id: randomHex(16), body: m.Body, visible: now, enqueued: now}
		e.queues[name] = append(q, msg)
		sum := md5.Sum([]byte(m.Body))
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, xml.Header+`<Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageId>`+msg.id+
			`</MessageId><MessageBodyMD5>`+strings.ToUpper(hex.EncodeToString(sum[:]))+`</MessageBodyMD5></Message>`)
	case http.MethodGet:
		n, _ := strconv.Atoi(r.URL.Query().Get("numOfMessages"))
		n = min(max(n, 1), 16)
		var out []mnsMessage
		for _, m := range q {
			if len(out) == n {
				break
			}
			if now.Before(m.visible) {
				continue
			}
			m.dequeued++
			m.handle, m.visible = randomHex(32), now.Add(visibility)
			sum := md5.Sum([]byte(m.body))
			out = append(out, mnsMessage{MessageId: m.id, ReceiptHandle: m.handle, MessageBodyMD5: strings.ToUpper(hex.EncodeToString(sum[:])),
				MessageBody: m.body, EnqueueTime: m.enqueued.UnixMilli(), FirstDequeueTime: now.UnixMilli(),
				NextVisibleTime: m.visible.UnixMilli(), DequeueCount: m.dequeued, Priority: 8})
		}
		if len(out) == 0 {
			mnsError(w, http.StatusNotFound, "MessageNotExist", "Message not exist.")
			return
		}
		b, _ := xml.Marshal(struct {
			XMLName  xml.Name     `xml:"Messages"`
			Xmlns    string       `xml:"xmlns,attr"`
			Messages []mnsMessage `xml:"Message"`
		}{Xmlns: "http://mns.aliyuncs.com/doc/v1/", Messages: out})
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(append([]byte(xml.Header), b...))
	case http.MethodDelete:
		var hs struct {
			Handles []string `xml:"ReceiptHandle"`
		}
		if err := xml.Unmarshal(body, &hs); err != nil || len(hs.Handles) == 0 {
			mnsError(w, http.StatusBadRequest, "InvalidArgument", "want <ReceiptHandles> with one or more <ReceiptHandle>")
			return
		}
		e.queues[name] = slices.DeleteFunc(q, func(m *queued) bool { return slices.Contains(hs.Handles, m.handle) })
		w.WriteHeader(http.StatusNoContent)
	default:
		mnsError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "GET, POST or DELETE")
	}
}
