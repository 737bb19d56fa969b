// Package ossstore keeps the binder's state in Alibaba Cloud OSS, through the
// official Go SDK (alibabacloud-oss-go-sdk-v2): Bucket is an objstore.Bucket
// (create-only writes by x-oss-forbid-overwrite), and results are an
// appendable object, whose position check makes "was this step already
// written?" a question OSS answers exactly.
package ossstore

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/axg-binder/binder/internal/store/objstore"
)

// Files keeps a batch file's checkpoint, results, summary and step claims
// under base in bucket.
func Files(c *oss.Client, bucket, base string) objstore.Files {
	b := Bucket{Client: c, Name: bucket}
	return objstore.Files{Bucket: b, Base: base, Results: appended{b, base + ".results.jsonl"}}
}

// Records keeps message records under prefix in bucket.
func Records(c *oss.Client, bucket, prefix string) objstore.Records {
	return objstore.Records{Bucket: Bucket{Client: c, Name: bucket}, Prefix: prefix}
}

// Bucket is an OSS bucket as an objstore.Bucket.
type Bucket struct {
	Client *oss.Client
	Name   string
}

var _ objstore.Bucket = Bucket{}

// Open opens the object at key for the file path, with its ETag.
func (b Bucket) Open(ctx context.Context, key string) (io.ReadCloser, string, error) {
	res, err := b.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: &b.Name, Key: &key})
	if err != nil {
		return nil, "", err
	}
	return res.Body, oss.ToString(res.ETag), nil
}

// Files keeps a batch file's state under base in this bucket.
func (b Bucket) Files(base string) objstore.Files { return Files(b.Client, b.Name, base) }

func (b Bucket) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	res, err := b.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: &b.Name, Key: &key})
	if notFound(err) {
		return nil, objstore.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

func (b Bucket) Put(ctx context.Context, key string, data []byte, contentType string, createOnly bool) (bool, error) {
	req := &oss.PutObjectRequest{Bucket: &b.Name, Key: &key, Body: bytes.NewReader(data), ContentType: &contentType}
	if createOnly {
		req.ForbidOverwrite = oss.Ptr("true")
	}
	_, err := b.Client.PutObject(ctx, req)
	var se *oss.ServiceError
	if createOnly && errors.As(err, &se) && se.Code == "FileAlreadyExists" {
		return false, nil
	}
	return err == nil, err
}

func (b Bucket) Delete(ctx context.Context, key string) error {
	_, err := b.Client.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: &b.Name, Key: &key})
	if notFound(err) {
		return nil
	}
	return err
}

func (b Bucket) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	p := b.Client.NewListObjectsV2Paginator(&oss.ListObjectsV2Request{Bucket: &b.Name, Prefix: &prefix})
	for p.HasNext() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			keys = append(keys, oss.ToString(o.Key))
		}
	}
	return keys, nil
}

func notFound(err error) bool {
	var se *oss.ServiceError
	return errors.As(err, &se) && (se.Code == "NoSuchKey" || se.StatusCode == 404)
}
