package batchfile_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/core/validate"
)

// FuzzReader: no file makes the reader panic or loop; every row read has a
// number one past the last, and an accepted row a valid number.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"PhoneNoA,GroupId,Expiration\n13800000000,1,2099-12-31 23:59:59\n",
		"\xef\xbb\xbfPoolKey,PhoneNoA,GroupId,Expiration,RingConfig\r\nFC,138 0000 0000,1,2099-12-31 23:59:59,\"{\"\"AXGRing_A\"\":\"\"1\"\"}\"\r\n",
		"PhoneNoA,GroupId,Expiration\n\"unterminated,1,2\n138,1\n",
		`{"PhoneNoA":"13800000000","GroupId":1,"Expiration":"2099-12-31 23:59:59"}` + "\n\n{\n[1]\n",
		"Action,SubsId,SecretNo,PhoneNoX,OperateType,OutId\nUnbindSubscription,1,17100000000,,,\nUpdateSubscription,1,,17100000000,updateOutId,o\n,1,,,,\n",
		`{"Action":"UnbindSubscription","SubsId":"1","SecretNo":"17100000000"}` + "\n" + `{"Action":"UpdateSubscription","OperateType":"updateNoA"}` + "\n",
	} {
		f.Add([]byte(s), s[0] == '{')
	}
	v := validate.New(nil, 1000)
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		format := batchfile.CSV
		if jsonl {
			format = batchfile.JSONL
		}
		rd, err := batchfile.NewReader(bytes.NewReader(data), format, v, "FC123456")
		if err != nil {
			return // a header refused: the whole file is
		}
		for n := 1; ; n++ {
			row, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if row.N != n {
				t.Fatalf("row %d numbered %d", n, row.N)
			}
			if row.Err == nil && row.Task.Action == core.ActionBind && !validate.IsNumber(row.Task.Bind.PhoneNoA) {
				t.Fatalf("accepted %+v", row)
			}
			if n > len(data)+1 {
				t.Fatalf("%d rows from %d bytes", n, len(data))
			}
		}
	})
}
