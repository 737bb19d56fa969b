// Package s3records keeps message records in S3, one object per message ID
// under a prefix — the AWS twin of ossrecords.
package s3records

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/axg-binder/binder/core/message"
)

// Store keeps records in Bucket under Prefix.
type Store struct {
	Client *s3.Client
	Bucket string
	Prefix string
}

var _ message.Store = Store{}

// Key is where a message's record lives.
func (s Store) Key(id string) string { return s.Prefix + url.PathEscape(id) + ".json" }

func (s Store) Load(ctx context.Context, id string) (*message.Record, error) {
	res, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: aws.String(s.Key(id))})
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var r message.Record
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

func (s Store) Save(ctx context.Context, id string, r message.Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.Bucket, Key: aws.String(s.Key(id)),
		Body: bytes.NewReader(b), ContentType: aws.String("application/json")})
	return err
}

func (s Store) Claim(ctx context.Context, id string, r message.Record) (bool, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return false, err
	}
	_, err = s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.Bucket, Key: aws.String(s.Key(id)),
		Body: bytes.NewReader(b), ContentType: aws.String("application/json"), IfNoneMatch: aws.String("*")})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed" {
		return false, nil
	}
	return err == nil, err
}

func (s Store) Forget(ctx context.Context, id string) error {
	_, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: aws.String(s.Key(id))})
	return err
}
