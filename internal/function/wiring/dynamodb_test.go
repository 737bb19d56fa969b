package wiring

import (
	"testing"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/function/awsenv"
	"github.com/axg-binder/binder/internal/testkit/dynalitetest"
)

// TestKeysAcrossInstancesOnDynamoDB: AXG_LEDGER=dynamodb:TABLE, as
// template.yaml sets it, opened the way the Lambda functions open it, on
// dynalite: a key is kept across instances, and a table out of reach
// answers 503 for a keyed request.
func TestKeysAcrossInstancesOnDynamoDB(t *testing.T) {
	srv := dynalitetest.Start(t)
	table := srv.Table(t, "axg-ledger")
	vars := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emulator.DemoAccessKeySecret,
		"AXG_API_TOKENS": "t1", "AXG_LEDGER": "dynamodb:" + table, "AXG_MAX_INSTANCES": "10",
		"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_ENDPOINT_URL_DYNAMODB": srv.URL}
	getenv := func(k string) string { return vars[k] }
	cfg, err := Load(getenv, HTTP, AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	keysAcrossInstances(t, cfg, Deps{Table: awsenv.Ledger(getenv)}, srv.Stop)
}
