package awsenv

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// The variables that name secrets, read when the function starts: their
// values never sit in the function's configuration, which
// GetFunctionConfiguration shows to anyone allowed to read it.
const (
	// AlibabaSecret names a secret holding {"AccessKeyId", "AccessKeySecret"}:
	// ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET.
	AlibabaSecret = "AXG_ALIBABA_SECRET"
	// TokensSecret names a secret whose text is AXG_API_TOKENS.
	TokensSecret = "AXG_API_TOKENS_SECRET"
	// RedisSecret names a secret whose text is AXG_REDIS_URL (it holds
	// Redis's password).
	RedisSecret = "AXG_REDIS_SECRET"
	// ReceiptsSecret names a secret whose text is AXG_RECEIPTS_SECRET, the
	// receipt push route's path secret.
	ReceiptsSecret = "AXG_RECEIPTS_SECRET_SECRET"
	// SigningSecret names a secret whose text is AXG_RECEIPTS_SIGNING_KEY.
	SigningSecret = "AXG_RECEIPTS_SIGNING_KEY_SECRET"
)

// WithSecrets returns getenv answering, from Secrets Manager, the variables
// the secrets named by AXG_ALIBABA_SECRET, AXG_API_TOKENS_SECRET,
// AXG_REDIS_SECRET, AXG_RECEIPTS_SECRET_SECRET and
// AXG_RECEIPTS_SIGNING_KEY_SECRET stand for; with none set it is getenv itself, and no call is made. A secret
// that cannot be read, or a variable set both ways, is an error naming it.
// AWS_ENDPOINT_URL_SECRETS_MANAGER, where set, points at another endpoint
// (tests).
func WithSecrets(ctx context.Context, getenv func(string) string) (func(string) string, error) {
	alibaba, tokens, redisURL := getenv(AlibabaSecret), getenv(TokensSecret), getenv(RedisSecret)
	receipts, signing := getenv(ReceiptsSecret), getenv(SigningSecret)
	if alibaba == "" && tokens == "" && redisURL == "" && receipts == "" && signing == "" {
		return getenv, nil
	}
	region, creds, err := Role(getenv)
	if err != nil {
		return nil, err
	}
	opts := secretsmanager.Options{Region: region, Credentials: creds}
	if ep := getenv("AWS_ENDPOINT_URL_SECRETS_MANAGER"); ep != "" {
		opts.BaseEndpoint = aws.String(ep)
	}
	c := secretsmanager.New(opts)
	values := map[string]string{}
	if alibaba != "" {
		s, err := secret(ctx, c, AlibabaSecret, alibaba)
		if err != nil {
			return nil, err
		}
		var key struct{ AccessKeyId, AccessKeySecret string }
		if json.Unmarshal([]byte(s), &key) != nil || key.AccessKeyId == "" || key.AccessKeySecret == "" {
			return nil, fmt.Errorf("%s: the secret %q must be JSON {\"AccessKeyId\": ..., \"AccessKeySecret\": ...}", AlibabaSecret, alibaba)
		}
		values["ALIBABA_CLOUD_ACCESS_KEY_ID"], values["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = key.AccessKeyId, key.AccessKeySecret
	}
	for _, s := range []struct{ name, id, variable string }{{TokensSecret, tokens, "AXG_API_TOKENS"}, {RedisSecret, redisURL, "AXG_REDIS_URL"},
		{ReceiptsSecret, receipts, "AXG_RECEIPTS_SECRET"}, {SigningSecret, signing, "AXG_RECEIPTS_SIGNING_KEY"}} {
		if s.id == "" {
			continue
		}
		text, err := secret(ctx, c, s.name, s.id)
		if err != nil {
			return nil, err
		}
		values[s.variable] = strings.TrimSpace(text)
	}
	for k := range values {
		if getenv(k) != "" {
			return nil, fmt.Errorf("%s is set, and a secret stands for it too: set one or the other", k)
		}
	}
	return func(k string) string {
		if v, ok := values[k]; ok {
			return v
		}
		return getenv(k)
	}, nil
}

// secret reads one secret's text; the error names the variable and the
// secret, never a value.
func secret(ctx context.Context, c *secretsmanager.Client, variable, id string) (string, error) {
	out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("%s: reading the secret %q: %w", variable, id, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("%s: the secret %q holds no text", variable, id)
	}
	return *out.SecretString, nil
}
