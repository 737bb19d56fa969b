package validate

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func BenchmarkValidateBind(b *testing.B) {
	v := New(clock, 1000)
	body := []byte(`{"PoolKey":"FC123456","PhoneNoA":"13800138000","GroupId":1234,"ExpectCity":"北京","Expiration":"` + exp(time.Hour) + `"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, e := v.DecodeBind(body, ""); e != nil {
			b.Fatal(e)
		}
	}
}

func BenchmarkValidateBatch1000(b *testing.B) {
	v := New(clock, 1000)
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"PhoneNoA":"139%08d","GroupId":1234,"Expiration":"%s"}`, i, exp(time.Hour))
	}
	body := []byte(`{"PoolKey":"FC123456","AxgBindList":[` + strings.Join(items, ",") + `]}`)
	b.ReportAllocs()
	for b.Loop() {
		req, e := v.DecodeBatch(body, "")
		if e != nil || req.Items[999].Err != nil {
			b.Fatal(e)
		}
	}
}
