package dypls

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyplsapi"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/request"
)

// The SDK is the oracle for rpc.go: each case is encoded and signed by the
// SDK (its request types, requests.InitParams, auth.Sign), then by signedURL with
// the nonce and timestamp the SDK chose; parameters and signature must match.

type sdkCreds request.Credentials

func (c sdkCreds) GetCredentials() (*credentials.Credentials, error) {
	return &credentials.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}, nil
}

func (sdkCreds) GetProviderName() string { return "test" }

func sdkBind(pool string, it *core.Item) requests.AcsRequest {
	req := dyplsapi.CreateBindAxgRequest()
	req.PoolKey = pool
	req.PhoneNoA, req.GroupId, req.PhoneNoB, req.PhoneNoX = it.PhoneNoA, it.GroupId, it.PhoneNoB, it.PhoneNoX
	req.ExpectCity, req.Expiration = it.ExpectCity, it.Expiration
	req.OutId, req.OutOrderId, req.RingConfig = it.OutId, it.OutOrderId, it.RingConfig
	req.ASRModelId, req.CallRestrict = it.ASRModelId, it.CallRestrict
	if it.IsRecordingEnabled != nil {
		req.IsRecordingEnabled = requests.NewBoolean(*it.IsRecordingEnabled)
	}
	if it.ASRStatus != nil {
		req.ASRStatus = requests.NewBoolean(*it.ASRStatus)
	}
	if it.CallDisplayType != nil {
		req.CallDisplayType = requests.NewInteger(*it.CallDisplayType)
	}
	return req
}

// sdkBatch hands the SDK the same item list batchParams encodes: what is
// compared is the encoding and signing, the SDK's against ours.
func sdkBatch(pool string, items []*core.Item) requests.AcsRequest {
	req := dyplsapi.CreateBindBatchAxgRequest()
	req.PoolKey = pool
	list := axgBindList(items)
	req.AxgBindList = &list
	return req
}

// compare signs req with the SDK and params with query, and reports any
// difference in parameters, signature or body.
func compare(t *testing.T, action string, req requests.AcsRequest, params []param, region string, creds request.Credentials) {
	t.Helper()
	if err := requests.InitParams(req); err != nil {
		t.Fatal(err)
	}
	if err := auth.Sign(req, nil, region, sdkCreds(creds)); err != nil {
		t.Fatal(err)
	}
	if len(req.GetContent()) != 0 || len(req.GetFormParams()) != 0 {
		t.Fatalf("the SDK sends a body (%q): query sends none", req.GetContent())
	}
	want := req.GetQueryParams()
	q := signedURL("", action, region, creds, want["SignatureNonce"], want["Timestamp"], params)
	got, err := url.ParseQuery(q)
	if err != nil {
		t.Fatalf("query %q: %v", q, err)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || len(g) != 1 || g[0] != v {
			t.Errorf("%s: SDK %q, ours %q", k, v, g)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s=%q: ours only", k, v)
		}
	}
}

func ptr[T any](v T) *T { return &v }

var sdkCases = []struct {
	name  string
	creds request.Credentials
	item  core.Item
}{
	{"minimal", cred("LTAI5tTest", "secret", ""), core.Item{PhoneNoA: "13800000001", GroupId: "1234", Expiration: "2026-12-01 10:00:00"}},
	{"every field, STS", cred("STS.abc", "s/e+c=r&e t", "token/with+odd=chars&"),
		core.Item{PhoneNoA: "13800000001", GroupId: "1234", PhoneNoB: "13900000002", PhoneNoX: "17100000003",
			ExpectCity: "杭州", Expiration: "2026-12-01 10:00:00", IsRecordingEnabled: ptr(true), OutId: "order~1*2 3",
			OutOrderId: "a-b_c.d", CallDisplayType: ptr(2), RingConfig: `{"AcallX":"100000001","BcallX":"100000002"}`,
			ASRStatus: ptr(false), ASRModelId: "model!'()", CallRestrict: "CONTROL_AX_DISABLE"}},
	{"zero values kept", cred("k", "s", ""), core.Item{PhoneNoA: "0", CallDisplayType: ptr(0), IsRecordingEnabled: ptr(false)}},
	{"bytes that are not UTF-8", cred("k", "s", ""), core.Item{PhoneNoA: "\xff\x00", OutId: "%41%zz"}},
}

func TestQueryMatchesSDK(t *testing.T) {
	for _, tc := range sdkCases {
		t.Run(tc.name, func(t *testing.T) {
			params := bindParams("FC123456", &tc.item)
			compare(t, "BindAxg", sdkBind("FC123456", &tc.item), params[:], "cn-hangzhou", tc.creds)

			items := []*core.Item{&tc.item, &sdkCases[0].item, {PhoneNoA: "<&>\u2028"}}
			bp, err := batchParams("FC123456", items)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, "BindBatchAxg", sdkBatch("FC123456", items), bp, "cn-shanghai", tc.creds)
		})
	}
}

func FuzzQueryMatchesSDK(f *testing.F) {
	for _, tc := range sdkCases {
		it := tc.item
		f.Add(tc.creds.AccessKeySecret, tc.creds.SecurityToken, it.PhoneNoA, it.PhoneNoB, it.ExpectCity, it.OutId, it.RingConfig, it.CallRestrict, it.IsRecordingEnabled != nil, 3)
	}
	f.Fuzz(func(t *testing.T, secret, token, a, b, city, outID, ring, restrict string, rec bool, display int) {
		it := core.Item{PhoneNoA: a, PhoneNoB: b, ExpectCity: city, OutId: outID, RingConfig: ring, CallRestrict: restrict, GroupId: "1234"}
		if rec {
			it.IsRecordingEnabled, it.CallDisplayType = ptr(rec), ptr(display)
		}
		creds := cred("LTAI5tFuzz", secret, token)
		params := bindParams("FC123456", &it)
		compare(t, "BindAxg", sdkBind("FC123456", &it), params[:], "cn-hangzhou", creds)
		bp, err := batchParams("FC123456", []*core.Item{&it})
		if err != nil {
			t.Fatal(err)
		}
		compare(t, "BindBatchAxg", sdkBatch("FC123456", []*core.Item{&it}), bp, "cn-hangzhou", creds)
	})
}

func TestNonceIsFreshAndTimestampUTC(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		n := nonce()
		if len(n) != 32 || strings.Trim(n, "0123456789abcdef") != "" || seen[n] {
			t.Fatalf("nonce %q: want 32 hex digits, never repeated", n)
		}
		seen[n] = true
	}
	cst := time.Date(2026, 11, 23, 8, 30, 5, 999, time.FixedZone("CST", 8*3600))
	if got := timestamp(cst); got != "2026-11-23T00:30:05Z" {
		t.Errorf("timestamp = %q, want the UTC second", got)
	}
}

func BenchmarkQuery(b *testing.B) {
	it := sdkCases[0].item
	creds := sdkCases[0].creds
	b.ReportAllocs()
	for b.Loop() {
		params := bindParams("FC123456", &it)
		_ = signedURL("https://dyplsapi.aliyuncs.com/?", "BindAxg", "cn-hangzhou", creds, nonce(), timestamp(time.Now()), params[:])
	}
}

// cred is an AccessKey pair with a token ("" for none).
func cred(id, secret, token string) request.Credentials {
	return request.Credentials{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token}
}
