package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEExamplesWork: the shell examples of the README and docs/
// against the local server run as written (their dates generated, never
// fixed) and bind; no example carries a date of its own, which would
// expire.
func TestREADMEExamplesWork(t *testing.T) {
	paths, _ := filepath.Glob("../../docs/*.md")
	var all strings.Builder
	for _, p := range append([]string{"../../README.md"}, paths...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	readme := all.String()
	if m := regexp.MustCompile(`"Expiration"\s*:\s*"\d{4}-`).FindAllString(readme, -1); len(m) > 0 {
		t.Errorf("the README carries fixed expirations, which expire: %v", m)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(readme, -1) {
		if strings.Contains(m[1], "http://127.0.0.1:9000/v1/axg/") {
			blocks = append(blocks, m[1])
		}
	}
	if len(blocks) < 4 {
		t.Fatalf("found %d examples against the local server", len(blocks))
	}
	// A folder ledger, as the order example says to start with: it keeps
	// the bindings the order routes read.
	_, _, url, _, stop := start(t, map[string]string{"AXG_LEDGER": "dir:" + t.TempDir()})
	defer stop()
	base := strings.TrimSuffix(url, "/v1/axg/bind")
	for _, block := range blocks {
		out, err := exec.Command("bash", "-c", strings.ReplaceAll(block, "http://127.0.0.1:9000", base)).Output()
		if err != nil {
			t.Fatalf("%s\n%v", block, err)
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		var answers []string
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				t.Fatalf("%s\nanswered %s", block, out)
			}
			answers = append(answers, string(raw))
			var a struct {
				Code           string
				SecretBindDTO  struct{ SecretNo string }
				SecretBindList struct{ SecretBind []struct{ Code string } }
			}
			if err := json.Unmarshal(raw, &a); err != nil || a.Code != "OK" {
				t.Fatalf("%s\nanswered %s", block, out)
			}
			binds := strings.Contains(string(raw), `"SecretBindDTO"`) || strings.Contains(string(raw), `"SecretBindList"`)
			if binds && a.SecretBindDTO.SecretNo == "" && (len(a.SecretBindList.SecretBind) == 0 || a.SecretBindList.SecretBind[0].Code != "OK") {
				t.Errorf("%s\nbound nothing: %s", block, out)
			}
		}
		if len(answers) == 0 {
			t.Fatalf("%s\nanswered nothing", block)
		}
		// The receipts example finds its call's receipts under the binding.
		if strings.Contains(block, "/_emulator/calls") {
			if n := strings.Count(string(out), `"Type":"Secret`); n < 4 || !strings.Contains(string(out), `"Receipts":[{`) {
				t.Errorf("%s\nthe call's receipts are not under the binding (%d): %s", block, n, out)
			}
			continue
		}
		// The order example finds its order's bindings, then unbinds them.
		if strings.Contains(block, "/order/") && (!strings.Contains(string(out), `"Bindings":[{`) || !strings.Contains(string(out), `"State":"unbound"`)) {
			t.Errorf("%s\nthe order was not found and closed: %s", block, out)
		}
		// The idempotency example's resend gets the first answer.
		if strings.Contains(block, "Idempotency-Key") && (len(answers) != 2 || answers[0] != answers[1]) {
			t.Errorf("%s\nthe resend got another answer: %s", block, out)
		}
	}
}
