// Package mnsqueue reads the vendor's receipt queues: MNS queues the vendor
// owns, a queue per receipt type, read with a temporary token
// (dypls.Client.QueryTokenForMnsQueue) by the vendor's own client
// (alibaba-cloud-sdk-go services/dybaseapi/mns), as its Go demo does. Only
// the deployables that read them link it.
package mnsqueue

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dybaseapi/mns"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/pull"
)

// ReceiptQueue reads one of the vendor's receipt queues.
type ReceiptQueue struct {
	// Tokens is a client of Dybaseapi (its endpoint), for the tokens.
	Tokens      *dypls.Client
	Name        string
	MessageType string
	// Endpoint is the queues' (VendorMNSEndpoint when "").
	Endpoint string
	// Timeout bounds one call (its wait for messages included).
	Timeout time.Duration

	mu    sync.Mutex
	token dypls.MNSToken
	queue *mns.Queue
}

// New opens the queue name, of receipts of typ, at endpoint
// (dypls.VendorMNSEndpoint when ""), its tokens traded by tokens.
func New(tokens *dypls.Client, name, typ, endpoint string, timeout time.Duration) *ReceiptQueue {
	return &ReceiptQueue{Tokens: tokens, Name: name, MessageType: typ, Endpoint: endpoint, Timeout: timeout}
}

// renewal is how long before its expiry a token is traded again (the
// vendor's demo: two minutes).
const renewal = 2 * time.Minute

func (q *ReceiptQueue) client(ctx context.Context) (*mns.Queue, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queue != nil && time.Until(q.token.Expires) > renewal {
		return q.queue, nil
	}
	t, err := q.Tokens.QueryTokenForMnsQueue(ctx, q.Name, q.MessageType)
	if err != nil {
		return nil, err
	}
	cfg := sdk.NewConfig()
	cfg.Timeout = max(q.Timeout, 5*time.Second)
	cfg.AutoRetry = false // a receive is read again on the next run; a delete too
	mq := &mns.Queue{}
	if err := mq.InitWithStsToken("cn-hangzhou", t.AccessKeyID, t.AccessKeySecret, t.SecurityToken); err != nil {
		return nil, err
	}
	if err := mq.InitWithOptions(cfg, nil); err != nil {
		return nil, err
	}
	q.token, q.queue = t, mq
	return mq, nil
}

// at points req at the queues' endpoint (the SDK writes the port apart).
func (q *ReceiptQueue) at(req *requests.RoaRequest) error {
	ep := q.Endpoint
	if ep == "" {
		ep = dypls.VendorMNSEndpoint
	}
	u, err := url.Parse(ep)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("the receipt queues' endpoint %q is no http(s) URL", ep)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	req.Scheme, req.Domain, req.Port = strings.ToUpper(u.Scheme), u.Hostname(), port
	return nil
}

// Receive reads up to n messages (at most 16), waiting up to wait for one.
func (q *ReceiptQueue) Receive(ctx context.Context, n int, wait time.Duration) ([]pull.Message, error) {
	mq, err := q.client(ctx)
	if err != nil {
		return nil, err
	}
	req := mns.CreateBatchReceiveMessageRequest()
	req.QueueName = q.Name
	if err := q.at(req.RoaRequest); err != nil {
		return nil, err
	}
	req.NumOfMessages = requests.NewInteger(min(max(n, 1), 16))
	req.WaitSeconds = requests.NewInteger(int(wait / time.Second))
	res, err := mq.BatchReceiveMessage(req)
	if err != nil {
		if noMessages(err) {
			return nil, nil
		}
		q.forget(err)
		return nil, fmt.Errorf("reading the receipt queue %s: %w", q.Name, err)
	}
	out := make([]pull.Message, 0, len(res.Message))
	for _, m := range res.Message {
		out = append(out, pull.Message{ID: m.MessageId, Body: m.MessageBody, Handle: m.ReceiptHandle, Dequeued: m.DequeueCount})
	}
	return out, nil
}

// forget drops the token when the queue refused it (expired, or revoked
// before its time): the next call trades for a new one.
func (q *ReceiptQueue) forget(err error) {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) && se.HttpStatus() == http.StatusForbidden {
		q.mu.Lock()
		q.queue = nil
		q.mu.Unlock()
	}
}

// noMessages says an MNS error is its "queue is empty": 404 with an XML
// body of code MessageNotExist (the SDK reads codes from JSON only).
func noMessages(err error) bool {
	var se *sdkerrors.ServerError
	return errors.As(err, &se) && se.HttpStatus() == http.StatusNotFound &&
		(se.ErrorCode() == "MessageNotExist" || strings.Contains(se.Message(), "<Code>MessageNotExist</Code>"))
}

// Delete deletes the messages of the handles.
func (q *ReceiptQueue) Delete(ctx context.Context, handles []string) error {
	if len(handles) == 0 {
		return nil
	}
	mq, err := q.client(ctx)
	if err != nil {
		return err
	}
	req := mns.CreateBatchDeleteMessageRequest()
	req.QueueName = q.Name
	if err := q.at(req.RoaRequest); err != nil {
		return err
	}
	req.SetReceiptHandles(handles)
	if _, err := mq.BatchDeleteMessage(req); err != nil {
		q.forget(err)
		return fmt.Errorf("deleting from the receipt queue %s: %w", q.Name, err)
	}
	return nil
}
