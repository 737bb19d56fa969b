package fcmns

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"

	"github.com/axg-binder/binder/internal/function/platform"
)

// TopicMessage is an MNS topic trigger's event in its JSON format. Declared
// here because the SDK's type says time.Time for PublishTime, which the
// topic sends as epoch milliseconds.
type TopicMessage struct {
	TopicOwner       string `json:"TopicOwner"`
	TopicName        string `json:"TopicName"`
	Subscriber       string `json:"Subscriber"`
	SubscriptionName string `json:"SubscriptionName"`
	MessageId        string `json:"MessageId"`
	MessageMD5       string `json:"MessageMD5"`
	Message          string `json:"Message"`
	PublishTime      int64  `json:"PublishTime"` // epoch milliseconds
}

// Messages reads any MNS delivery as platform.Messages: a queue's
// CloudEvent or array of them, a topic's JSON-format event, or a topic's
// STREAM-format raw body, which has no message ID: the body's MD5 stands in
// (so the same request published twice binds once). region is the queue
// event's, where it says one.
func Messages(payload []byte) (msgs []platform.Message, region string, err error) {
	p := bytes.TrimSpace(payload)
	var probe struct {
		Specversion *string
		TopicOwner  *string
		Message     *string
	}
	isObject := len(p) > 0 && p[0] == '{' && json.Unmarshal(p, &probe) == nil
	switch {
	case len(p) > 0 && p[0] == '[' || isObject && probe.Specversion != nil:
		evs, err := parse(p)
		if err != nil {
			return nil, "", err
		}
		out := make([]platform.Message, len(evs))
		for i, ev := range evs {
			out[i].ID, out[i].Body = messageOf(ev)
			if region == "" && ev.Aliyunregionid != nil {
				region = *ev.Aliyunregionid
			}
			if out[i].ID == "" {
				// No ID at all: records are kept per ID, and messages sharing
				// "" would answer from each other's record.
				out[i].ID = bodyID(out[i].Body)
			}
		}
		return out, region, nil
	case isObject && probe.TopicOwner != nil && probe.Message != nil:
		var tm TopicMessage
		if err := json.Unmarshal(p, &tm); err != nil {
			return nil, "", err
		}
		if tm.MessageId == "" {
			tm.MessageId = bodyID(tm.Message)
		}
		return []platform.Message{{ID: tm.MessageId, Body: tm.Message}}, "", nil
	}
	return []platform.Message{{ID: bodyID(string(p)), Body: string(p)}}, "", nil
}

// bodyID stands in for a message ID: the same body twice is one message.
func bodyID(body string) string {
	sum := md5.Sum([]byte(body))
	return "md5-" + hex.EncodeToString(sum[:])
}
