package objstore

import (
	"context"
	"net/url"

	"github.com/axg-binder/binder/internal/core/message"
)

// Records writes message results to a bucket, one object per message ID
// under Prefix: <Prefix><MessageId>.json, where senders read them. Which
// messages were acted on is the ledger's to keep; this is only where the
// answer is shown.
type Records struct {
	Bucket Bucket
	Prefix string
}

var _ message.Results = Records{}

// Key is where a message's result lives; IDs are path-escaped, so that no
// two IDs share a key and none leaves the prefix.
func (s Records) Key(id string) string { return s.Prefix + url.PathEscape(id) + ".json" }

// Put writes the result, over any written before.
func (s Records) Put(ctx context.Context, id string, r message.Record) error {
	_, err := putJSON(ctx, s.Bucket, s.Key(id), r, false)
	return err
}

// Get reads a message's result, or nil.
func (s Records) Get(ctx context.Context, id string) (*message.Record, error) {
	var r message.Record
	found, err := getJSON(ctx, s.Bucket, s.Key(id), &r)
	if !found || err != nil {
		return nil, err
	}
	return &r, nil
}
