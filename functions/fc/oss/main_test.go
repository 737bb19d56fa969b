//go:build release

// These check a deployable's wiring; each links a whole deployable, so
// they run with the release checks (make release-check), not go test ./... .

package main

import (
	"strings"
	"testing"
)

func TestSetup(t *testing.T) {
	if _, _, err := setup(func(string) string { return "" }); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	_, _, err := setup(func(k string) string { return map[string]string{"AXG_OUTPUT_PREFIX": "axg/incoming/x/"}[k] })
	if err == nil || !strings.Contains(err.Error(), "AXG_OUTPUT_PREFIX") {
		t.Fatalf("nested prefixes: %v", err)
	}
}
