package awsenv_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/axg-binder/binder/internal/function/awsenv"
)

// fakeSecrets answers GetSecretValue as Secrets Manager does on its JSON
// 1.1 protocol, from secrets by name, counting calls; it requires a SigV4
// signature from the role's key.
func fakeSecrets(t *testing.T, secrets map[string]string) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" ||
			!strings.Contains(r.Header.Get("Authorization"), "Credential=AKID/") {
			http.Error(w, "unexpected call", http.StatusBadRequest)
			return
		}
		var in struct{ SecretId string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		v, ok := secrets[in.SecretId]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"Name": in.SecretId, "SecretString": v})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestWithSecrets(t *testing.T) {
	srv, calls := fakeSecrets(t, map[string]string{
		"axg-binder/alibaba":    `{"AccessKeyId":"LTAI-from-secret","AccessKeySecret":"very-secret"}`,
		"axg-binder/api-tokens": "t1,t2\n",
		"axg-binder/redis":      "rediss://default:pw@cache.example:6379/0",
		"axg-binder/receipts":   "push-route-secret-0123456789\n",
		"axg-binder/signing":    "signing-key-0123456789",
		"not-json":              "LTAI",
	})
	base := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": srv.URL, "AXG_POOL_KEY": "FC1"}
	with := func(extra map[string]string) func(string) string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return func(k string) string { return m[k] }
	}
	ctx := context.Background()

	getenv, err := awsenv.WithSecrets(ctx, with(map[string]string{"AXG_ALIBABA_SECRET": "axg-binder/alibaba", "AXG_API_TOKENS_SECRET": "axg-binder/api-tokens",
		"AXG_REDIS_SECRET": "axg-binder/redis", "AXG_RECEIPTS_SECRET_SECRET": "axg-binder/receipts",
		"AXG_RECEIPTS_SIGNING_KEY_SECRET": "axg-binder/signing"}))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-from-secret", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "very-secret",
		"AXG_API_TOKENS": "t1,t2", "AXG_POOL_KEY": "FC1", "AXG_REDIS_URL": "rediss://default:pw@cache.example:6379/0",
		"AXG_RECEIPTS_SECRET": "push-route-secret-0123456789", "AXG_RECEIPTS_SIGNING_KEY": "signing-key-0123456789"} {
		if got := getenv(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if calls.Load() != 5 {
		t.Errorf("%d calls, want one per secret", calls.Load())
	}

	// No secret named: no call, the environment as it is.
	calls.Store(0)
	if getenv, err := awsenv.WithSecrets(ctx, with(nil)); err != nil || getenv("AXG_POOL_KEY") != "FC1" || calls.Load() != 0 {
		t.Errorf("without secrets: %v, %d calls", err, calls.Load())
	}

	for _, c := range []struct {
		extra map[string]string
		want  string
	}{
		{map[string]string{"AXG_ALIBABA_SECRET": "missing"}, `AXG_ALIBABA_SECRET: reading the secret "missing"`},
		{map[string]string{"AXG_ALIBABA_SECRET": "not-json"}, `AXG_ALIBABA_SECRET: the secret "not-json" must be JSON`},
		{map[string]string{"AXG_API_TOKENS_SECRET": "axg-binder/api-tokens", "AXG_API_TOKENS": "plain"}, "AXG_API_TOKENS is set, and a secret stands for it too"},
		{map[string]string{"AXG_ALIBABA_SECRET": "axg-binder/alibaba", "AWS_REGION": ""}, "AWS_REGION"},
	} {
		_, err := awsenv.WithSecrets(ctx, with(c.extra))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "very-secret") {
			t.Errorf("%v: %v, want %q", c.extra, err, c.want)
		}
	}
}
