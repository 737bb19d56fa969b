package ledger

import (
	"context"
	"slices"
	"time"
)

// What drivers share: grouping a batch's set members by set, and waiting
// before a write is sent again.

// SetAdd is one set's new members in a batch, with the latest expiry among
// them: what a store that writes a set at a time (a DynamoDB item, a
// Tablestore row) sends.
type SetAdd struct {
	Key     string
	Values  []string // distinct, in the order added; never ""
	Expires time.Time
}

// GroupMembers groups adds by set, in the order the sets first appear.
func GroupMembers(adds []Member) []SetAdd {
	var out []SetAdd
	at := map[string]int{}
	for _, a := range adds {
		i, ok := at[a.Key]
		if !ok {
			i = len(out)
			at[a.Key] = i
			out = append(out, SetAdd{Key: a.Key, Expires: a.Expires})
		}
		s := &out[i]
		if a.Expires.After(s.Expires) {
			s.Expires = a.Expires
		}
		if a.Value != "" && !slices.Contains(s.Values, a.Value) {
			s.Values = append(s.Values, a.Value)
		}
	}
	return out
}

// Pause waits d before a write is sent again (a store that throttled), and
// returns the next wait, doubled up to a second; an error when ctx ends
// first.
func Pause(ctx context.Context, d time.Duration) (time.Duration, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return d, ctx.Err()
	case <-t.C:
		return min(2*d, time.Second), nil
	}
}
