// Package ossstore keeps a batch file's checkpoint, results and summary in
// OSS, through the official Go SDK (alibabacloud-oss-go-sdk-v2). Results are
// an appendable object: OSS refuses an append whose position is not the
// object's length, which makes "was this step already written?" a question
// OSS answers exactly.
package ossstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/axg-binder/binder/core/batchfile"
)

// Store keeps <Base>.results.jsonl, <Base>.summary.json and
// <Base>.checkpoint.json in Bucket.
type Store struct {
	Client *oss.Client
	Bucket string
	Base   string
}

var _ batchfile.Store = Store{}

func (s Store) key(suffix string) *string { return oss.Ptr(s.Base + suffix) }

// ResultsKey is the results object's key.
func (s Store) ResultsKey() string { return s.Base + ".results.jsonl" }

func (s Store) getJSON(ctx context.Context, suffix string, v any) (bool, error) {
	res, err := s.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: &s.Bucket, Key: s.key(suffix)})
	if notFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	return true, json.NewDecoder(res.Body).Decode(v)
}

func (s Store) putJSON(ctx context.Context, suffix string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = s.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: &s.Bucket, Key: s.key(suffix),
		Body: bytes.NewReader(b), ContentType: oss.Ptr("application/json")})
	return err
}

func (s Store) LoadCheckpoint(ctx context.Context) (*batchfile.Checkpoint, error) {
	var cp batchfile.Checkpoint
	found, err := s.getJSON(ctx, ".checkpoint.json", &cp)
	if !found || err != nil {
		return nil, err
	}
	return &cp, nil
}

func (s Store) SaveCheckpoint(ctx context.Context, cp batchfile.Checkpoint) error {
	return s.putJSON(ctx, ".checkpoint.json", cp)
}

func (s Store) AppendResults(ctx context.Context, offset int64, b []byte) error {
	_, err := s.Client.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: &s.Bucket, Key: s.key(".results.jsonl"),
		Position: oss.Ptr(offset), Body: bytes.NewReader(b), ContentType: oss.Ptr("application/x-ndjson")})
	var se *oss.ServiceError
	if errors.As(err, &se) && se.Code == "PositionNotEqualToLength" {
		if next, perr := strconv.ParseInt(se.Headers.Get("x-oss-next-append-position"), 10, 64); perr == nil && next > offset {
			return batchfile.ErrAhead
		}
	}
	return err
}

func (s Store) ReadResults(ctx context.Context, offset int64) (io.ReadCloser, error) {
	res, err := s.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: &s.Bucket, Key: s.key(".results.jsonl"),
		Range: oss.Ptr("bytes=" + strconv.FormatInt(offset, 10) + "-")})
	var se *oss.ServiceError
	if errors.As(err, &se) && se.Code == "InvalidRange" {
		return io.NopCloser(bytes.NewReader(nil)), nil // nothing past offset
	}
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

func (s Store) WriteSummary(ctx context.Context, sum batchfile.Summary) error {
	return s.putJSON(ctx, ".summary.json", sum)
}

func (s Store) ReadSummary(ctx context.Context) (batchfile.Summary, error) {
	var sum batchfile.Summary
	found, err := s.getJSON(ctx, ".summary.json", &sum)
	if err == nil && !found {
		err = errors.New("ossstore: no summary for a finished run")
	}
	return sum, err
}

func (s Store) Reset(ctx context.Context) error {
	for _, suffix := range []string{".results.jsonl", ".summary.json", ".checkpoint.json"} {
		if _, err := s.Client.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: &s.Bucket, Key: s.key(suffix)}); err != nil && !notFound(err) {
			return err
		}
	}
	return nil
}

func (s Store) stepKey(etag string, start int) *string {
	return s.key(".steps/" + batchfile.StepName(etag, start))
}

func (s Store) ClaimStep(ctx context.Context, etag string, start int) (bool, time.Duration, error) {
	_, err := s.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: &s.Bucket, Key: s.stepKey(etag, start),
		Body: bytes.NewReader(nil), ForbidOverwrite: oss.Ptr("true")})
	var se *oss.ServiceError
	if errors.As(err, &se) && se.Code == "FileAlreadyExists" {
		h, herr := s.Client.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: &s.Bucket, Key: s.stepKey(etag, start)})
		if herr != nil {
			return false, 0, herr
		}
		return false, time.Since(oss.ToTime(h.LastModified)), nil
	}
	return err == nil, 0, err
}

func (s Store) DropStep(ctx context.Context, etag string, start int) error {
	_, err := s.Client.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: &s.Bucket, Key: s.stepKey(etag, start)})
	return err
}

func notFound(err error) bool {
	var se *oss.ServiceError
	return errors.As(err, &se) && (se.Code == "NoSuchKey" || se.StatusCode == 404)
}
