package binder

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil), AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "cn-hangzhou" || c.Auth != AuthToken || c.MaxBodyBytes != 1<<20 || c.MaxBatchItems != 1000 ||
		c.UpstreamChunk != 100 || c.UpstreamQPS != 5000 || c.UpstreamTimeout != 5*time.Second ||
		c.RequestTimeout != 15*time.Second || c.Port != 9000 || c.Endpoint != "" {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestLoad(t *testing.T) {
	c, err := Load(env(map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s3cr3t", "ALIBABA_CLOUD_SECURITY_TOKEN": "tok",
		"DYPLS_ENDPOINT": "http://127.0.0.1:18080", "AXG_API_TOKENS": " a, b ,,", "AXG_AUTH": "platform",
		"AXG_UPSTREAM_QPS": "250.5", "AXG_UPSTREAM_TIMEOUT": "1500ms", "PORT": "0",
	}), AuthIfTokens)
	if err != nil {
		t.Fatal(err)
	}
	if c.SecurityToken != "tok" || strings.Join(c.APITokens, "|") != "a|b" || c.Auth != AuthPlatform ||
		c.UpstreamQPS != 250.5 || c.UpstreamTimeout != 1500*time.Millisecond || c.Port != 0 {
		t.Fatalf("config = %+v", c)
	}
}

func TestLoadNamesEveryBadVariable(t *testing.T) {
	_, err := Load(env(map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "", "DYPLS_ENDPOINT": "ftp://x/y",
		"DYPLS_REGION": "cn hangzhou", "AXG_AUTH": "none", "AXG_MAX_BODY_BYTES": "-1", "AXG_MAX_BATCH_ITEMS": "many",
		"AXG_UPSTREAM_CHUNK": "0", "AXG_UPSTREAM_QPS": "0", "AXG_UPSTREAM_TIMEOUT": "5", "AXG_REQUEST_TIMEOUT": "-1s", "PORT": "70000",
		"AXG_INPUT_PREFIX": "axg/", "AXG_OUTPUT_PREFIX": "axg/results/",
	}), AuthToken)
	if err == nil {
		t.Fatal("no error")
	}
	for _, name := range []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "DYPLS_ENDPOINT", "DYPLS_REGION", "AXG_AUTH", "AXG_MAX_BODY_BYTES",
		"AXG_MAX_BATCH_ITEMS", "AXG_UPSTREAM_CHUNK", "AXG_UPSTREAM_QPS", "AXG_UPSTREAM_TIMEOUT", "AXG_REQUEST_TIMEOUT", "PORT", "AXG_OUTPUT_PREFIX"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestLoadNeverPrintsSecrets(t *testing.T) {
	_, err := Load(env(map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "very-secret", "ALIBABA_CLOUD_SECURITY_TOKEN": "very-token"}), AuthToken)
	if err == nil || strings.Contains(err.Error(), "very-") {
		t.Fatalf("error %v", err)
	}
}
