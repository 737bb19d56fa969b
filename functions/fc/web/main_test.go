//go:build release

// These check a deployable's wiring; each links a whole deployable, so
// they run with the release checks (make release-check), not go test ./... .

package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// The web function is no development server: outside Function Compute it
// refuses to start, naming the variable, instead of serving on its own.
func TestRefusesToStartOutsideFunctionCompute(t *testing.T) {
	for _, port := range []string{"", "0", "70000", "x"} {
		env := map[string]string{"FC_CUSTOM_LISTEN_PORT": port, "AXG_API_TOKENS": "t"}
		err := run(context.Background(), func(k string) string { return env[k] }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "FC_CUSTOM_LISTEN_PORT") {
			t.Errorf("port %q: %v, want an error naming FC_CUSTOM_LISTEN_PORT", port, err)
		}
	}
}
