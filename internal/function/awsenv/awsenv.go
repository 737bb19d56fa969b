// Package awsenv builds a Lambda function's AWS clients from its environment
// alone: the region and the execution role's credentials that Lambda sets as
// variables. aws-sdk-go-v2's config.LoadDefaultConfig reads the same
// variables first on Lambda, but links SSO, STS, IMDS and shared-file
// support a function never uses: 7 MB more per binary.
package awsenv

import (
	"context"
	"errors"

	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/store/dynamostore"
)

// Role reads AWS_REGION and the credentials AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
func Role(getenv func(string) string) (string, aws.CredentialsProvider, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		return "", nil, errors.New("AWS_REGION: not set (Lambda sets it; set it to run elsewhere)")
	}
	creds := aws.Credentials{AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: getenv("AWS_SESSION_TOKEN"), Source: "environment"}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return "", nil, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not set (Lambda sets them from the execution role)")
	}
	return region, aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }), nil
}

// S3 returns an S3 client for the function's region and role.
// AWS_ENDPOINT_URL_S3, where set, points it at another S3 (path-style), for
// tests and S3-compatible stores.
func S3(getenv func(string) string) (*s3.Client, error) {
	region, creds, err := Role(getenv)
	if err != nil {
		return nil, err
	}
	opts := s3.Options{Region: region, Credentials: creds}
	if ep := getenv("AWS_ENDPOINT_URL_S3"); ep != "" {
		opts.BaseEndpoint, opts.UsePathStyle = aws.String(ep), true
	}
	return s3.New(opts), nil
}

// Ledger opens AXG_LEDGER's "dynamodb:TABLE" (wiring.Deps.Table) in the
// function's region with its role. AWS_ENDPOINT_URL_DYNAMODB, where set,
// points it at another DynamoDB (dynalite in the tests).
func Ledger(getenv func(string) string) func(spec string) (ledger.Driver, error) {
	return func(spec string) (ledger.Driver, error) {
		table, ok := strings.CutPrefix(spec, "dynamodb:")
		if !ok {
			return nil, errors.New("this function opens dynamodb:TABLE only")
		}
		region, creds, err := Role(getenv)
		if err != nil {
			return nil, err
		}
		opts := dynamodb.Options{Region: region, Credentials: creds}
		if ep := getenv("AWS_ENDPOINT_URL_DYNAMODB"); ep != "" {
			opts.BaseEndpoint = aws.String(ep)
		}
		return dynamostore.New(dynamodb.New(opts), table), nil
	}
}
