// Package ossrecords keeps message records in OSS, one object per message ID
// under a prefix: <Prefix><MessageId>.json, where senders read their results.
package ossrecords

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"

	"github.com/axg-binder/binder/core/message"
)

// Store keeps records in Bucket under Prefix.
type Store struct {
	Client *oss.Client
	Bucket string
	Prefix string
}

var _ message.Store = Store{}

// Key is where a message's record lives.
func (s Store) Key(id string) string { return s.Prefix + url.PathEscape(id) + ".json" }

func (s Store) Load(ctx context.Context, id string) (*message.Record, error) {
	res, err := s.Client.GetObject(ctx, &oss.GetObjectRequest{Bucket: &s.Bucket, Key: oss.Ptr(s.Key(id))})
	var se *oss.ServiceError
	if errors.As(err, &se) && (se.Code == "NoSuchKey" || se.StatusCode == 404) {
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
	_, err = s.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: &s.Bucket, Key: oss.Ptr(s.Key(id)),
		Body: bytes.NewReader(b), ContentType: oss.Ptr("application/json")})
	return err
}

func (s Store) Claim(ctx context.Context, id string, r message.Record) (bool, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return false, err
	}
	_, err = s.Client.PutObject(ctx, &oss.PutObjectRequest{Bucket: &s.Bucket, Key: oss.Ptr(s.Key(id)),
		Body: bytes.NewReader(b), ContentType: oss.Ptr("application/json"), ForbidOverwrite: oss.Ptr("true")})
	var se *oss.ServiceError
	if errors.As(err, &se) && se.Code == "FileAlreadyExists" {
		return false, nil
	}
	return err == nil, err
}

func (s Store) Forget(ctx context.Context, id string) error {
	_, err := s.Client.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: &s.Bucket, Key: oss.Ptr(s.Key(id))})
	return err
}
