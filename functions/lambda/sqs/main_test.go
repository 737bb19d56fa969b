package main

import (
	"context"
	"strings"
	"testing"
)

func TestSetup(t *testing.T) {
	env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret", "AWS_REGION": "us-east-1"}
	if _, err := setup(context.Background(), func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "AXG_RESULT_BUCKET") {
		t.Fatalf("no bucket: %v", err)
	}
	env["AXG_RESULT_BUCKET"] = "axg-results"
	if _, err := setup(context.Background(), func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
}
