// Package wiring sets a deployable up: the parts of the configuration it
// uses, read from the environment once and checked at start-up, and the
// core built from them (Env), which every main hands to its platform.
package wiring

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/logs"
	"github.com/axg-binder/binder/internal/core/request"
)

// Auth modes (AXG_AUTH).
const (
	AuthToken    = "token"    // callers present one of AXG_API_TOKENS
	AuthPlatform = "platform" // the trigger's own authentication is trusted
	// AuthIfTokens is the local server's default: tokens are required when set.
	AuthIfTokens = ""
)

// Part is a part of the configuration beyond the core's: a deployable reads,
// and so checks, only the parts it uses.
type Part uint8

const (
	HTTP     Part = 1 << iota // the HTTP API
	Files                     // the file path
	Messages                  // the message path
	Receipts                  // call receipts: pulled, forwarded (the HTTP API reads it too)
)

// Config is the binder's configuration (docs/configuration.md), in
// parts. Core is always read; the others only when asked for.
type Config struct {
	Log      LogConfig
	Core     CoreConfig
	HTTP     HTTPConfig
	Files    FilesConfig
	Messages MessagesConfig
	Receipts ReceiptsConfig
}

// LogConfig says who writes the log lines, and from which level.
type LogConfig struct {
	// Level is AXG_LOG_LEVEL, else Lambda's AWS_LAMBDA_LOG_LEVEL (its
	// LoggingConfig.ApplicationLogLevel), else INFO.
	Level slog.Level
	// Function and Version name the deployed function: Lambda's
	// AWS_LAMBDA_FUNCTION_NAME and _VERSION, or Function Compute's
	// FC_FUNCTION_NAME and FC_FUNCTION_VERSION (FC_VER_ID on older runtimes).
	Function, Version string
}

// Logger is the logger the configuration asks for, writing to w.
func (c LogConfig) Logger(w io.Writer) *slog.Logger {
	return logs.New(w, logs.Options{Level: c.Level, Function: c.Function, Version: c.Version})
}

func loadLog(getenv func(string) string, bad func(name, want, got string)) LogConfig {
	var c LogConfig
	name, v := "AXG_LOG_LEVEL", getenv("AXG_LOG_LEVEL")
	if v == "" {
		name, v = "AWS_LAMBDA_LOG_LEVEL", getenv("AWS_LAMBDA_LOG_LEVEL")
	}
	level, err := logs.ParseLevel(v)
	if err != nil {
		bad(name, "TRACE, DEBUG, INFO, WARN, ERROR or FATAL", v)
	}
	c.Level = level
	c.Function = orDefault(getenv("AWS_LAMBDA_FUNCTION_NAME"), getenv("FC_FUNCTION_NAME"))
	c.Version = orDefault(getenv("AWS_LAMBDA_FUNCTION_VERSION"), orDefault(getenv("FC_FUNCTION_VERSION"), getenv("FC_VER_ID")))
	return c
}

// CoreConfig is what calling the upstream takes.
type CoreConfig struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
	// Endpoint is the upstream base URL; "" when DYPLS_ENDPOINT is unset.
	Endpoint        string
	Region          string
	MaxBatchItems   int
	UpstreamChunk   int
	UpstreamQPS     float64
	UpstreamTimeout time.Duration
	// MinCallTime is the least time a call must have left before the
	// deadline once its turn under the ceiling comes (AXG_MIN_CALL_TIME).
	MinCallTime time.Duration
	// RedisURL is the Redis (Tair, ElastiCache, MemoryDB) every instance
	// shares, for the rate budget and idempotency records; "" keeps both in
	// the instance.
	RedisURL string
	// Ledger is AXG_LEDGER: "memory", "dir:PATH", a redis:// URL,
	// "dynamodb:TABLE" or "tablestore:INSTANCE/TABLE"; "" is AXG_REDIS_URL's
	// Redis where that is set, else memory.
	// LedgerMemoryBytes bounds the memory ledger.
	Ledger            string
	LedgerMemoryBytes int64
	// LedgerRetention is how long a binding's record outlives its
	// Expiration (AXG_LEDGER_RETENTION).
	LedgerRetention time.Duration
	// ReuseOrderBindings is AXG_ORDER_BINDINGS=reuse: a bind of an order
	// and A number with a live binding answers it.
	ReuseOrderBindings bool
	// MaxInstances is the platform's instance cap (AXG_MAX_INSTANCES), which
	// the descriptors set alike: each instance's share of the upstream's
	// ceiling when the shared rate budget is out of reach.
	MaxInstances int
}

// Credentials are the configured AccessKey, the fallback where a platform
// brings none per call.
func (c CoreConfig) Credentials() request.Credentials {
	return request.Credentials{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}
}

// HTTPConfig is the HTTP API's part.
type HTTPConfig struct {
	APITokens    []string
	Auth         string
	MaxBodyBytes int64
	// MaxInflightBytes bounds the memory request bodies in flight take
	// (AXG_MAX_INFLIGHT_BYTES).
	MaxInflightBytes int64
	RequestTimeout   time.Duration
	// ReadTimeout bounds a request's headers and body arriving, where the
	// binder serves HTTP itself (the local server, the FC web function).
	ReadTimeout time.Duration
	Port        int
	// IdempotencyTTL is how long answers to Idempotency-Keys are kept;
	// RequireIdempotency is AXG_IDEMPOTENCY=require.
	IdempotencyTTL     time.Duration
	RequireIdempotency bool
	// ReceiptsSecret is the path secret of the vendor's receipt push
	// (AXG_RECEIPTS_SECRET); "": no push route.
	ReceiptsSecret string
}

// FilesConfig is the file path's part: where files arrive and results go.
type FilesConfig struct {
	InputPrefix, OutputPrefix string
	// PoolKey is the default for rows that carry none.
	PoolKey string
	// OSSEndpoint overrides the region's internal OSS endpoint.
	OSSEndpoint string
	// MaxRowBytes is the longest row: a longer one is that row's error.
	MaxRowBytes int
}

// MessagesConfig is the message path's part: where results are written.
type MessagesConfig struct {
	ResultBucket, Prefix string
	// PoolKey is the default for messages that carry none.
	PoolKey     string
	OSSEndpoint string
}

var regionRE = regexp.MustCompile(`^[a-z0-9-]+$`)

// Load reads the core's configuration and the parts asked for through
// getenv. defaultAuth is the deployable's AXG_AUTH default: AuthToken for
// deployed functions, AuthIfTokens locally. Every bad variable is named in
// the error; a secret's value never is.
func Load(getenv func(string) string, parts Part, defaultAuth string) (Config, error) {
	var errs []error
	bad := func(name, want, got string) {
		errs = append(errs, fmt.Errorf("%s: want %s, got %q", name, want, got))
	}
	var c Config
	c.Log = loadLog(getenv, bad)
	c.Core = loadCore(getenv, bad, &errs)
	if parts&HTTP != 0 {
		c.HTTP = loadHTTP(getenv, defaultAuth, bad)
	}
	if parts&(HTTP|Receipts) != 0 {
		c.Receipts = loadReceipts(getenv, bad, &errs)
	}
	if parts&Files != 0 {
		c.Files = FilesConfig{
			InputPrefix:  orDefault(getenv("AXG_INPUT_PREFIX"), "axg/incoming/"),
			OutputPrefix: orDefault(getenv("AXG_OUTPUT_PREFIX"), "axg/results/"),
			PoolKey:      strings.TrimSpace(getenv("AXG_POOL_KEY")),
			OSSEndpoint:  strings.TrimSpace(getenv("AXG_OSS_ENDPOINT")),
			MaxRowBytes:  intVar(getenv, "AXG_MAX_ROW_BYTES", 64<<10, 256, 16<<20, bad),
		}
		if in, out := c.Files.InputPrefix, c.Files.OutputPrefix; strings.HasPrefix(out, in) || strings.HasPrefix(in, out) {
			errs = append(errs, fmt.Errorf("AXG_INPUT_PREFIX %q and AXG_OUTPUT_PREFIX %q must not contain each other: results would trigger the function again", in, out))
		}
	}
	if parts&Messages != 0 {
		c.Messages = MessagesConfig{
			ResultBucket: strings.TrimSpace(getenv("AXG_RESULT_BUCKET")),
			Prefix:       orDefault(getenv("AXG_MESSAGE_PREFIX"), "axg/messages/"),
			PoolKey:      strings.TrimSpace(getenv("AXG_POOL_KEY")),
			OSSEndpoint:  strings.TrimSpace(getenv("AXG_OSS_ENDPOINT")),
		}
		if c.Messages.ResultBucket == "" {
			errs = append(errs, errors.New("AXG_RESULT_BUCKET: want the bucket where message results are written"))
		}
	}
	return c, errors.Join(errs...)
}

func loadCore(getenv func(string) string, bad func(name, want, got string), errs *[]error) CoreConfig {
	c := CoreConfig{
		AccessKeyID:     strings.TrimSpace(getenv("ALIBABA_CLOUD_ACCESS_KEY_ID")),
		AccessKeySecret: strings.TrimSpace(getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")),
		SecurityToken:   strings.TrimSpace(getenv("ALIBABA_CLOUD_SECURITY_TOKEN")),
		Endpoint:        strings.TrimSpace(getenv("DYPLS_ENDPOINT")),
		Region:          orDefault(getenv("DYPLS_REGION"), dypls.DefaultRegion),
	}
	if (c.AccessKeyID == "") != (c.AccessKeySecret == "") {
		*errs = append(*errs, errors.New("ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET: set both or neither"))
	}
	if c.SecurityToken != "" && c.AccessKeyID == "" {
		*errs = append(*errs, errors.New("ALIBABA_CLOUD_SECURITY_TOKEN: set only with ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"))
	}
	if c.Endpoint != "" {
		if _, err := dypls.New(dypls.Config{Endpoint: c.Endpoint, AccessKeyID: "x", AccessKeySecret: "x"}); err != nil {
			bad("DYPLS_ENDPOINT", "a base URL such as https://dyplsapi.aliyuncs.com or http://127.0.0.1:18080", c.Endpoint)
		}
	}
	if !regionRE.MatchString(c.Region) {
		bad("DYPLS_REGION", "a region ID such as cn-hangzhou", c.Region)
	}
	c.MaxBatchItems = intVar(getenv, "AXG_MAX_BATCH_ITEMS", 1000, 1, 100000, bad)
	c.UpstreamChunk = intVar(getenv, "AXG_UPSTREAM_CHUNK", core.DefaultChunk, 1, 1000, bad)
	c.UpstreamQPS = core.DefaultQPS
	if v := strings.TrimSpace(getenv("AXG_UPSTREAM_QPS")); v != "" {
		q, err := strconv.ParseFloat(v, 64)
		if err != nil || q <= 0 || q > 1e6 {
			bad("AXG_UPSTREAM_QPS", "a number of calls per second above 0", v)
		}
		c.UpstreamQPS = q
	}
	c.UpstreamTimeout = durationVar(getenv, "AXG_UPSTREAM_TIMEOUT", dypls.DefaultTimeout, bad)
	c.MaxInstances = intVar(getenv, "AXG_MAX_INSTANCES", 1, 1, 100000, bad)
	c.MinCallTime = durationVar(getenv, "AXG_MIN_CALL_TIME", core.DefaultMinCallTime, bad)
	if c.RedisURL = strings.TrimSpace(getenv("AXG_REDIS_URL")); c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			// The URL may hold a password: it is not repeated.
			bad("AXG_REDIS_URL", "redis://[user:password@]host:port[/db] or rediss://...", "(withheld)")
		}
	}
	c.Ledger = strings.TrimSpace(getenv("AXG_LEDGER"))
	switch l := c.Ledger; {
	case l == "", l == "memory", strings.HasPrefix(l, "dir:") && len(l) > len("dir:"):
	case strings.HasPrefix(l, "redis://"), strings.HasPrefix(l, "rediss://"):
		if u, err := url.Parse(l); err != nil || u.Host == "" {
			bad("AXG_LEDGER", "redis://[user:password@]host:port[/db] or rediss://...", "(withheld)")
		}
	case strings.HasPrefix(l, "dynamodb:"):
		if !dynamoTable(strings.TrimPrefix(l, "dynamodb:")) {
			bad("AXG_LEDGER", "dynamodb:TABLE, a table name of 3 to 255 letters, digits, '_', '-' or '.'", l)
		}
	case strings.HasPrefix(l, "tablestore:"):
		if !tablestoreSpec(strings.TrimPrefix(l, "tablestore:")) {
			bad("AXG_LEDGER", "tablestore:INSTANCE/TABLE (an instance of 3 to 16 letters, digits or '-', starting with a letter; a table of letters, digits or '_')", l)
		}
	default:
		bad("AXG_LEDGER", `"memory", "dir:PATH", a redis:// URL, dynamodb:TABLE or tablestore:INSTANCE/TABLE`, l)
	}
	c.LedgerMemoryBytes = int64(intVar(getenv, "AXG_LEDGER_MEMORY_BYTES", memoryLedgerDefault(getenv), 1<<20, 1<<40, bad))
	c.LedgerRetention = durationVar(getenv, "AXG_LEDGER_RETENTION", ledger.DefaultRetention, bad)
	switch v := strings.TrimSpace(getenv("AXG_ORDER_BINDINGS")); v {
	case "", "new":
	case "reuse":
		c.ReuseOrderBindings = true
	default:
		bad("AXG_ORDER_BINDINGS", `"new" or "reuse"`, v)
	}

	return c
}

func loadHTTP(getenv func(string) string, defaultAuth string, bad func(name, want, got string)) HTTPConfig {
	c := HTTPConfig{Auth: defaultAuth}
	for _, t := range strings.Split(getenv("AXG_API_TOKENS"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.APITokens = append(c.APITokens, t)
		}
	}
	if v := strings.TrimSpace(getenv("AXG_AUTH")); v != "" {
		if v != AuthToken && v != AuthPlatform {
			bad("AXG_AUTH", `"token" or "platform"`, v)
		}
		c.Auth = v
	}
	c.MaxBodyBytes = int64(intVar(getenv, "AXG_MAX_BODY_BYTES", httpapi.DefaultMaxBodyBytes, 1, 1<<30, bad))
	c.MaxInflightBytes = int64(intVar(getenv, "AXG_MAX_INFLIGHT_BYTES", platformMemory(getenv, 512<<20)/2, 1<<20, 1<<40, bad))
	c.Port = intVar(getenv, "PORT", 9000, 0, 65535, bad)
	c.RequestTimeout = durationVar(getenv, "AXG_REQUEST_TIMEOUT", httpapi.DefaultRequestTimeout, bad)
	c.ReadTimeout = durationVar(getenv, "AXG_READ_TIMEOUT", 10*time.Second, bad)
	c.IdempotencyTTL = durationVar(getenv, "AXG_IDEMPOTENCY_TTL", httpapi.DefaultIdempotencyTTL, bad)
	switch v := strings.TrimSpace(getenv("AXG_IDEMPOTENCY")); v {
	case "", "optional":
	case "require":
		c.RequireIdempotency = true
	default:
		bad("AXG_IDEMPOTENCY", `"optional" or "require"`, v)
	}
	if v := strings.TrimSpace(getenv("AXG_RECEIPTS_SECRET")); v != "" {
		if !pathSecret(v) {
			bad("AXG_RECEIPTS_SECRET", "16 to 128 letters, digits, - or _ (it is a URL path segment; e.g. openssl rand -hex 24)", fmt.Sprintf("(withheld: %d characters)", len(v)))
		}
		c.ReceiptsSecret = v
	}
	return c
}

// pathSecret reports whether s may stand in a URL path as a secret: long
// enough not to be guessed, and nothing that needs escaping.
func pathSecret(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

func intVar(getenv func(string) string, name string, def, lo, hi int, bad func(name, want, got string)) int {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		bad(name, fmt.Sprintf("a whole number from %d to %d", lo, hi), v)
		return def
	}
	return n
}

func durationVar(getenv func(string) string, name string, def time.Duration, bad func(name, want, got string)) time.Duration {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		bad(name, "a positive duration such as 5s or 1500ms", v)
		return def
	}
	return d
}

// dynamoTable is DynamoDB's rule for a table name: 3 to 255 letters,
// digits, '_', '-' or '.'. (Plain code, not a regexp: compiling one with
// counted repetitions cost every cold start 0.8 ms and 400 KB.)
func dynamoTable(name string) bool {
	return len(name) >= 3 && len(name) <= 255 && strings.IndexFunc(name, func(r rune) bool { return !tableRune(r, "._-") }) < 0
}

// tablestoreSpec is Tablestore's rule for INSTANCE/TABLE: an instance of 3
// to 16 letters, digits or '-', starting with a letter and not ending with
// '-'; a table of 1 to 255 letters, digits or '_', not starting with a digit.
func tablestoreSpec(spec string) bool {
	inst, table, ok := strings.Cut(spec, "/")
	return ok && len(inst) >= 3 && len(inst) <= 16 && isLetter(inst[0]) && inst[len(inst)-1] != '-' &&
		strings.IndexFunc(inst, func(r rune) bool { return !tableRune(r, "-") }) < 0 &&
		len(table) >= 1 && len(table) <= 255 && (isLetter(table[0]) || table[0] == '_') &&
		strings.IndexFunc(table, func(r rune) bool { return !tableRune(r, "_") }) < 0
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func tableRune(r rune, extra string) bool {
	return r < 0x80 && (isLetter(byte(r)) || '0' <= r && r <= '9' || strings.ContainsRune(extra, r))
}

// memoryLedgerDefault is the memory ledger's bound unless set: 64 MiB, but
// no more than a quarter of the function's memory where the platform says
// it (a 128 MB function keeps 32 MiB), so that a full ledger, with the
// garbage collector's headroom, never takes the instance down.
func memoryLedgerDefault(getenv func(string) string) int {
	return min(ledger.DefaultMemoryBytes, max(1<<20, platformMemory(getenv, 1<<40)/4))
}

// platformMemory is the function's memory as its platform says it
// (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, FC_FUNCTION_MEMORY_SIZE, in MB), or def.
func platformMemory(getenv func(string) string, def int) int {
	for _, v := range []string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "FC_FUNCTION_MEMORY_SIZE"} {
		if mb, err := strconv.Atoi(getenv(v)); err == nil && mb > 0 {
			return mb << 20
		}
	}
	return def
}
