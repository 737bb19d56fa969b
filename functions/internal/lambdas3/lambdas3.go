// Package lambdas3 binds files dropped into S3 on AWS Lambda, the twin of the
// OSS trigger: each object created under the input prefix is streamed
// through core/batchfile, its results, summary and checkpoint written under
// the output prefix of the same bucket.
package lambdas3

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/axg-binder/binder/core/batchfile"
	"github.com/axg-binder/binder/core/request"
	"github.com/axg-binder/binder/functions/internal/binder"
	"github.com/axg-binder/binder/store/s3store"
)

// Handler handles S3 events, as env's file part says.
type Handler struct {
	Env    *binder.Env
	Client *s3.Client
	// Step and Progress are passed to batchfile.Bind (Progress: tests).
	Step     int
	Progress func(done int)
}

// Invoke binds the objects the event announces.
func (h *Handler) Invoke(ctx context.Context, ev events.S3Event) ([]batchfile.Summary, error) {
	var out []batchfile.Summary
	cfg := h.Env.Config.Files
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		ctx = request.With(ctx, request.Info{ID: lc.AwsRequestID})
	}
	for _, rec := range ev.Records {
		bucket := rec.S3.Bucket.Name
		key, err := url.QueryUnescape(rec.S3.Object.Key) // S3 event keys are URL-encoded, spaces as +
		if err != nil {
			key = rec.S3.Object.Key
		}
		if !strings.HasPrefix(rec.EventName, "ObjectCreated") || !strings.HasPrefix(key, cfg.InputPrefix) {
			h.Env.Log.InfoContext(ctx, "s3 event ignored", "event", rec.EventName, "key", key)
			continue
		}
		s, err := h.file(ctx, bucket, key, rec.S3.Object.ETag)
		h.Env.Log.InfoContext(ctx, "s3 file", "bucket", bucket, "key", key, "rows", s.Rows, "codes", s.Counts, "error", fmt.Sprint(err))
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (h *Handler) file(ctx context.Context, bucket, key, etag string) (batchfile.Summary, error) {
	cfg := h.Env.Config.Files
	st := s3store.Files(h.Client, bucket, cfg.OutputPrefix+strings.TrimPrefix(key, cfg.InputPrefix))
	res, err := h.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return batchfile.Summary{}, fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
	}
	defer res.Body.Close()
	if etag == "" {
		etag = strings.Trim(aws.ToString(res.ETag), `"`)
	}
	s, err := batchfile.Bind(ctx, h.Env.Service, h.Env.Validator, batchfile.File{Name: key, ETag: etag, Body: res.Body}, st,
		batchfile.Options{PoolKey: cfg.PoolKey, MaxRowBytes: cfg.MaxRowBytes, Chunk: h.Step, Progress: h.Progress, Metrics: h.Env.Metrics,
			Ledger: h.Env.Ledger, Scope: "s3:" + bucket, StoreOf: func(key string) batchfile.Store {
				return s3store.Files(h.Client, bucket, cfg.OutputPrefix+strings.TrimPrefix(key, cfg.InputPrefix))
			}})
	return s, err // batchfile.ErrNotFinished fails the invocation: Lambda's asynchronous retry goes on from the checkpoint
}
