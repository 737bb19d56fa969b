package emulator_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyplsapi"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/testkit/syncbuf"
)

// vendorClient is the vendor's own SDK client on the emulator, in process.
func vendorClient(t *testing.T, emu *emulator.Emulator) *dyplsapi.Client {
	t.Helper()
	cfg := sdk.NewConfig()
	cfg.Transport = emu.Transport()
	c, err := dyplsapi.NewClientWithOptions("cn-hangzhou", cfg, credentials.NewAccessKeyCredential(emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func bindRequest(a string) *dyplsapi.BindAxgRequest {
	req := dyplsapi.CreateBindAxgRequest()
	req.Domain, req.PoolKey, req.PhoneNoA, req.GroupId = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, a, "1234"
	req.Expiration = time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	return req
}

// TestMissingParameterIsTheGatewaysError: a call without a mandatory
// parameter is refused by the gateway, HTTP 400 Missing<Name>, which the SDK
// returns as an error (not a response with a code).
func TestMissingParameterIsTheGatewaysError(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	c := vendorClient(t, emu)
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"BindAxg without PoolKey", func() error {
			r := bindRequest("13800000001")
			r.PoolKey = ""
			_, err := c.BindAxg(r)
			return err
		}, "MissingPoolKey"},
		{"BindAxg without Expiration", func() error {
			r := bindRequest("13800000001")
			r.Expiration = ""
			_, err := c.BindAxg(r)
			return err
		}, "MissingExpiration"},
		{"BindBatchAxg without PoolKey", func() error {
			r := dyplsapi.CreateBindBatchAxgRequest()
			r.Domain = "dyplsapi.aliyuncs.com"
			r.AxgBindList = &[]dyplsapi.BindBatchAxgAxgBindList{{PhoneNoA: "13800000001"}}
			_, err := c.BindBatchAxg(r)
			return err
		}, "MissingPoolKey"},
		{"UnbindSubscription without SecretNo", func() error {
			r := dyplsapi.CreateUnbindSubscriptionRequest()
			r.Domain, r.PoolKey, r.SubsId = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, "1"
			_, err := c.UnbindSubscription(r)
			return err
		}, "MissingSecretNo"},
	} {
		var se *sdkerrors.ServerError
		err := tc.call()
		if !errors.As(err, &se) || se.HttpStatus() != 400 || se.ErrorCode() != tc.want || !strings.HasSuffix(se.Message(), "is mandatory for this action.") {
			t.Errorf("%s: %v, want HTTP 400 %s", tc.name, err, tc.want)
		}
	}
	if emu.Stats().Bindings != 0 {
		t.Error("a call missing a parameter bound")
	}
}

// TestBatchPoolBelongsToTheCall: an unknown PoolKey fails a BindBatchAxg
// whole; an item with a field that is not a string is refused alone.
func TestBatchPoolBelongsToTheCall(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	c := vendorClient(t, emu)
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	r := dyplsapi.CreateBindBatchAxgRequest()
	r.Domain, r.PoolKey = "dyplsapi.aliyuncs.com", "FC000000"
	r.AxgBindList = &[]dyplsapi.BindBatchAxgAxgBindList{{PhoneNoA: "13800000001", GroupId: "1234", Expiration: exp}}
	resp, err := c.BindBatchAxg(r)
	if err != nil || resp.Code != "isv.POOLKEY_NOT_EXISTS" || len(resp.SecretBindList.SecretBind) != 0 {
		t.Fatalf("unknown pool: %+v %v", resp, err)
	}

	// A hand-built list (the SDK's type holds strings only), sent signed.
	list := `[{"PhoneNoA":"13800000001","GroupId":"1234","Expiration":"` + exp + `","RingConfig":{"AXGRing_A":"1"}},` +
		`{"PhoneNoA":"13800000002","GroupId":1234,"Expiration":"` + exp + `"},` +
		`{"PhoneNoA":"13800000003","GroupId":"1234","Expiration":"` + exp + `"}]`
	status, body := signedCall(t, emu, url.Values{"Action": {"BindBatchAxg"}, "PoolKey": {emulator.DemoPoolKey}, "AxgBindList": {list}})
	resp = dyplsapi.CreateBindBatchAxgResponse()
	if err := json.Unmarshal(body, resp); status != 200 || err != nil || resp.Code != "OK" || len(resp.SecretBindList.SecretBind) != 3 {
		t.Fatalf("hand-built list: %d %s", status, body)
	}
	for i, want := range []string{"isv.INVALID_PARAMETERS", "isv.INVALID_PARAMETERS", "OK"} {
		if got := resp.SecretBindList.SecretBind[i]; got.Code != want {
			t.Errorf("item %d: %+v, want %s", i, got, want)
		}
	}
	if m := resp.SecretBindList.SecretBind[0].Message; m != "RingConfig must be a string" {
		t.Errorf("item 0 says %q", m)
	}
}

// TestXMLWhenAsked: the RPC default, and what Format=XML asks for, is XML;
// the SDK parses it as it would the upstream's.
func TestXMLWhenAsked(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	c := vendorClient(t, emu)
	r := bindRequest("13800000001")
	r.AcceptFormat = "XML"
	resp, err := c.BindAxg(r)
	if err != nil || resp.Code != "OK" || resp.SecretBindDTO.SecretNo == "" || !strings.HasPrefix(resp.GetHttpContentString(), "<?xml") ||
		!strings.Contains(resp.GetHttpContentString(), "<BindAxgResponse>") {
		t.Fatalf("%+v %v\n%s", resp, err, resp.GetHttpContentString())
	}
	q := dyplsapi.CreateQuerySubscriptionDetailRequest()
	q.Domain, q.AcceptFormat, q.PoolKey, q.SubsId, q.PhoneNoX = "dyplsapi.aliyuncs.com", "XML", emulator.DemoPoolKey, resp.SecretBindDTO.SubsId, resp.SecretBindDTO.SecretNo
	d, err := c.QuerySubscriptionDetail(q)
	if err != nil || d.SecretBindDetailDTO.PhoneNoA != "13800000001" || d.SecretBindDetailDTO.Status != 1 {
		t.Fatalf("query in XML: %+v %v", d, err)
	}
	bad := bindRequest("13800000002")
	bad.AcceptFormat, bad.PoolKey = "XML", ""
	_, err = c.BindAxg(bad)
	var se *sdkerrors.ServerError
	// The SDK reads error bodies as JSON only: it returns the XML as the message.
	if !errors.As(err, &se) || se.HttpStatus() != 400 || !strings.Contains(se.Message(), "<Error><RequestId>") || !strings.Contains(se.Message(), "<Code>MissingPoolKey</Code>") {
		t.Errorf("an error in XML: %v", err)
	}
}

// TestLimits: the stated limits on one call (the vendor publishes none).
func TestLimits(t *testing.T) {
	emu := emulator.New(emulator.Demo(), emulator.WithLimits(3, 4096))
	c := vendorClient(t, emu)
	r := dyplsapi.CreateBindBatchAxgRequest()
	r.Domain, r.PoolKey = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey
	r.AxgBindList = &[]dyplsapi.BindBatchAxgAxgBindList{{PhoneNoA: "1"}, {PhoneNoA: "2"}, {PhoneNoA: "3"}, {PhoneNoA: "4"}}
	if resp, err := c.BindBatchAxg(r); err != nil || resp.Code != "isv.INVALID_PARAMETERS" {
		t.Errorf("4 items past a limit of 3: %+v %v", resp, err)
	}
	long := bindRequest("13800000001")
	long.OutId = strings.Repeat("x", 4096)
	_, err := c.BindAxg(long)
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) || se.HttpStatus() != http.StatusRequestURITooLong {
		t.Errorf("a URL past the limit: %v, want HTTP 414", err)
	}
}

// TestOnlyTheAPIPath: the API is at / only; RequestIds are upper-case
// UUIDs, as the vendor's.
func TestOnlyTheAPIPath(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	srv := httptest.NewServer(emu)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/v1/anything?Action=BindAxg&Format=JSON", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 404 || body["Code"] != "InvalidAction.NotFound" {
		t.Errorf("another path: %d %v", resp.StatusCode, body)
	}
	if !regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`).MatchString(body["RequestId"]) {
		t.Errorf("RequestId %q is not an upper-case UUID", body["RequestId"])
	}
}

// TestFaultsOverThePort: the controls queue faults a share or a number of
// calls at a time, show the state, and reset it.
func TestFaultsOverThePort(t *testing.T) {
	logs := &syncbuf.Buffer{}
	emu := emulator.New(emulator.Demo(), emulator.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	srv := httptest.NewServer(emu)
	defer srv.Close()
	post := func(path, body string) int {
		t.Helper()
		resp, err := http.Post(srv.URL+emulator.ControlPrefix+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := post("faults", `{"Action":"BindAxg","Code":"isv.FLOW_LIMIT","Times":2}`); s != 200 {
		t.Fatalf("POST faults: %d", s)
	}
	if s := post("faults", `{"Delay":"soon"}`); s != 400 {
		t.Errorf("a bad fault: %d, want 400", s)
	}
	c := vendorClient(t, emu)
	var codes []string
	for i := range 3 {
		resp, err := c.BindAxg(bindRequest(fmt.Sprintf("1380000000%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, resp.Code)
	}
	if strings.Join(codes, " ") != "isv.FLOW_LIMIT isv.FLOW_LIMIT OK" {
		t.Errorf("codes %v", codes)
	}
	// Half the calls: over 200 calls, between 60 and 140 hit.
	post("faults", `{"Action":"UnbindSubscription","Code":"isp.SYSTEM_ERROR","Times":-1,"Share":0.5}`)
	hit := 0
	for range 200 {
		r := dyplsapi.CreateUnbindSubscriptionRequest()
		r.Domain, r.PoolKey, r.SubsId, r.SecretNo = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, "1", "17100000000"
		resp, err := c.UnbindSubscription(r)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Code == "isp.SYSTEM_ERROR" {
			hit++
		}
	}
	if hit < 60 || hit > 140 {
		t.Errorf("a share of 0.5 hit %d of 200 calls", hit)
	}
	resp, err := http.Get(srv.URL + emulator.ControlPrefix + "state")
	if err != nil {
		t.Fatal(err)
	}
	var st emulator.State
	_ = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if len(st.Bindings) != 1 || st.Bindings[0].PhoneNoA != "138****0002" || len(st.Faults) != 1 || st.Counts["BindAxg"] != 3 || st.Calls[0].Action != "UnbindSubscription" {
		t.Errorf("state: %d bindings %+v, faults %+v, counts %v", len(st.Bindings), st.Bindings, st.Faults, st.Counts)
	}
	if post("reset", "") != 200 || len(emu.State().Bindings) != 0 || len(emu.State().Faults) != 0 || len(emu.State().Calls) != 0 {
		t.Errorf("after reset: %+v", emu.State())
	}
	// One log line a call, numbers masked.
	lines := strings.Count(logs.String(), "\n")
	if lines != 203 || strings.Contains(logs.String(), "13800000002") || !strings.Contains(logs.String(), `"numbers":["138****0002"]`) {
		t.Errorf("%d log lines, want 203, numbers masked:\n%.600s", lines, logs.String())
	}
}

// signedCall sends params with the common parameters, signed with the demo
// key, in JSON, and returns the status and body.
func signedCall(t *testing.T, emu *emulator.Emulator, params url.Values) (int, []byte) {
	t.Helper()
	params.Set("AccessKeyId", emulator.DemoAccessKeyID)
	params.Set("Format", "JSON")
	params.Set("SignatureMethod", "HMAC-SHA1")
	params.Set("SignatureVersion", "1.0")
	params.Set("SignatureNonce", fmt.Sprint(time.Now().UnixNano()))
	params.Set("Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05Z"))
	params.Set("Version", emulator.Version)
	params.Set("Signature", emulator.Sign(emulator.StringToSign("POST", params), emulator.DemoAccessKeySecret))
	req, _ := http.NewRequest("POST", "http://dyplsapi.aliyuncs.com/?"+params.Encode(), nil)
	resp, err := emu.Transport().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestControlsRefuseOtherSites: a page of another site cannot drive the
// emulator: what it can send without asking (text/plain, a form) is
// refused, and so is any change that names another origin. Curl, the
// tests and the console (same origin, JSON) still can.
func TestControlsRefuseOtherSites(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	send := func(method, ct string, hdr ...string) int {
		req, _ := http.NewRequest(method, srv.URL+emulator.ControlPrefix+"faults", strings.NewReader(`{"Code":"isv.FLOW_LIMIT"}`))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		name, method, ct string
		hdr              []string
		want             int
	}{
		{"text/plain, no-cors", "POST", "text/plain", []string{"Origin", "http://evil.example"}, 403},
		{"text/plain without an origin", "POST", "text/plain", nil, 415},
		{"a form", "POST", "application/x-www-form-urlencoded", nil, 415},
		{"JSON from another origin", "POST", "application/json", []string{"Origin", "http://evil.example"}, 403},
		{"cross-site fetch", "POST", "application/json", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"clearing from another origin", "DELETE", "", []string{"Origin", "http://evil.example"}, 403},
		{"the console (same origin)", "POST", "application/json; charset=utf-8", []string{"Origin", srv.URL, "Sec-Fetch-Site", "same-origin"}, 200},
		{"curl", "POST", "application/json", nil, 200},
		{"curl clearing", "DELETE", "", nil, 200},
	} {
		if got := send(c.method, c.ct, c.hdr...); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if n := len(emu.State().Faults); n != 0 {
		t.Fatalf("%d faults queued after the last clearing", n)
	}
}
