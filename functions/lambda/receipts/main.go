// Command receipts is the binder's call-receipts job on AWS Lambda
// (provided.al2023, -tags lambda.norpc, "bootstrap"), run every minute by
// an EventBridge schedule: the vendor's receipt queues read into the ledger
// (AXG_RECEIPTS_QUEUES), then the forwarding outbox swept (AXG_RECEIPTS_TO).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/axg-binder/binder/internal/core/dypls/mnsqueue"
	"github.com/axg-binder/binder/internal/core/pull"
	"github.com/axg-binder/binder/internal/function/awsenv"
	"github.com/axg-binder/binder/internal/function/awssqs"
	"github.com/axg-binder/binder/internal/function/emf"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func main() {
	env, err := setup(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lambda-receipts:", err)
		os.Exit(1)
	}
	lambda.Start(wiring.Flushing(env, func(ctx context.Context, _ events.EventBridgeEvent) (wiring.Tick, error) {
		return env.ReceiptsTick(ctx)
	}))
}

func setup(getenv func(string) string) (*wiring.Env, error) {
	getenv, err := awsenv.WithSecrets(context.Background(), getenv) // AXG_ALIBABA_SECRET, AXG_RECEIPTS_SIGNING_KEY_SECRET
	if err != nil {
		return nil, err
	}
	sink := emf.New(os.Stdout, getenv("AWS_LAMBDA_FUNCTION_NAME"))
	return wiring.Setup(getenv, os.Stderr, wiring.Receipts, wiring.Deps{ReceiptQueue: receiptQueue, SQS: awssqs.Opener(getenv), Shared: redisstore.Shared, Table: awsenv.Ledger(getenv), Metrics: sink})
}

// receiptQueue opens a receipt queue with the vendor's MNS client.
func receiptQueue(q wiring.QueueSpec) pull.Queue {
	return mnsqueue.New(q.Tokens, q.Name, q.Type, q.Endpoint, q.Timeout)
}
