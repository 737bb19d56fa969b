// Package lambdas3 binds files dropped into S3 on AWS Lambda, the twin of
// the OSS trigger: it translates the S3 event into platform.Objects for the
// file path's one pipeline, reading and writing the same bucket.
package lambdas3

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/function/awsenv"
	"github.com/axg-binder/binder/internal/function/platform"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/s3store"
)

// Handler handles S3 events, as env's file part says.
type Handler struct {
	Env    *wiring.Env
	Client *s3.Client
	platform.FileOptions
}

// Invoke binds the objects an S3 event announces; its answer is a
// platform.Files.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
	var ev events.S3Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("not an S3 event: %w", err)
	}
	ctx = request.With(ctx, awsenv.FromContext(ctx))
	out, err := platform.BindObjects(ctx, h.Env, "s3", Objects(ev), func(o platform.Object) platform.Source {
		return s3store.Bucket{Client: h.Client, Name: o.Bucket}
	}, h.FileOptions)
	b, _ := json.Marshal(out)
	return b, err
}

// Objects are the event's records as platform.Objects; keys arrive
// URL-encoded, spaces as +.
func Objects(ev events.S3Event) []platform.Object {
	out := make([]platform.Object, 0, len(ev.Records))
	for _, rec := range ev.Records {
		key, err := url.QueryUnescape(rec.S3.Object.Key)
		if err != nil {
			key = rec.S3.Object.Key
		}
		out = append(out, platform.Object{Event: rec.EventName, Bucket: rec.S3.Bucket.Name, Key: key, ETag: rec.S3.Object.ETag, Region: rec.AWSRegion})
	}
	return out
}
