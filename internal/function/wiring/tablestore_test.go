package wiring

import (
	"testing"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/testkit/fakeots"
)

// TestKeysAcrossInstancesOnTablestore: AXG_LEDGER=tablestore:INSTANCE/TABLE,
// as s.yaml sets it, opened the way the Function Compute functions open it
// (the role's credentials from the environment here, as no invocation
// brings any), on the wire-level fake: a key is kept across instances, and
// an instance out of reach answers 503 for a keyed request.
func TestKeysAcrossInstancesOnTablestore(t *testing.T) {
	srv := fakeots.Start(t)
	srv.Table("axg_ledger")
	vars := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emulator.DemoAccessKeySecret,
		"AXG_API_TOKENS": "t1", "AXG_LEDGER": "tablestore:" + fakeots.Instance + "/axg_ledger", "AXG_MAX_INSTANCES": "10",
		"AXG_TABLESTORE_ENDPOINT": srv.URL}
	cfg, err := Load(env(vars), HTTP, AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	// The table's credentials are the fake's; the upstream's the emulator's.
	tableVars := map[string]string{"AXG_TABLESTORE_ENDPOINT": srv.URL,
		"ALIBABA_CLOUD_ACCESS_KEY_ID": fakeots.AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": fakeots.AccessKeySecret}
	keysAcrossInstances(t, cfg, Deps{Table: fcenv.Ledger(env(tableVars), nil)}, srv.Stop)
	if srv.Calls("PutRow") == 0 {
		t.Fatal("nothing was written to the table")
	}
}
