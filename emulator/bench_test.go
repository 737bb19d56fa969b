package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
)

// signed builds n BindAxg (or, with batch > 0, BindBatchAxg) requests signed
// as the SDK signs them, each with its own nonce and A numbers.
func signed(n, batch int) []*http.Request {
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	ts := time.Now().UTC().Format("2006-01-02T15:04:05Z")
	out := make([]*http.Request, n)
	for i := range out {
		q := url.Values{"AccessKeyId": {emulator.DemoAccessKeyID}, "Format": {"JSON"}, "RegionId": {"cn-hangzhou"},
			"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureType": {""}, "Timestamp": {ts},
			"SignatureNonce": {fmt.Sprint("nonce-", i)}, "Version": {emulator.Version}, "PoolKey": {emulator.DemoPoolKey}}
		if batch == 0 {
			q.Set("Action", "BindAxg")
			q.Set("PhoneNoA", fmt.Sprintf("139%08d", i))
			q.Set("GroupId", "1234")
			q.Set("Expiration", exp)
		} else {
			items := make([]string, batch)
			for k := range items {
				items[k] = fmt.Sprintf(`{"PhoneNoA":"13%09d","GroupId":"1234","Expiration":"%s","PhoneNoB":"","PhoneNoX":"","ExpectCity":"","OutId":""}`, i*batch+k, exp)
			}
			q.Set("Action", "BindBatchAxg")
			q.Set("AxgBindList", "["+strings.Join(items, ",")+"]")
		}
		q.Set("Signature", emulator.Sign(emulator.StringToSign("POST", q), emulator.DemoAccessKeySecret))
		out[i] = httptest.NewRequest("POST", "/?"+q.Encode(), nil)
	}
	return out
}

func benchEmulator(b *testing.B, batch int) {
	e := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	reqs := signed(b.N, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, reqs[i])
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"Code":"OK"`) {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkEmulatorBindAxg is the in-process upstream's own cost of one bind.
func BenchmarkEmulatorBindAxg(b *testing.B) { benchEmulator(b, 0) }

// BenchmarkEmulatorBindBatchAxg100 is its cost of a 100-item batch call.
func BenchmarkEmulatorBindBatchAxg100(b *testing.B) { benchEmulator(b, 100) }
