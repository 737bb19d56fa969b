package fcenv_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/store/otsstore"
	"github.com/axg-binder/binder/internal/testkit/fakeots"
)

// TestLedgerSignsWithTheInvocationsRole: the Tablestore ledger signs with
// the credentials the invocation brought (the role's, rotated by Function
// Compute), not the stale ones in the environment, and a write without an
// invocation (one finishing in the background) with the last seen.
func TestLedgerSignsWithTheInvocationsRole(t *testing.T) {
	srv := fakeots.Start(t)
	srv.Table("ledger")
	vars := map[string]string{"AXG_TABLESTORE_ENDPOINT": srv.URL, "ALIBABA_CLOUD_ACCESS_KEY_ID": fakeots.AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "expired-secret"}
	d, err := fcenv.Ledger(func(k string) string { return vars[k] }, nil)("tablestore:" + fakeots.Instance + "/ledger")
	if err != nil {
		t.Fatal(err)
	}
	r := ledger.Record{Key: "k", Token: "t", Expires: time.Now().Add(time.Hour)}
	if _, err := d.Create(context.Background(), r); !errors.Is(err, ledger.ErrUnavailable) {
		t.Fatalf("with the environment's stale secret: %v", err)
	}
	role := request.Credentials{AccessKeyID: fakeots.AccessKeyID, AccessKeySecret: fakeots.AccessKeySecret, SecurityToken: "sts"}
	if _, err := d.Create(request.With(context.Background(), request.Info{Credentials: role}), r); err != nil {
		t.Fatalf("with the invocation's role: %v", err)
	}
	if got, err := d.Get(context.Background(), "k"); err != nil || got == nil {
		t.Fatalf("after, without an invocation: %+v, %v", got, err)
	}
}

// TestLedgerEndpoint: without AXG_TABLESTORE_ENDPOINT, the instance's
// endpoint in FC_REGION; with neither, start-up says what to set.
func TestLedgerEndpoint(t *testing.T) {
	if _, err := fcenv.Ledger(func(string) string { return "" }, nil)("tablestore:axg/ledger"); err == nil {
		t.Fatal("no endpoint and no region: no error")
	}
	for vars, want := range map[string]string{
		"FC_REGION=cn-hangzhou": "https://axg.cn-hangzhou.ots.aliyuncs.com",
		"FC_REGION=cn-hangzhou AXG_TABLESTORE_ENDPOINT=https://axg.cn-hangzhou.vpc.tablestore.aliyuncs.com": "https://axg.cn-hangzhou.vpc.tablestore.aliyuncs.com",
	} {
		env := map[string]string{}
		for _, kv := range strings.Fields(vars) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		d, err := fcenv.Ledger(func(k string) string { return env[k] }, nil)("tablestore:axg/ledger")
		l, ok := d.(*otsstore.Ledger)
		if err != nil || !ok || l.Client.Endpoint != want || l.Client.Instance != "axg" || l.Table != "ledger" {
			t.Errorf("%s: %+v, %v; want the endpoint %s", vars, d, err, want)
		}
	}
}
