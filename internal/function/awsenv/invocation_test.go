package awsenv_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/axg-binder/binder/internal/function/awsenv"
)

// TestFromContext: the invocation's request ID and X-Ray parent, as
// aws-lambda-go gives them, for the HTTP, S3 and SQS functions alike.
func TestFromContext(t *testing.T) {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "inv-7"})
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1") //nolint:staticcheck // aws-lambda-go's own key
	in := awsenv.FromContext(ctx)
	if in.ID != "inv-7" || in.Parent.TraceID().String() != "5759e988bd862e3fe1be46a994272793" || in.Parent.SpanID().String() != "53995c3f42cd8ad8" || !in.Parent.IsSampled() {
		t.Fatalf("%+v", in)
	}
	if in := awsenv.FromContext(context.Background()); in.ID != "" || in.Parent.IsValid() {
		t.Fatalf("outside an invocation: %+v", in)
	}
}
