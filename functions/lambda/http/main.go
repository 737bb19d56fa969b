// Command http is the binder on AWS Lambda (provided.al2023, built with
// -tags lambda.norpc as "bootstrap") behind API Gateway REST or HTTP APIs or a
// function URL. Credentials for the Alibaba upstream come from the
// environment; the invocation's deadline bounds a request's retries.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/axg-binder/binder/internal/function/awsenv"
	"github.com/axg-binder/binder/internal/function/emf"
	"github.com/axg-binder/binder/internal/function/lambdahttp"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func main() {
	getenv, err := awsenv.WithSecrets(context.Background(), os.Getenv) // AXG_ALIBABA_SECRET, AXG_API_TOKENS_SECRET
	if err != nil {
		fmt.Fprintln(os.Stderr, "lambda-http:", err)
		os.Exit(1)
	}
	sink := emf.New(os.Stdout, getenv("AWS_LAMBDA_FUNCTION_NAME")) // metrics as Embedded Metric Format lines
	env, err := wiring.Setup(getenv, os.Stderr, wiring.HTTP, wiring.Deps{Shared: redisstore.Shared, Table: awsenv.Ledger(getenv), Metrics: sink})
	if err != nil {
		fmt.Fprintln(os.Stderr, "lambda-http:", err)
		os.Exit(1)
	}
	lambda.Start(wiring.Flushing(env, lambdahttp.Handler(env.HTTP(), env.Log)))
}
