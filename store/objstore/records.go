package objstore

import (
	"context"
	"net/url"

	"github.com/axg-binder/binder/core/message"
)

// Records keeps message records in a bucket, one object per message ID under
// Prefix: <Prefix><MessageId>.json, where senders read their results. A
// claim is a create-only write, so that of two deliveries at once one wins.
type Records struct {
	Bucket Bucket
	Prefix string
}

var _ message.Store = Records{}

// Key is where a message's record lives; IDs are path-escaped, so that no
// two IDs share a key and none leaves the prefix.
func (s Records) Key(id string) string { return s.Prefix + url.PathEscape(id) + ".json" }

func (s Records) Load(ctx context.Context, id string) (*message.Record, error) {
	var r message.Record
	found, err := getJSON(ctx, s.Bucket, s.Key(id), &r)
	if !found || err != nil {
		return nil, err
	}
	return &r, nil
}

func (s Records) Save(ctx context.Context, id string, r message.Record) error {
	_, err := putJSON(ctx, s.Bucket, s.Key(id), r, false)
	return err
}

func (s Records) Claim(ctx context.Context, id string, r message.Record) (bool, error) {
	return putJSON(ctx, s.Bucket, s.Key(id), r, true)
}

func (s Records) Forget(ctx context.Context, id string) error {
	return s.Bucket.Delete(ctx, s.Key(id))
}
