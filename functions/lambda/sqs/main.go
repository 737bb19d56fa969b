// Command sqs is the binder's message path on AWS Lambda (provided.al2023,
// -tags lambda.norpc, "bootstrap") behind an SQS queue: each message is a
// BindAxg or BindBatchAxg body, bound once per message ID, its result written
// to s3://$AXG_RESULT_BUCKET/$AXG_MESSAGE_PREFIX<MessageId>.json.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/axg-binder/binder/internal/function/awsenv"
	"github.com/axg-binder/binder/internal/function/emf"
	"github.com/axg-binder/binder/internal/function/lambdasqs"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func main() {
	h, env, err := setup(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lambda-sqs:", err)
		os.Exit(1)
	}
	lambda.Start(wiring.Flushing(env, h.Invoke))
}

func setup(getenv func(string) string) (*lambdasqs.Handler, *wiring.Env, error) {
	getenv, err := awsenv.WithSecrets(context.Background(), getenv) // AXG_ALIBABA_SECRET
	if err != nil {
		return nil, nil, err
	}
	sink := emf.New(os.Stdout, getenv("AWS_LAMBDA_FUNCTION_NAME")) // metrics as Embedded Metric Format lines
	env, err := wiring.Setup(getenv, os.Stderr, wiring.Messages, wiring.Deps{Shared: redisstore.Shared, Table: awsenv.Ledger(getenv), Metrics: sink})
	if err != nil {
		return nil, nil, err
	}
	client, err := awsenv.S3(getenv) // the function role's credentials and region
	if err != nil {
		return nil, nil, err
	}
	return &lambdasqs.Handler{Env: env, Client: client}, env, nil
}
