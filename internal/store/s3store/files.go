package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/store/objstore"
)

// parts keeps results as <base>.results.parts/<offset>.jsonl, one per step
// and each written only where none is, until Finish streams them, in order,
// into <base>.results.jsonl.
type parts struct {
	b    Bucket
	base string
}

var _ objstore.Results = parts{}

func (s parts) Key() string    { return s.base + ".results.jsonl" }
func (s parts) prefix() string { return s.base + ".results.parts/" }
func (s parts) partKey(offset int64) string {
	return fmt.Sprintf("%s%020d.jsonl", s.prefix(), offset)
}

// list lists the part offsets at or past from, in order.
func (s parts) list(ctx context.Context, from int64) ([]int64, error) {
	keys, err := s.b.List(ctx, s.prefix())
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, k := range keys {
		off, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(k, s.prefix()), ".jsonl"), 10, 64)
		if err == nil && off >= from {
			out = append(out, off)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func (s parts) Append(ctx context.Context, offset int64, b []byte) error {
	ahead, err := s.list(ctx, offset)
	if err != nil {
		return err
	}
	if len(ahead) > 0 {
		return batchfile.ErrAhead
	}
	// Create-only: of two appends of one step at once, one is written.
	written, err := s.b.Put(ctx, s.partKey(offset), b, "application/x-ndjson", true)
	if err == nil && !written {
		return batchfile.ErrAhead
	}
	return err
}

// Read streams the parts past offset; once the run has finished, the
// assembled results object instead.
func (s parts) Read(ctx context.Context, offset int64) (io.ReadCloser, error) {
	offs, err := s.list(ctx, offset)
	if err != nil || len(offs) > 0 {
		return s.concat(ctx, offs), err
	}
	res, err := s.b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.b.Name, Key: aws.String(s.Key()),
		Range: aws.String("bytes=" + strconv.FormatInt(offset, 10) + "-")})
	var ae smithy.APIError
	if notFound(err) || errors.As(err, &ae) && ae.ErrorCode() == "InvalidRange" {
		// No results object (not finished, so no part past offset either),
		// or none past offset: nothing to read.
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

// concat streams the parts at offs, one GET at a time.
func (s parts) concat(ctx context.Context, offs []int64) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		for _, off := range offs {
			rc, err := s.b.Get(ctx, s.partKey(off))
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			_, err = io.Copy(pw, rc)
			rc.Close()
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	return pr
}

// Finish assembles the results object from the parts, then removes them.
func (s parts) Finish(ctx context.Context) error {
	offs, err := s.list(ctx, 0)
	if err != nil {
		return err
	}
	body := s.concat(ctx, offs)
	defer body.Close()
	if err := s.upload(ctx, s.Key(), body); err != nil {
		return err
	}
	for _, off := range offs {
		if err := s.b.Delete(ctx, s.partKey(off)); err != nil {
			return err
		}
	}
	return nil
}

func (s parts) Remove(ctx context.Context) error {
	offs, err := s.list(ctx, 0)
	if err != nil {
		return err
	}
	keys := []string{s.Key()}
	for _, off := range offs {
		keys = append(keys, s.partKey(off))
	}
	for _, k := range keys {
		if err := s.b.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// partSize is S3's smallest multipart part (all but the last): what the
// upload holds in memory at once.
const partSize = 5 << 20

// upload streams body into key by multipart upload; a failed upload is
// aborted, leaving no parts behind.
func (s parts) upload(ctx context.Context, key string, body io.Reader) (err error) {
	c, bucket := s.b.Client, &s.b.Name
	mu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: &key,
		ContentType: aws.String("application/x-ndjson")})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = c.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: bucket, Key: &key, UploadId: mu.UploadId})
		}
	}()
	buf := make([]byte, partSize)
	var done []types.CompletedPart
	for n := int32(1); ; n++ {
		k, rerr := io.ReadFull(body, buf)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			return rerr
		}
		if k > 0 || n == 1 { // an empty file is one empty part
			res, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: &key, UploadId: mu.UploadId,
				PartNumber: aws.Int32(n), Body: bytes.NewReader(buf[:k])})
			if err != nil {
				return err
			}
			done = append(done, types.CompletedPart{ETag: res.ETag, PartNumber: aws.Int32(n)})
		}
		if rerr != nil {
			break
		}
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: &key,
		UploadId: mu.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	return err
}
