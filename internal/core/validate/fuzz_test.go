package validate

import (
	"reflect"
	"strings"
	"testing"

	"github.com/axg-binder/binder/internal/core"
)

// FuzzBind: no body makes decoding panic; the scanner answers as
// encoding/json does; a valid answer only ever holds numbers that pass the
// rule; an error always names a code.
func FuzzBind(f *testing.F) {
	for _, s := range []string{
		`{"PoolKey":"FC123456","PhoneNoA":"15000000000","GroupId":1234,"Expiration":"2026-12-01 12:00:00"}`,
		`{"PoolKey":"FC","PhoneNoA":"+86 571 8888 8888","GroupId":"1","Expiration":"2026-12-01 12:00:00","RingConfig":"{\"AXGRing_A\":\"1\"}"}`,
		`{"PoolKey":1,"PhoneNoA":[],"GroupId":{},"CallDisplayType":"1","IsRecordingEnabled":"true"}`,
		`{"PhoneNob":1}`, `[]`, `{`, `null`, "",
		// Shapes at the edge of the scanner's: numbers, repeats, spellings, escapes, nesting.
		` { "PoolKey" : "FC" , "PhoneNoA" : 13800138000 , "GroupId" : 01 } `, `{"PoolKey":"FC","GroupId":-0.5e+3,"CallDisplayType":1.}`,
		`{"PoolKey":"FC","PoolKey":"FD"}`, `{"poolkey":"FC","PHONENOA":"138"}`, `{"PoolKey":"F\u0043","OutId":"\n"}`,
		`{"PoolKey":"FC","RingConfig":{"AXGRing_A":"1"},"ASRStatus":null}`, `{"PoolKey":"FC","IsRecordingEnabled":tru}`,
		`{"PoolKey":"FC"} x`, `{"PoolKey":"FC",}`, "{\"PoolKey\":\"F\tC\"}", `{"PoolKey":"\xff"}`,
	} {
		f.Add([]byte(s))
	}
	v := New(clock, 100)
	f.Fuzz(func(t *testing.T, b []byte) {
		req, e := v.DecodeBind(b, "")
		if stdReq, stdE := v.decodeBind(b, "", false); !reflect.DeepEqual(req, stdReq) || !reflect.DeepEqual(e, stdE) {
			t.Fatalf("scanner %+v %+v, encoding/json %+v %+v", req, e, stdReq, stdE)
		}
		if e != nil {
			if e.Code == "" || e.Message == "" {
				t.Fatalf("error without code or message: %+v", e)
			}
			return
		}
		if !IsNumber(req.PhoneNoA) || req.PoolKey == "" || (req.PhoneNoB != "" && !IsNumber(req.PhoneNoB)) {
			t.Fatalf("accepted %+v", req)
		}
	})
}

// FuzzBatch: every element gets an answer, an invalid one an error naming its
// index; the one-pass fast paths (the scanner, then encoding/json) answer as
// the element-by-element path does.
func FuzzBatch(f *testing.F) {
	for _, s := range []string{
		`{"PoolKey":"FC","AxgBindList":[{"PhoneNoA":"15000000000","GroupId":1,"Expiration":"2026-12-01 12:00:00"},1,"x",null,{}]}`,
		`{"PoolKey":"FC","AxgBindList":"[{\"PhoneNoA\":\"15000000000\"}]"}`,
		`{"PoolKey":"FC","AxgBindList":[]}`, `{}`, `[]`,
		`{"PoolKey":"FC","AxgBindList":[{"PhoneNoA":"15000000000","GroupId":1,"Expiration":"2026-12-01 12:00:00"},{"PhoneNoA":"1","OutId":7}]}`,
		`{"AxgBindList":[{"PhoneNoA":"1"}],"PoolKey":"FC"}`, `{"PoolKey":"FC","AxgBindList":[{"PhoneNoA":"1"}],"AxgBindList":[{"GroupId":2}]}`,
		`{"PoolKey":"FC","AxgBindList":[{"PhoneNoA":"1","PoolKey":"x"}]}`, `{"PoolKey":"FC","AxgBindList":[{"PhoneNoA":"1"},]}`,
		`{"PoolKey":"FC","AxgBindList":[{"PhoneNoA":"1","PhoneNoA":"2"}]} `, `{"PoolKey":7,"AxgBindList":[ { } ]}`,
	} {
		f.Add([]byte(s))
	}
	v := New(clock, 50)
	f.Fuzz(func(t *testing.T, b []byte) {
		req, e := v.DecodeBatch(b, "")
		if slowReq, slowE := v.decodeBatch(b, "", false); !reflect.DeepEqual(req, slowReq) || !reflect.DeepEqual(e, slowE) {
			t.Fatalf("fast path %+v %+v, element by element %+v %+v", req, e, slowReq, slowE)
		}
		if e != nil {
			if e.Code != core.CodeInvalidParameters {
				t.Fatalf("request-level error %s", e.Code)
			}
			return
		}
		if len(req.Items) == 0 || len(req.Items) > 50 {
			t.Fatalf("%d items accepted", len(req.Items))
		}
		for _, it := range req.Items {
			if it.Err == nil && !IsNumber(it.Item.PhoneNoA) {
				t.Fatalf("accepted item %+v", it)
			}
			if it.Err != nil && !strings.Contains(it.Err.Message, "AxgBindList[") {
				t.Fatalf("item error %q names no index", it.Err.Message)
			}
		}
	})
}
