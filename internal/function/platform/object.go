package platform

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/objstore"
)

// Object is one object a storage event announces (an OSS or an S3 record),
// its key decoded: the file path's neutral event.
type Object struct {
	Event  string `json:"event"` // ObjectCreated:PutObject, ...
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	ETag   string `json:"etag,omitempty"`
	Region string `json:"region,omitempty"`
}

// Source is a cloud's bucket as the file path reads and writes it.
type Source interface {
	// Open opens the object at key, with its ETag.
	Open(ctx context.Context, key string) (io.ReadCloser, string, error)
	// Files keeps the results, summary and checkpoint of a file under base.
	Files(base string) objstore.Files
}

// Files is what an event's objects came to: a summary per object bound.
type Files struct {
	Files []File `json:"files"`
}

// File is one object's outcome.
type File struct {
	Bucket, Key, Results string
	Summary              batchfile.Summary
}

// FileOptions are BindObjects' knobs: Step and Progress go to batchfile.Bind
// (Progress: tests).
type FileOptions struct {
	Step     int
	Progress func(done int)
}

// BindObjects is the file path's one pipeline, on every cloud: each object
// created under the input prefix is streamed through internal/core/batchfile from
// the bucket source gives, its results, summary and checkpoint written
// under the output prefix; others are logged and skipped. scheme ("oss",
// "s3") names the cloud in the ledger's scope and the logs. An error
// (batchfile.ErrNotFinished among them) fails the invocation: the
// platform's asynchronous retry goes on from the checkpoint.
func BindObjects(ctx context.Context, env *wiring.Env, scheme string, objs []Object, source func(Object) Source, opt FileOptions) (Files, error) {
	var out Files
	cfg := env.Config.Files
	for _, o := range objs {
		if !strings.HasPrefix(o.Event, "ObjectCreated") || !strings.HasPrefix(o.Key, cfg.InputPrefix) {
			env.Log.InfoContext(ctx, "object ignored", "store", scheme, "event", o.Event, "key", o.Key)
			continue
		}
		f, err := bindObject(ctx, env, scheme, o, source(o), opt)
		env.Log.InfoContext(ctx, "file", "store", scheme, "bucket", o.Bucket, "key", o.Key, "rows", f.Summary.Rows,
			"codes", f.Summary.Counts, "error", errText(err))
		if err != nil {
			return out, err
		}
		out.Files = append(out.Files, f)
	}
	return out, nil
}

func bindObject(ctx context.Context, env *wiring.Env, scheme string, o Object, src Source, opt FileOptions) (File, error) {
	cfg := env.Config.Files
	base := func(key string) string { return cfg.OutputPrefix + strings.TrimPrefix(key, cfg.InputPrefix) }
	st := src.Files(base(o.Key))
	f := File{Bucket: o.Bucket, Key: o.Key, Results: st.ResultsKey()}
	body, etag, err := src.Open(ctx, o.Key)
	if err != nil {
		return f, fmt.Errorf("reading %s://%s/%s: %w", scheme, o.Bucket, o.Key, err)
	}
	defer body.Close()
	if o.ETag != "" {
		etag = o.ETag // the event's: the version it announced
	}
	f.Summary, err = batchfile.Bind(ctx, env.Service, env.Validator, batchfile.File{Name: o.Key, ETag: strings.Trim(etag, `"`), Body: body}, st,
		batchfile.Options{PoolKey: cfg.PoolKey, MaxRowBytes: cfg.MaxRowBytes, Chunk: opt.Step, Progress: opt.Progress, Metrics: env.Metrics,
			Ledger: env.Ledger, Scope: scheme + ":" + o.Bucket, StoreOf: func(key string) batchfile.Store { return src.Files(base(key)) }})
	return f, err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
