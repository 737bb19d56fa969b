// Command s3 is the binder's file path on AWS Lambda (provided.al2023,
// -tags lambda.norpc, "bootstrap") behind S3 ObjectCreated events: every
// CSV or JSON Lines object under AXG_INPUT_PREFIX is bound, with results,
// summary and checkpoint written under AXG_OUTPUT_PREFIX in the same bucket.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/axg-binder/binder/internal/function/awsenv"
	"github.com/axg-binder/binder/internal/function/emf"
	"github.com/axg-binder/binder/internal/function/lambdas3"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func main() {
	h, env, err := setup(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lambda-s3:", err)
		os.Exit(1)
	}
	lambda.Start(wiring.Flushing(env, h.Invoke))
}

func setup(getenv func(string) string) (*lambdas3.Handler, *wiring.Env, error) {
	getenv, err := awsenv.WithSecrets(context.Background(), getenv) // AXG_ALIBABA_SECRET
	if err != nil {
		return nil, nil, err
	}
	sink := emf.New(os.Stdout, getenv("AWS_LAMBDA_FUNCTION_NAME")) // metrics as Embedded Metric Format lines
	env, err := wiring.Setup(getenv, os.Stderr, wiring.Files, wiring.Deps{Shared: redisstore.Shared, Table: awsenv.Ledger(getenv), Metrics: sink})
	if err != nil {
		return nil, nil, err
	}
	client, err := awsenv.S3(getenv) // the function role's credentials and region
	if err != nil {
		return nil, nil, err
	}
	return &lambdas3.Handler{Env: env, Client: client}, env, nil
}
