// Package fcenv is what a Function Compute function reads of its platform,
// the twin of awsenv: each invocation's request ID, region, trace and role
// credentials (a request.Info), and the clients the role signs: OSS and the
// Tablestore ledger.
package fcenv

import (
	"context"
	"net/http"
	"strings"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	osscreds "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/core/tracing"
)

// Invocation is what Function Compute says of one call: what the request
// carries (internal/internal/core/request), and the region its OSS clients use.
type Invocation struct {
	request.Info
	Region string
}

// FromContext reads what Function Compute says of the invocation from ctx:
// its request ID, region, trace and role's credentials (fallback where it
// brings none). The adapter puts it on the request's context
// (request.With), once.
func FromContext(ctx context.Context, fallback request.Credentials) Invocation {
	inv := Invocation{Info: request.Info{Credentials: fallback}}
	if fcc, ok := fccontext.FromContext(ctx); ok {
		inv.Region, inv.ID = fcc.Region, fcc.RequestID
		inv.Parent = tracing.FromFC(fcc.Tracing.OpenTracingSpanContext)
		if c := fcc.Credentials; c.AccessKeyId != "" {
			inv.Credentials = request.Credentials{AccessKeyID: c.AccessKeyId, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}
		}
	}
	return inv
}

// OSS returns a client signing with the invocation's credentials, in its region. endpoint ""
// means the region's internal endpoint; an http:// endpoint (a local one) is
// addressed path-style.
func OSS(inv Invocation, endpoint string, hc *http.Client) *oss.Client {
	c := inv.Credentials
	cfg := oss.LoadDefaultConfig().WithRegion(inv.Region).
		WithCredentialsProvider(osscreds.NewStaticCredentialsProvider(c.AccessKeyID, c.AccessKeySecret, c.SecurityToken))
	if endpoint != "" {
		cfg = cfg.WithEndpoint(endpoint)
		if strings.HasPrefix(endpoint, "http://") {
			cfg = cfg.WithUsePathStyle(true)
		}
	} else {
		cfg = cfg.WithUseInternalEndpoint(true)
	}
	if hc != nil {
		cfg = cfg.WithHttpClient(hc)
	}
	return oss.NewClient(cfg)
}
