//go:build release

// These check a deployable's wiring; each links a whole deployable, so
// they run with the release checks (make release-check), not go test ./... .

package main

import (
	"strings"
	"testing"
)

func TestSetup(t *testing.T) {
	if _, _, err := setup(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "AXG_RESULT_BUCKET") {
		t.Fatalf("no result bucket: %v", err)
	}
	if _, _, err := setup(func(k string) string { return map[string]string{"AXG_RESULT_BUCKET": "axg-bucket"}[k] }); err != nil {
		t.Fatal(err)
	}
}
