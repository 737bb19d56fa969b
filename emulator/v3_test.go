package emulator_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/axg-binder/binder/emulator"
)

// v3Client is the vendor's generic OpenAPI client, as its current
// generated SDKs (Go, Node, Java, Python) call through it: signing with
// ACS3-HMAC-SHA256 unless told otherwise.
func v3Client(t *testing.T, endpoint, secret string) *openapi.Client {
	t.Helper()
	c, err := openapi.NewClient(&openapiutil.Config{AccessKeyId: dara.String(emulator.DemoAccessKeyID),
		AccessKeySecret: dara.String(secret), Endpoint: dara.String(strings.TrimPrefix(endpoint, "http://")), Protocol: dara.String("http")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rpc(action string) *openapiutil.Params {
	return &openapiutil.Params{Action: dara.String(action), Version: dara.String(emulator.Version), Protocol: dara.String("HTTP"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"), Style: dara.String("RPC"),
		ReqBodyType: dara.String("formData"), BodyType: dara.String("json")}
}

// TestV3SignedCallsBind: a BindAxg through the vendor's current client,
// V3-signed, binds — its parameters in the query as the generated SDKs
// put them, or in a form body; a wrong secret, a body changed after
// signing and a replayed nonce are refused as the gateway refuses them.
func TestV3SignedCallsBind(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	srv := httptest.NewServer(emu)
	defer srv.Close()
	c := v3Client(t, srv.URL, emulator.DemoAccessKeySecret)
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	args := map[string]*string{"PoolKey": dara.String(emulator.DemoPoolKey), "PhoneNoA": dara.String("13800000601"),
		"GroupId": dara.String("1234"), "Expiration": dara.String(exp), "OutOrderId": dara.String("订单 v3*~")}
	for _, req := range []*openapiutil.OpenApiRequest{{Query: args}, {Body: map[string]any{"PoolKey": emulator.DemoPoolKey,
		"PhoneNoA": "13800000602", "GroupId": "1234", "Expiration": exp}}} {
		res, err := c.CallApi(rpc("BindAxg"), req, &dara.RuntimeOptions{})
		if err != nil {
			t.Fatalf("V3 BindAxg: %v", err)
		}
		body, _ := res["body"].(map[string]any)
		dto, _ := body["SecretBindDTO"].(map[string]any)
		if body["Code"] != "OK" || dto["SubsId"] == "" {
			t.Fatalf("V3 BindAxg answered %v", res)
		}
	}
	if len(emu.BindingsOf("13800000601")) != 1 || len(emu.BindingsOf("13800000602")) != 1 {
		t.Fatal("the V3 binds made no bindings")
	}
	if _, err := v3Client(t, srv.URL, "not-the-secret").CallApi(rpc("BindAxg"), &openapiutil.OpenApiRequest{Query: args}, &dara.RuntimeOptions{}); err == nil ||
		!strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Fatalf("a wrong secret: %v", err)
	}
	if emu.Stats().Bindings != 2 {
		t.Fatalf("%d bindings after refused calls", emu.Stats().Bindings)
	}
}

// TestV3IncompleteSignature: an Authorization of the V3 scheme without a
// signature, or that leaves a required header unsigned, is the gateway's
// IncompleteSignature.
func TestV3IncompleteSignature(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	for _, auth := range []string{
		"ACS3-HMAC-SHA256 Credential=" + emulator.DemoAccessKeyID + ",SignedHeaders=host;x-acs-action",
		"ACS3-HMAC-SHA256 Credential=" + emulator.DemoAccessKeyID + ",SignedHeaders=host;x-acs-action,Signature=00",
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Authorization", auth)
		for _, h := range []string{"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"} {
			r.Header.Set(h, "x")
		}
		r.Header.Set("x-acs-action", "BindAxg")
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, r)
		if w.Code != 400 || !strings.Contains(w.Body.String(), "IncompleteSignature") {
			t.Errorf("%s: %d %s", auth, w.Code, w.Body)
		}
	}
}
