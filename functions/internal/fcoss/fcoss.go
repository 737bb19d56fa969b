// Package fcoss binds files dropped into OSS: the handler of a Function
// Compute OSS trigger (ObjectCreated events). Each object under the input
// prefix is streamed through core/batchfile, its results, summary and
// checkpoint written under the output prefix.
package fcoss

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/fc-runtime-go-sdk/events"

	"github.com/axg-binder/binder/core/batchfile"
	"github.com/axg-binder/binder/core/request"
	"github.com/axg-binder/binder/functions/internal/binder"
	"github.com/axg-binder/binder/functions/internal/fcrole"
	"github.com/axg-binder/binder/store/objstore"
	"github.com/axg-binder/binder/store/ossstore"
)

// Handler handles OSS trigger events, as env's file part says.
type Handler struct {
	env *binder.Env
	// HTTPClient carries OSS requests (nil: the SDK's own).
	HTTPClient *http.Client
	// Step and Progress are passed to batchfile.Bind (Progress: tests).
	Step     int
	Progress func(done int)
}

// New returns the handler.
func New(env *binder.Env) *Handler { return &Handler{env: env} }

// Outcome is the invocation's answer: a summary per object bound.
type Outcome struct {
	Files []File `json:"files"`
}

// File is one object's outcome.
type File struct {
	Bucket, Key, Results string
	Summary              batchfile.Summary
}

// Invoke binds the objects the event announces.
func (h *Handler) Invoke(ctx context.Context, ev events.OssEvent) (Outcome, error) {
	var out Outcome
	cfg := h.env.Config.Files
	inv := fcrole.FromContext(ctx, h.env.Config.Core.Credentials())
	ctx = request.With(ctx, inv.Info)
	for _, rec := range ev.Events {
		if rec == nil || rec.Oss == nil || rec.Oss.Bucket == nil || rec.Oss.Object == nil {
			continue
		}
		name, bucket := str(rec.EventName), str(rec.Oss.Bucket.Name)
		key := str(rec.Oss.Object.Key)
		if k, err := url.PathUnescape(key); err == nil {
			key = k // event keys arrive URL-encoded
		}
		if !strings.HasPrefix(name, "ObjectCreated") || !strings.HasPrefix(key, cfg.InputPrefix) {
			h.env.Log.InfoContext(ctx, "oss event ignored", "event", name, "key", key)
			continue
		}
		if inv.Region == "" {
			inv.Region = str(rec.Region)
		}
		f, err := h.file(ctx, fcrole.OSS(inv, cfg.OSSEndpoint, h.HTTPClient), bucket, key, strings.Trim(str(rec.Oss.Object.ETag), `"`))
		h.env.Log.InfoContext(ctx, "oss file", "bucket", bucket, "key", key, "rows", f.Summary.Rows,
			"codes", f.Summary.Counts, "error", errText(err))
		if err != nil {
			return out, err
		}
		out.Files = append(out.Files, f)
	}
	return out, nil
}

func (h *Handler) file(ctx context.Context, c *oss.Client, bucket, key, etag string) (File, error) {
	cfg := h.env.Config.Files
	storeOf := func(key string) objstore.Files {
		return ossstore.Files(c, bucket, cfg.OutputPrefix+strings.TrimPrefix(key, cfg.InputPrefix))
	}
	st := storeOf(key)
	f := File{Bucket: bucket, Key: key, Results: st.ResultsKey()}
	res, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: &bucket, Key: &key})
	if err != nil {
		return f, fmt.Errorf("reading oss://%s/%s: %w", bucket, key, err)
	}
	defer res.Body.Close()
	if res.ETag != nil && etag == "" {
		etag = strings.Trim(*res.ETag, `"`)
	}
	f.Summary, err = batchfile.Bind(ctx, h.env.Service, h.env.Validator, batchfile.File{Name: key, ETag: etag, Body: res.Body}, st,
		batchfile.Options{PoolKey: cfg.PoolKey, MaxRowBytes: cfg.MaxRowBytes, Chunk: h.Step, Progress: h.Progress, Metrics: h.env.Metrics,
			Ledger: h.env.Ledger, Scope: "oss:" + bucket, StoreOf: func(key string) batchfile.Store { return storeOf(key) }})
	return f, err // batchfile.ErrNotFinished fails the invocation: FC's asynchronous retry goes on from the checkpoint
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
