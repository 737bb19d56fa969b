// Package objstoretest checks a bucket's message results as senders read
// them: what objstore.Records writes over each bucket (OSS, S3).
package objstoretest

import (
	"context"
	"testing"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/message"
	"github.com/axg-binder/binder/internal/store/objstore"
)

// RunRecordsTests: a result written is read back whole; a redelivery's
// write replaces it; IDs that would leave the prefix stay in it.
func RunRecordsTests(t *testing.T, r objstore.Records) {
	ctx := context.Background()
	for _, id := range []string{"5b0e0f3a-0000-4000-8000-000000000001", "../escape", "a/b?c"} {
		if got, err := r.Get(ctx, id); err != nil || got != nil {
			t.Fatalf("%q before any write: %+v, %v", id, got, err)
		}
		for _, code := range []core.Code{core.CodeUpstreamTimeout, core.CodeOK} {
			want := message.Record{State: "done", Result: message.Result{MessageId: id, Kind: "bind", Code: code}}
			if err := r.Put(ctx, id, want); err != nil {
				t.Fatal(err)
			}
			if got, err := r.Get(ctx, id); err != nil || got == nil || got.Result.Code != code || got.Result.MessageId != id {
				t.Fatalf("%q after writing %s: %+v, %v", id, code, got, err)
			}
		}
		if k := r.Key(id); len(k) <= len(r.Prefix) || k[:len(r.Prefix)] != r.Prefix {
			t.Fatalf("%q's key %q leaves the prefix", id, k)
		}
	}
}
