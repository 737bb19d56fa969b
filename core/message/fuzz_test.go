package message

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzBody: a message body, as sent or base64 of it, never panics the
// decoding; where the default PoolKey is spliced into a JSON object that had
// none, the result is that object with the PoolKey added, and nothing else
// changed.
func FuzzBody(f *testing.F) {
	for _, s := range []string{
		`{"PhoneNoA":"13800138000","GroupId":1234}`, `{}`, ` { } `, `{"PoolKey":"FC1"}`, `{"poolkey":null}`,
		`{"AxgBindList":[{"PhoneNoA":"1"}]}`, `[]`, `null`, `{`, `"x"`, "",
		base64.StdEncoding.EncodeToString([]byte(`{"PhoneNoA":"1"}`)),
	} {
		f.Add([]byte(s))
	}
	h := &Handler{DefaultPool: `FC"123`}
	f.Fuzz(func(t *testing.T, b []byte) {
		body := decodeBody(b)
		_ = isBatch(body)
		out := h.withPool(body)
		var before map[string]any
		if json.Unmarshal(body, &before) != nil || before == nil {
			return
		}
		var probe struct{ PoolKey json.RawMessage }
		if json.Unmarshal(body, &probe) == nil && probe.PoolKey != nil {
			if string(out) != string(body) {
				t.Fatalf("a body with a PoolKey was changed: %q -> %q", body, out)
			}
			return
		}
		var after map[string]any
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("%q -> %q: %v", body, out, err)
		}
		if after["PoolKey"] != h.DefaultPool {
			t.Fatalf("%q -> %q: PoolKey %v", body, out, after["PoolKey"])
		}
		delete(after, "PoolKey")
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("%q -> %q: members changed", body, out)
		}
	})
}
