package message

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/axg-binder/binder/internal/core/validate"
)

// FuzzBody: a message body, as sent or base64 of it, never panics the
// decoding; it is a batch exactly when it holds AxgBindList; and a body
// without a PoolKey decoded with the default pool answers as the same body
// with that PoolKey written in.
func FuzzBody(f *testing.F) {
	for _, s := range []string{
		`{"PhoneNoA":"13800138000","GroupId":1234}`, `{}`, ` { } `, `{"PoolKey":"FC1"}`, `{"poolkey":null}`,
		`{"AxgBindList":[{"PhoneNoA":"1"}]}`, `{"axgbindlist":"[]","PhoneNoA":1}`, `[]`, `null`, `{`, `"x"`, "",
		`{"Action":"UnbindSubscription","SubsId":"1","SecretNo":"17100000000"}`, `{"Action":"UpdateSubscription","PoolKey":"FC"}`, `{"Action":7}`,
		base64.StdEncoding.EncodeToString([]byte(`{"PhoneNoA":"1"}`)),
	} {
		f.Add([]byte(s))
	}
	const pool = `FC"123`
	v := validate.New(func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, validate.CST) }, 100)
	f.Fuzz(func(t *testing.T, b []byte) {
		body := decodeBody(b)
		bind, batch, isBatch, e := v.DecodeMessage(body, pool)
		var members map[string]json.RawMessage
		if json.Unmarshal(body, &members) != nil || members == nil {
			return
		}
		hasList, hasPool := false, false
		for k := range members {
			hasList = hasList || strings.EqualFold(k, "AxgBindList")
			hasPool = hasPool || strings.EqualFold(k, "PoolKey")
		}
		if isBatch != hasList && utf8.Valid(body) { // bad bytes are refused before the kind is read
			t.Fatalf("%q: batch %v, AxgBindList %v", body, isBatch, hasList)
		}
		if hasPool || !utf8.Valid(body) { // a refusal of bad bytes names where they are: the splice moves them
			return
		}
		inner := bytes.TrimSpace(body)
		inner = bytes.TrimSpace(inner[1 : len(inner)-1])
		sep := ","
		if len(inner) == 0 {
			sep = ""
		}
		quoted, _ := json.Marshal(pool)
		spliced := append(append([]byte(`{"PoolKey":`+string(quoted)+sep), inner...), '}')
		bind2, batch2, isBatch2, e2 := v.DecodeMessage(spliced, "")
		if isBatch2 != isBatch || !reflect.DeepEqual(bind, bind2) || !reflect.DeepEqual(batch, batch2) || !reflect.DeepEqual(e, e2) {
			t.Fatalf("%q with the default pool: %+v %+v %+v; written in: %+v %+v %+v", body, bind, batch, e, bind2, batch2, e2)
		}
	})
}
