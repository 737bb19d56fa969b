package dypls

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
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dybaseapi"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dybaseapi/mns"
)

// The vendor's receipt queues (docs/orders-and-receipts.md): an MNS queue
// per receipt type that the vendor owns, read with a temporary token that
// Dybaseapi's QueryTokenForMnsQueue trades for the account's AccessKey —
// its messages read and deleted by the vendor's own client
// (services/dybaseapi/mns), as the vendor's Go demo does.

// VendorMNSEndpoint is where the vendor's receipt queues live.
const VendorMNSEndpoint = "https://1943695596114318.mns.cn-hangzhou.aliyuncs.com"

// MNSToken is a temporary credential for one receipt queue.
type MNSToken struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
	Expires                                     time.Time
}

// QueryTokenForMnsQueue trades the client's credentials for a token to read
// queue, of receipts of messageType. c's endpoint is Dybaseapi's
// (https://dybaseapi.aliyuncs.com).
func (c *Client) QueryTokenForMnsQueue(ctx context.Context, queue, messageType string) (MNSToken, error) {
	resp := dybaseapi.CreateQueryTokenForMnsQueueResponse()
	d, err := c.do(ctx, "QueryTokenForMnsQueue", []param{{"MessageType", messageType}, {"QueueName", queue}}, resp, 0)
	if err != nil {
		return MNSToken{}, err
	}
	if err := c.answered(ctx, "QueryTokenForMnsQueue", resp.Code, resp.Message, resp.RequestId, 0, d); err != nil {
		return MNSToken{}, err
	}
	t := resp.MessageTokenDTO
	exp, err := time.ParseInLocation("2006-01-02 15:04:05", t.ExpireTime, cst)
	if err != nil {
		exp = time.Now().Add(10 * time.Minute) // an answer without a readable expiry: renewed soon
	}
	return MNSToken{AccessKeyID: t.AccessKeyId, AccessKeySecret: t.AccessKeySecret, SecurityToken: t.SecurityToken, Expires: exp}, nil
}

var cst = time.FixedZone("CST", 8*3600)

// ReceiptQueue reads one of the vendor's receipt queues.
type ReceiptQueue struct {
	// Tokens is a client of Dybaseapi (its endpoint), for the tokens.
	Tokens      *Client
	Name        string
	MessageType string
	// Endpoint is the queues' (VendorMNSEndpoint when "").
	Endpoint string
	// Timeout bounds one call (its wait for messages included).
	Timeout time.Duration

	mu    sync.Mutex
	token MNSToken
	queue *mns.Queue
}

// QueueMessage is a message read: its body and the handle that deletes it.
type QueueMessage struct {
	ID, Body, Handle string
	Dequeued         int
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
		ep = VendorMNSEndpoint
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
func (q *ReceiptQueue) Receive(ctx context.Context, n int, wait time.Duration) ([]QueueMessage, error) {
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
		return nil, fmt.Errorf("reading the receipt queue %s: %w", q.Name, err)
	}
	out := make([]QueueMessage, 0, len(res.Message))
	for _, m := range res.Message {
		out = append(out, QueueMessage{ID: m.MessageId, Body: m.MessageBody, Handle: m.ReceiptHandle, Dequeued: m.DequeueCount})
	}
	return out, nil
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
		return fmt.Errorf("deleting from the receipt queue %s: %w", q.Name, err)
	}
	return nil
}
