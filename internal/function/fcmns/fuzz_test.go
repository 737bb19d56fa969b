package fcmns

import (
	"reflect"
	"testing"
)

// FuzzMessages: no delivery, queue or topic, JSON or raw, panics the parsing;
// every message it yields has an ID (records are kept per ID), and the same
// delivery yields the same messages.
func FuzzMessages(f *testing.F) {
	for _, s := range []string{
		`{"specversion":"1.0","id":"e1","data":{"messageId":"m1","messageBody":"{\"PhoneNoA\":\"1\"}"}}`,
		`[{"specversion":"1.0","data":{"messageBody":"x"}},{"specversion":"1.0","id":"e2"}]`,
		`{"TopicOwner":"1","Message":"{}","MessageId":""}`, `{"TopicOwner":"1","Message":"{}","PublishTime":1700000000000}`,
		`{"PhoneNoA":"13800138000"}`, `[`, `[]`, "", `{"specversion":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, _, err := Messages(b)
		if err != nil {
			return
		}
		for _, m := range msgs {
			if m.ID == "" {
				t.Fatalf("%q: a message without an ID: %+v", b, m)
			}
		}
		again, _, _ := Messages(b)
		if !reflect.DeepEqual(msgs, again) {
			t.Fatalf("%q: %+v then %+v", b, msgs, again)
		}
	})
}
