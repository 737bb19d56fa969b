// Package awssqs is an SQS queue as the destination of forwarded call
// receipts (AXG_RECEIPTS_TO=sqs:URL): the Lambda receipts function alone
// links it, and the SQS client with it.
package awssqs

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/axg-binder/binder/internal/core/forward"
	"github.com/axg-binder/binder/internal/function/awsenv"
)

// Opener returns what opens an SQS queue as the receipts' destination,
// with the function role's credentials in its region;
// AWS_ENDPOINT_URL_SQS, where set, points at another endpoint (tests).
func Opener(getenv func(string) string) func(url string) (forward.Destination, error) {
	return func(url string) (forward.Destination, error) {
		region, creds, err := awsenv.Role(getenv)
		if err != nil {
			return nil, err
		}
		opts := sqs.Options{Region: region, Credentials: creds}
		if ep := getenv("AWS_ENDPOINT_URL_SQS"); ep != "" {
			opts.BaseEndpoint = aws.String(ep)
		}
		return &sqsQueue{c: sqs.New(opts), url: url}, nil
	}
}

// sqsQueue sends each delivery as one message, its body the envelope (the
// Id inside); a FIFO queue dedupes by the Id too.
type sqsQueue struct {
	c   *sqs.Client
	url string
}

func (q *sqsQueue) Deliver(ctx context.Context, id string, body []byte, _ int) error {
	in := &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(string(body))}
	if strings.HasSuffix(q.url, ".fifo") {
		in.MessageGroupId, in.MessageDeduplicationId = aws.String("receipts"), aws.String(id)
	}
	_, err := q.c.SendMessage(ctx, in)
	return err
}
