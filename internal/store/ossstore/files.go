package ossstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/store/objstore"
)

// appended keeps results in one appendable object: complete as it grows.
type appended struct {
	b   Bucket
	key string
}

var _ objstore.Results = appended{}

func (a appended) Key() string { return a.key }

func (a appended) Append(ctx context.Context, offset int64, data []byte) error {
	_, err := a.b.Client.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: &a.b.Name, Key: &a.key,
		Position: oss.Ptr(offset), Body: bytes.NewReader(data), ContentType: oss.Ptr("application/x-ndjson")})
	var se *oss.ServiceError
	if errors.As(err, &se) && se.Code == "PositionNotEqualToLength" {
		if next, perr := strconv.ParseInt(se.Headers.Get("x-oss-next-append-position"), 10, 64); perr == nil && next > offset {
			return batchfile.ErrAhead
		}
	}
	return err
}

func (a appended) Read(ctx context.Context, offset int64) (io.ReadCloser, error) {
	res, err := a.b.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: &a.b.Name, Key: &a.key,
		Range: oss.Ptr("bytes=" + strconv.FormatInt(offset, 10) + "-"),
		// Without it OSS ignores a range that starts at the end and answers
		// the whole object, which recovery would take for an unrecorded step.
		RangeBehavior: oss.Ptr("standard")})
	var se *oss.ServiceError
	if notFound(err) || errors.As(err, &se) && se.Code == "InvalidRange" {
		return io.NopCloser(bytes.NewReader(nil)), nil // nothing past offset
	}
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

// Finish has nothing to do: the appended object is the results.
func (a appended) Finish(context.Context) error { return nil }

func (a appended) Remove(ctx context.Context) error { return a.b.Delete(ctx, a.key) }
