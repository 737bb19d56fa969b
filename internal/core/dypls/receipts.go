package dypls

import (
	"context"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
)

// The token of the vendor's receipt queues (docs/orders-and-receipts.md):
// Dybaseapi's QueryTokenForMnsQueue trades the account's AccessKey for a
// temporary one that reads a queue (mnsqueue reads it). The answer has a
// type of its own here, not services/dybaseapi's: that package, linked
// into every deployable through this one, cost each ~100 KB of zip.

// VendorMNSEndpoint is where the vendor's receipt queues live.
const VendorMNSEndpoint = "https://1943695596114318.mns.cn-hangzhou.aliyuncs.com"

// tokenResponse is QueryTokenForMnsQueue's answer.
type tokenResponse struct {
	*responses.BaseResponse
	RequestId       string `json:"RequestId"`
	Code            string `json:"Code"`
	Message         string `json:"Message"`
	MessageTokenDTO struct {
		AccessKeyId, AccessKeySecret, SecurityToken, CreateTime, ExpireTime string
	} `json:"MessageTokenDTO"`
}

// MNSToken is a temporary credential for one receipt queue.
type MNSToken struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
	Expires                                     time.Time
}

// QueryTokenForMnsQueue trades the client's credentials for a token to read
// queue, of receipts of messageType. c's endpoint is Dybaseapi's
// (https://dybaseapi.aliyuncs.com).
func (c *Client) QueryTokenForMnsQueue(ctx context.Context, queue, messageType string) (MNSToken, error) {
	resp := &tokenResponse{BaseResponse: &responses.BaseResponse{}}
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
