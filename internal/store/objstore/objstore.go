// Package objstore keeps the binder's state as objects in a bucket, whatever
// the cloud: a batch file's checkpoint, summary and step claims (Files), and
// the message results senders read (Records; which messages were acted on
// is the ledger's). A cloud's package (internal/store/ossstore, internal/store/s3store)
// supplies the Bucket and, for Files, how results are appended; the rules
// exactly-once rests on are written here once, and proven for every cloud
// by the suite in internal/core/batchfile/storetest (the results by objstoretest).
package objstore

import (
	"context"
	"encoding/json"
	"errors"
	"io"
)

// ErrNotExist is a Bucket's answer for an object that is not there.
var ErrNotExist = errors.New("objstore: no such object")

// Bucket is what the stores need of an object store.
type Bucket interface {
	// Get opens the object at key, or answers ErrNotExist.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Put writes b at key; with createOnly, only where no object is, saying
	// false (and no error) where one was.
	Put(ctx context.Context, key string, b []byte, contentType string, createOnly bool) (bool, error)
	// Delete removes the object at key; an absent one is no error.
	Delete(ctx context.Context, key string) error
	// List lists the keys that start with prefix.
	List(ctx context.Context, prefix string) ([]string, error)
}

// getJSON decodes the object at key into v; an absent object is false, nil.
func getJSON(ctx context.Context, b Bucket, key string, v any) (bool, error) {
	rc, err := b.Get(ctx, key)
	if errors.Is(err, ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer rc.Close()
	return true, json.NewDecoder(rc).Decode(v)
}

// putJSON writes v at key, as Put does.
func putJSON(ctx context.Context, b Bucket, key string, v any, createOnly bool) (bool, error) {
	js, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return false, err
	}
	return b.Put(ctx, key, js, "application/json", createOnly)
}
