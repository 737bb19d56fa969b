package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// stored is a record's body read as T, with its key and expiry.
type stored[T any] struct {
	Key     string
	Expires time.Time
	V       T
}

// readEach reads the records under keys (a set's members) as T, in order,
// skipping those gone (expired, or dropped by a bounded memory ledger).
func readEach[T any](ctx context.Context, d Driver, keys []string) ([]stored[T], error) {
	out := make([]stored[T], 0, len(keys))
	for _, k := range keys {
		r, err := d.Get(ctx, k)
		if err != nil {
			return nil, err
		}
		if r == nil {
			continue
		}
		s := stored[T]{Key: k, Expires: r.Expires}
		if err := json.Unmarshal(r.Body, &s.V); err != nil {
			return nil, fmt.Errorf("ledger: the record %s is unreadable: %w", k, err)
		}
		out = append(out, s)
	}
	return out, nil
}
