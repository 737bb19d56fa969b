//go:build release

// These check a deployable's wiring; each links a whole deployable, so
// they run with the release checks (make release-check), not go test ./... .

package main

import (
	"strings"
	"testing"
)

func TestSetup(t *testing.T) {
	env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret", "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token"}
	if _, _, err := setup(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "AXG_RESULT_BUCKET") {
		t.Fatalf("no bucket: %v", err)
	}
	env["AXG_RESULT_BUCKET"] = "axg-results"
	if _, _, err := setup(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
}
