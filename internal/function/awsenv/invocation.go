package awsenv

import (
	"context"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/core/tracing"
)

// FromContext reads what Lambda says of an invocation from ctx, the twin of
// fcenv.FromContext: its request ID, and the X-Ray trace it belongs to
// (aws-lambda-go puts the invocation's header under the key
// "x-amzn-trace-id"). The adapter puts it on the request's context
// (request.With), once; the function role's credentials are the clients'.
func FromContext(ctx context.Context) request.Info {
	var in request.Info
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		in.ID = lc.AwsRequestID
	}
	xray, _ := ctx.Value("x-amzn-trace-id").(string)
	in.Parent = tracing.FromXRay(xray)
	return in
}
