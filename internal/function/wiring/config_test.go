package wiring

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/function/awsenv"
	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(env(nil), HTTP|Files, AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	c, h, f := cfg.Core, cfg.HTTP, cfg.Files
	if c.Region != "cn-hangzhou" || h.Auth != AuthToken || h.MaxBodyBytes != 1<<20 || c.MaxBatchItems != 1000 ||
		c.UpstreamChunk != 100 || c.UpstreamQPS != 5000 || c.UpstreamTimeout != 5*time.Second ||
		h.RequestTimeout != 15*time.Second || h.Port != 9000 || c.Endpoint != "" ||
		f.InputPrefix != "axg/incoming/" || f.OutputPrefix != "axg/results/" || c.MaxInstances != 1 {
		t.Fatalf("defaults = %+v", cfg)
	}
}

func TestLoad(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s3cr3t", "ALIBABA_CLOUD_SECURITY_TOKEN": "tok",
		"DYPLS_ENDPOINT": "http://127.0.0.1:18080", "AXG_API_TOKENS": " a, b ,,", "AXG_AUTH": "platform",
		"AXG_UPSTREAM_QPS": "250.5", "AXG_UPSTREAM_TIMEOUT": "1500ms", "PORT": "0", "AXG_RESULT_BUCKET": "b", "AXG_POOL_KEY": "FC1",
	}), HTTP|Messages, AuthIfTokens)
	if err != nil {
		t.Fatal(err)
	}
	c, h, m := cfg.Core, cfg.HTTP, cfg.Messages
	if c.SecurityToken != "tok" || strings.Join(h.APITokens, "|") != "a|b" || h.Auth != AuthPlatform ||
		c.UpstreamQPS != 250.5 || c.UpstreamTimeout != 1500*time.Millisecond || h.Port != 0 ||
		m.ResultBucket != "b" || m.Prefix != "axg/messages/" || m.PoolKey != "FC1" {
		t.Fatalf("config = %+v", cfg)
	}
}

func TestLoadNamesEveryBadVariable(t *testing.T) {
	_, err := Load(env(map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "", "DYPLS_ENDPOINT": "ftp://x/y",
		"DYPLS_REGION": "cn hangzhou", "AXG_AUTH": "none", "AXG_MAX_BODY_BYTES": "-1", "AXG_MAX_BATCH_ITEMS": "many",
		"AXG_UPSTREAM_CHUNK": "0", "AXG_UPSTREAM_QPS": "0", "AXG_UPSTREAM_TIMEOUT": "5", "AXG_REQUEST_TIMEOUT": "-1s", "PORT": "70000",
		"AXG_INPUT_PREFIX": "axg/", "AXG_OUTPUT_PREFIX": "axg/results/", "AXG_MAX_INSTANCES": "0",
		"AXG_IDEMPOTENCY": "always", "AXG_IDEMPOTENCY_TTL": "forever", "AXG_REDIS_URL": "http://user:very-secret-pw@cache:6379",
		"AXG_LOG_LEVEL": "loud", "AXG_LEDGER": "dynamo", "AXG_LEDGER_MEMORY_BYTES": "1k", "AXG_RECEIPTS_SECRET": "short/secret",
	}), HTTP|Files|Messages, AuthToken)
	if err == nil {
		t.Fatal("no error")
	}
	for _, name := range []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "DYPLS_ENDPOINT", "DYPLS_REGION", "AXG_AUTH", "AXG_MAX_BODY_BYTES",
		"AXG_MAX_BATCH_ITEMS", "AXG_UPSTREAM_CHUNK", "AXG_UPSTREAM_QPS", "AXG_UPSTREAM_TIMEOUT", "AXG_REQUEST_TIMEOUT", "PORT", "AXG_OUTPUT_PREFIX", "AXG_RESULT_BUCKET", "AXG_MAX_INSTANCES", "AXG_IDEMPOTENCY", "AXG_IDEMPOTENCY_TTL", "AXG_REDIS_URL", "AXG_LOG_LEVEL", "AXG_LEDGER", "AXG_LEDGER_MEMORY_BYTES", "AXG_RECEIPTS_SECRET"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	if strings.Contains(err.Error(), "very-secret-pw") || strings.Contains(err.Error(), "short/secret") {
		t.Errorf("the error repeats a password: %v", err)
	}
}

func TestLoadNeverPrintsSecrets(t *testing.T) {
	_, err := Load(env(map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "very-secret", "ALIBABA_CLOUD_SECURITY_TOKEN": "very-token"}), HTTP, AuthToken)
	if err == nil || strings.Contains(err.Error(), "very-") {
		t.Fatalf("error %v", err)
	}
}

// TestLoadChecksOnlyThePartsAsked: a deployable validates what it uses, and
// nothing else: the HTTP function does not care for file prefixes, nor the
// file function for a request timeout.
func TestLoadChecksOnlyThePartsAsked(t *testing.T) {
	vars := env(map[string]string{"AXG_INPUT_PREFIX": "axg/", "AXG_OUTPUT_PREFIX": "axg/results/", "AXG_REQUEST_TIMEOUT": "soon"})
	for _, c := range []struct {
		parts Part
		bad   []string
	}{
		{0, nil},
		{HTTP, []string{"AXG_REQUEST_TIMEOUT"}},
		{Files, []string{"AXG_OUTPUT_PREFIX"}},
		{Messages, []string{"AXG_RESULT_BUCKET"}},
		{HTTP | Files, []string{"AXG_REQUEST_TIMEOUT", "AXG_OUTPUT_PREFIX"}},
	} {
		_, err := Load(vars, c.parts, AuthToken)
		if (err == nil) != (len(c.bad) == 0) {
			t.Errorf("parts %b: %v", c.parts, err)
			continue
		}
		for _, name := range []string{"AXG_REQUEST_TIMEOUT", "AXG_OUTPUT_PREFIX", "AXG_RESULT_BUCKET"} {
			named := err != nil && strings.Contains(err.Error(), name)
			want := false
			for _, b := range c.bad {
				want = want || b == name
			}
			if named != want {
				t.Errorf("parts %b: names %s %v, want %v (%v)", c.parts, name, named, want, err)
			}
		}
	}
}

// TestLogFollowsThePlatform: the level is AXG_LOG_LEVEL, else Lambda's
// AWS_LAMBDA_LOG_LEVEL; the function is named as its platform names it.
func TestLogFollowsThePlatform(t *testing.T) {
	for _, tc := range []struct {
		env               map[string]string
		level             slog.Level
		function, version string
	}{
		{nil, slog.LevelInfo, "", ""},
		{map[string]string{"AWS_LAMBDA_LOG_LEVEL": "DEBUG", "AWS_LAMBDA_FUNCTION_NAME": "axg-http", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST"}, slog.LevelDebug, "axg-http", "$LATEST"},
		{map[string]string{"AWS_LAMBDA_LOG_LEVEL": "DEBUG", "AXG_LOG_LEVEL": "warn"}, slog.LevelWarn, "", ""},
		{map[string]string{"FC_FUNCTION_NAME": "binder-web", "FC_FUNCTION_VERSION": "3"}, slog.LevelInfo, "binder-web", "3"},
		{map[string]string{"FC_FUNCTION_NAME": "binder-web", "FC_VER_ID": "2"}, slog.LevelInfo, "binder-web", "2"},
	} {
		cfg, err := Load(env(tc.env), 0, AuthToken)
		if err != nil || cfg.Log.Level != tc.level || cfg.Log.Function != tc.function || cfg.Log.Version != tc.version {
			t.Errorf("%v: %+v %v", tc.env, cfg.Log, err)
		}
	}
}

// TestLedgerChoice: AXG_LEDGER's forms, and what an unset one becomes.
func TestLedgerChoice(t *testing.T) {
	dir := t.TempDir()
	table := awsenv.Ledger(env(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s"}))
	for _, c := range []struct {
		ledger, redis string
		want          string // the driver's type
	}{
		{"", "", "*ledger.Memory"},
		{"memory", "", "*ledger.Memory"},
		{"dir:" + dir, "", "*dirstore.Ledger"},
		{"redis://127.0.0.1:1/0", "", "redisstore.Ledger"},
		{"", "redis://127.0.0.1:1/0", "redisstore.Ledger"},
		{"memory", "redis://127.0.0.1:1/0", "*ledger.Memory"},
		{"dynamodb:axg-ledger", "redis://127.0.0.1:1/0", "dynamostore.Ledger"},
		{"tablestore:axg-prod/axg_ledger", "", "*otsstore.Ledger"},
	} {
		cfg, err := Load(env(map[string]string{"AXG_LEDGER": c.ledger, "AXG_REDIS_URL": c.redis}), HTTP, AuthToken)
		if err != nil {
			t.Fatal(err)
		}
		var shared ledger.Driver
		if cfg.Core.RedisURL != "" {
			shared, _ = redisstore.OpenLedger(cfg.Core.RedisURL)
		}
		open := table
		if strings.HasPrefix(c.ledger, "tablestore:") {
			open = fcenv.Ledger(env(map[string]string{"FC_REGION": "cn-hangzhou"}), nil)
		}
		d, err := openLedger(cfg.Core, shared, open)
		if got := fmt.Sprintf("%T", d); err != nil || got != c.want {
			t.Errorf("AXG_LEDGER=%q AXG_REDIS_URL=%q: %s, %v; want %s", c.ledger, c.redis, got, err, c.want)
		}
	}
}

// TestLedgerChoiceNeedsTheDriver: a cloud table where the deployable links
// no driver for it (DynamoDB on Function Compute, Tablestore on Lambda)
// stops start-up, saying so.
func TestLedgerChoiceNeedsTheDriver(t *testing.T) {
	for _, l := range []string{"dynamodb:axg-ledger", "tablestore:axg-prod/axg_ledger"} {
		cfg, err := Load(env(map[string]string{"AXG_LEDGER": l}), HTTP, AuthToken)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := openLedger(cfg.Core, nil, nil); err == nil || !strings.Contains(err.Error(), "AXG_LEDGER") {
			t.Fatalf("%s, no driver: %v", l, err)
		}
	}
}

// TestScaledNeedsASharedLedger: a deployed function of more than one
// instance with nothing shared refuses to start, naming what to set;
// AXG_LEDGER=memory written out, a shared ledger, or one instance start.
func TestScaledNeedsASharedLedger(t *testing.T) {
	base := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret", "AXG_API_TOKENS": "t1"}
	for _, c := range []struct {
		vars   map[string]string
		starts bool
	}{
		{map[string]string{"AXG_MAX_INSTANCES": "10"}, false},
		{map[string]string{"AXG_MAX_INSTANCES": "10", "AXG_LEDGER": "memory"}, true},
		{map[string]string{"AXG_MAX_INSTANCES": "10", "AXG_REDIS_URL": "redis://127.0.0.1:1/0"}, true},
		{map[string]string{"AXG_MAX_INSTANCES": "10", "AXG_LEDGER": "dir:" + t.TempDir()}, true},
		{map[string]string{}, true},
	} {
		vars := maps.Clone(base)
		maps.Copy(vars, c.vars)
		_, err := Setup(env(vars), io.Discard, HTTP, Deps{Shared: redisstore.Shared})
		if c.starts != (err == nil) || err != nil && (!strings.Contains(err.Error(), "AXG_LEDGER") || !strings.Contains(err.Error(), "AXG_MAX_INSTANCES=10")) {
			t.Errorf("%v: %v", c.vars, err)
		}
	}
}

// TestLedgerTableNames: the cloud tables' naming rules, at start-up.
func TestLedgerTableNames(t *testing.T) {
	for l, ok := range map[string]bool{
		"dynamodb:axg-ledger": true, "dynamodb:a.b_c-1": true, "dynamodb:ab": false, "dynamodb:axg ledger": false,
		"dynamodb:" + strings.Repeat("a", 255): true, "dynamodb:" + strings.Repeat("a", 256): false, "dynamodb:表格表": false,
		"tablestore:axg-prod/axg_ledger": true, "tablestore:axg/_t1": true, "tablestore:axg/1t": false, "tablestore:ax/t": false,
		"tablestore:1axg/t": false, "tablestore:axg-/t": false, "tablestore:axg/t-1": false, "tablestore:axg": false,
		"tablestore:a234567890123456/t": true, "tablestore:a2345678901234567/t": false, "tablestore:axg/": false,
	} {
		_, err := Load(env(map[string]string{"AXG_LEDGER": l}), HTTP, AuthToken)
		if (err == nil) != ok {
			t.Errorf("AXG_LEDGER=%s: %v", l, err)
		}
	}
}

// TestReceiptsDestinations: a webhook needs its signing key; an MNS or an
// SQS queue needs none (their own signatures), only a queue's URL.
func TestReceiptsDestinations(t *testing.T) {
	for _, c := range []struct {
		to, key, wantErr string
	}{
		{"https://hooks.example.com/axg", "a-signing-key-0123456789", ""},
		{"https://hooks.example.com/axg", "", "AXG_RECEIPTS_SIGNING_KEY"},
		{"http://hooks.example.com/axg", "a-signing-key-0123456789", "AXG_RECEIPTS_TO"},
		{"mns:https://1234.mns.cn-hangzhou.aliyuncs.com/queues/axg-receipts", "", ""},
		{"mns:https://1234.mns.cn-hangzhou.aliyuncs.com/topics/t", "", "AXG_RECEIPTS_TO"},
		{"sqs:https://sqs.us-east-1.amazonaws.com/1/q", "", ""},
		{"sqs:http://sqs.us-east-1.amazonaws.com/q", "", "AXG_RECEIPTS_TO"},
	} {
		_, err := Load(env(map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s",
			"AXG_RECEIPTS_TO": c.to, "AXG_RECEIPTS_SIGNING_KEY": c.key}), HTTP, AuthToken)
		if (c.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%s with key %q: %v, want %q", c.to, c.key, err, c.wantErr)
		}
	}
}
