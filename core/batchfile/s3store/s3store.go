// Package s3store keeps a batch file's checkpoint, results and summary in S3,
// the AWS twin of ossstore. S3 has no append: each step's results are a part
// object named by its offset, written only where none is (so a step is never
// recorded twice), and the finished run streams the parts, in order, into one
// results object through a multipart upload of 5 MiB parts.
package s3store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/axg-binder/binder/core/batchfile"
)

// Store keeps <Base>.results.jsonl, <Base>.summary.json and
// <Base>.checkpoint.json in Bucket; the parts under <Base>.results.parts/
// until the run finishes.
type Store struct {
	Client *s3.Client
	Bucket string
	Base   string
}

var _ batchfile.Store = Store{}

// ResultsKey is the results object's key.
func (s Store) ResultsKey() string { return s.Base + ".results.jsonl" }

func (s Store) partsPrefix() string { return s.Base + ".results.parts/" }
func (s Store) partKey(offset int64) string {
	return fmt.Sprintf("%s%020d.jsonl", s.partsPrefix(), offset)
}

func (s Store) get(ctx context.Context, key string, v any) (bool, error) {
	res, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &key})
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	return true, json.NewDecoder(res.Body).Decode(v)
}

func (s Store) put(ctx context.Context, key string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.Bucket, Key: &key, Body: bytes.NewReader(b), ContentType: aws.String("application/json")})
	return err
}

func (s Store) LoadCheckpoint(ctx context.Context) (*batchfile.Checkpoint, error) {
	var cp batchfile.Checkpoint
	found, err := s.get(ctx, s.Base+".checkpoint.json", &cp)
	if !found || err != nil {
		return nil, err
	}
	return &cp, nil
}

func (s Store) SaveCheckpoint(ctx context.Context, cp batchfile.Checkpoint) error {
	return s.put(ctx, s.Base+".checkpoint.json", cp)
}

// parts lists the part offsets at or past from, in order.
func (s Store) parts(ctx context.Context, from int64) ([]int64, error) {
	var out []int64
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: &s.Bucket, Prefix: aws.String(s.partsPrefix())})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			off, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(aws.ToString(o.Key), s.partsPrefix()), ".jsonl"), 10, 64)
			if err == nil && off >= from {
				out = append(out, off)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func (s Store) AppendResults(ctx context.Context, offset int64, b []byte) error {
	ahead, err := s.parts(ctx, offset)
	if err != nil {
		return err
	}
	if len(ahead) > 0 {
		return batchfile.ErrAhead
	}
	_, err = s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.Bucket, Key: aws.String(s.partKey(offset)),
		Body: bytes.NewReader(b), ContentType: aws.String("application/x-ndjson")})
	return err
}

func (s Store) ReadResults(ctx context.Context, offset int64) (io.ReadCloser, error) {
	offs, err := s.parts(ctx, offset)
	if err != nil {
		return nil, err
	}
	return s.concat(ctx, offs), nil
}

// concat streams the parts at offs, one GET at a time.
func (s Store) concat(ctx context.Context, offs []int64) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		for _, off := range offs {
			res, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: aws.String(s.partKey(off))})
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			_, err = io.Copy(pw, res.Body)
			res.Body.Close()
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	return pr
}

// WriteSummary assembles the results object from the parts, then writes the
// summary and removes the parts.
func (s Store) WriteSummary(ctx context.Context, sum batchfile.Summary) error {
	offs, err := s.parts(ctx, 0)
	if err != nil {
		return err
	}
	body := s.concat(ctx, offs)
	defer body.Close()
	if err := s.upload(ctx, s.ResultsKey(), body); err != nil {
		return err
	}
	if err := s.put(ctx, s.Base+".summary.json", sum); err != nil {
		return err
	}
	for _, off := range offs {
		if _, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: aws.String(s.partKey(off))}); err != nil {
			return err
		}
	}
	return nil
}

func (s Store) stepKey(etag string, start int) *string {
	return aws.String(s.Base + ".steps/" + batchfile.StepName(etag, start))
}

func (s Store) ClaimStep(ctx context.Context, etag string, start int) (bool, time.Duration, error) {
	_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.Bucket, Key: s.stepKey(etag, start),
		Body: bytes.NewReader(nil), IfNoneMatch: aws.String("*")})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed" {
		h, herr := s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.Bucket, Key: s.stepKey(etag, start)})
		if herr != nil {
			return false, 0, herr
		}
		return false, time.Since(aws.ToTime(h.LastModified)), nil
	}
	return err == nil, 0, err
}

func (s Store) DropStep(ctx context.Context, etag string, start int) error {
	_, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: s.stepKey(etag, start)})
	return err
}

// partSize is S3's smallest multipart part (all but the last): what the
// upload holds in memory at once.
const partSize = 5 << 20

// upload streams body into key by multipart upload; a failed upload is
// aborted, leaving no parts behind.
func (s Store) upload(ctx context.Context, key string, body io.Reader) (err error) {
	mu, err := s.Client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.Bucket, Key: &key,
		ContentType: aws.String("application/x-ndjson")})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = s.Client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: &s.Bucket, Key: &key, UploadId: mu.UploadId})
		}
	}()
	buf := make([]byte, partSize)
	var parts []types.CompletedPart
	for n := int32(1); ; n++ {
		k, rerr := io.ReadFull(body, buf)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			return rerr
		}
		if k > 0 || n == 1 { // an empty file is one empty part
			res, err := s.Client.UploadPart(ctx, &s3.UploadPartInput{Bucket: &s.Bucket, Key: &key, UploadId: mu.UploadId,
				PartNumber: aws.Int32(n), Body: bytes.NewReader(buf[:k])})
			if err != nil {
				return err
			}
			parts = append(parts, types.CompletedPart{ETag: res.ETag, PartNumber: aws.Int32(n)})
		}
		if rerr != nil {
			break
		}
	}
	_, err = s.Client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &s.Bucket, Key: &key,
		UploadId: mu.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	return err
}

func (s Store) ReadSummary(ctx context.Context) (batchfile.Summary, error) {
	var sum batchfile.Summary
	found, err := s.get(ctx, s.Base+".summary.json", &sum)
	if err == nil && !found {
		err = errors.New("s3store: no summary for a finished run")
	}
	return sum, err
}

func (s Store) Reset(ctx context.Context) error {
	offs, err := s.parts(ctx, 0)
	if err != nil {
		return err
	}
	keys := []string{s.ResultsKey(), s.Base + ".summary.json", s.Base + ".checkpoint.json"}
	for _, off := range offs {
		keys = append(keys, s.partKey(off))
	}
	for _, k := range keys {
		if _, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: aws.String(k)}); err != nil {
			return err
		}
	}
	return nil
}
