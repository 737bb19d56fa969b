// Package s3store keeps the binder's state in Amazon S3, through
// aws-sdk-go-v2: Bucket is an objstore.Bucket (create-only writes by
// If-None-Match: *), and results, since S3 has no append, are a part object
// per step, written only where none is, streamed into one results object
// by a multipart upload when the run finishes.
package s3store

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/axg-binder/binder/internal/store/objstore"
)

// Files keeps a batch file's checkpoint, results, summary and step claims
// under base in bucket.
func Files(c *s3.Client, bucket, base string) objstore.Files {
	b := Bucket{Client: c, Name: bucket}
	return objstore.Files{Bucket: b, Base: base, Results: parts{b, base}}
}

// Records keeps message records under prefix in bucket.
func Records(c *s3.Client, bucket, prefix string) objstore.Records {
	return objstore.Records{Bucket: Bucket{Client: c, Name: bucket}, Prefix: prefix}
}

// Bucket is an S3 bucket as an objstore.Bucket.
type Bucket struct {
	Client *s3.Client
	Name   string
}

var _ objstore.Bucket = Bucket{}

// Open opens the object at key for the file path, with its ETag.
func (b Bucket) Open(ctx context.Context, key string) (io.ReadCloser, string, error) {
	res, err := b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.Name, Key: &key})
	if err != nil {
		return nil, "", err
	}
	return res.Body, aws.ToString(res.ETag), nil
}

// Files keeps a batch file's state under base in this bucket.
func (b Bucket) Files(base string) objstore.Files { return Files(b.Client, b.Name, base) }

func (b Bucket) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	res, err := b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.Name, Key: &key})
	if notFound(err) {
		return nil, objstore.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

func (b Bucket) Put(ctx context.Context, key string, data []byte, contentType string, createOnly bool) (bool, error) {
	in := &s3.PutObjectInput{Bucket: &b.Name, Key: &key, Body: bytes.NewReader(data), ContentType: &contentType}
	if createOnly {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := b.Client.PutObject(ctx, in)
	var ae smithy.APIError
	if createOnly && errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed" {
		return false, nil
	}
	return err == nil, err
}

// Delete removes the object at key; S3 answers an absent one with success.
func (b Bucket) Delete(ctx context.Context, key string) error {
	_, err := b.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.Name, Key: &key})
	return err
}

func (b Bucket) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(b.Client, &s3.ListObjectsV2Input{Bucket: &b.Name, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

func notFound(err error) bool {
	var nsk *types.NoSuchKey
	return errors.As(err, &nsk)
}
