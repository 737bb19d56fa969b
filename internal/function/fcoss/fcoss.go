// Package fcoss binds files dropped into OSS: the handler of a Function
// Compute OSS trigger (ObjectCreated events), which translates the event
// into platform.Objects for the file path's one pipeline.
package fcoss

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/function/platform"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/ossstore"
)

// Handler handles OSS trigger events, as env's file part says.
type Handler struct {
	env *wiring.Env
	// HTTPClient carries OSS requests (nil: the SDK's own).
	HTTPClient *http.Client
	platform.FileOptions
}

// New returns the handler.
func New(env *wiring.Env) *Handler { return &Handler{env: env} }

// Invoke binds the objects an OSS event announces, signing with the
// invocation's role; its answer is a platform.Files.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
	var ev events.OssEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("not an OSS event: %w", err)
	}
	inv := fcenv.FromContext(ctx, h.env.Config.Core.Credentials())
	out, err := platform.BindObjects(request.With(ctx, inv.Info), h.env, "oss", Objects(ev), func(o platform.Object) platform.Source {
		if inv.Region == "" {
			inv.Region = o.Region
		}
		return ossstore.Bucket{Client: fcenv.OSS(inv, h.env.Config.Files.OSSEndpoint, h.HTTPClient), Name: o.Bucket}
	}, h.FileOptions)
	b, _ := json.Marshal(out)
	return b, err
}

// Objects are the event's records as platform.Objects; keys arrive
// URL-encoded.
func Objects(ev events.OssEvent) []platform.Object {
	var out []platform.Object
	for _, rec := range ev.Events {
		if rec == nil || rec.Oss == nil || rec.Oss.Bucket == nil || rec.Oss.Object == nil {
			continue
		}
		key := str(rec.Oss.Object.Key)
		if k, err := url.PathUnescape(key); err == nil {
			key = k
		}
		out = append(out, platform.Object{Event: str(rec.EventName), Bucket: str(rec.Oss.Bucket.Name), Key: key,
			ETag: str(rec.Oss.Object.ETag), Region: str(rec.Region)})
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
