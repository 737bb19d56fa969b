// Package ledger keeps what must happen once (docs/idempotency-and-ledger.md):
// a record per key, begun under a lease before anything is sent and
// finished with the answer whatever happens, with one set of rules for
// "started", "answered" and "unknown" whichever path the operation came by.
//
// The rules live in Ledger, once; a Driver only stores records, with the
// few conditional writes the rules need (the shape go-cloud gives its
// drivers, and Powertools' idempotency its persistence layers). Every driver
// passes ledgertest's one suite: Memory here, a folder, Redis, and the cloud
// tables under internal/store/.
package ledger

import (
	"context"
	"errors"
	"time"
)

// State is where a record's operation stands.
type State string

const (
	// Started: a run holds the key until the record's Lease; what it sent
	// is not recorded yet.
	Started State = "started"
	// Answered: the operation's answer is recorded.
	Answered State = "answered"
)

// Record is what the ledger keeps under a key.
type Record struct {
	Key string `json:"Key"`
	// Fingerprint identifies the operation (route and body, a file's
	// content): the same key for another operation is refused.
	Fingerprint string `json:"Fingerprint"`
	State       State  `json:"State"`
	// Token names the run that wrote the record: only it (or a rule that
	// took the record over) may replace or delete it.
	Token string `json:"Token,omitempty"`
	// Lease is when a started run's time is up (its deadline and a grace
	// to record its answer); Expires when the record may be dropped.
	Lease   time.Time `json:"Lease,omitzero"`
	Expires time.Time `json:"Expires"`
	// Resend: the operation may run again after an unknown outcome (it is
	// idempotent upstream).
	Resend bool `json:"Resend,omitempty"`
	// The answer, byte for byte.
	Status      int    `json:"Status,omitempty"`
	ContentType string `json:"ContentType,omitempty"`
	Body        []byte `json:"Body,omitempty"`
}

// Driver stores records, and sets of strings. A key names a record or a
// set, never both. It keeps no rules but these: a record past its
// Expires is as good as gone, writes are conditional as each method says,
// and every call gives up by its context's deadline — a write that reaches
// the store after the caller gave up must not take effect where the store
// can tell (Redis compares its own clock with the deadline).
type Driver interface {
	// Create writes r under r.Key if no record is there, and returns nil;
	// otherwise it writes nothing and returns the record that is.
	Create(ctx context.Context, r Record) (*Record, error)
	// Replace writes r over the record under r.Key only if that record's
	// Token is token; ErrLost if it is not, or there is none.
	Replace(ctx context.Context, token string, r Record) error
	// Get returns the record under key, or nil.
	Get(ctx context.Context, key string) (*Record, error)
	// Delete removes the record under key if its Token is token (nothing
	// if there is none).
	Delete(ctx context.Context, key, token string) error

	// PutBatch writes records whole and adds members to sets, without
	// conditions: what the ledger's bindings need (each binding its record,
	// each order the set of its bindings), in one round trip where the
	// store allows. Each record and each member is written whole, not the
	// batch as one; a set lives as long as its latest Expires. Get reads
	// the records; they are not used with Create, Replace or Delete (a
	// store may keep them apart).
	PutBatch(ctx context.Context, recs []Record, adds []Member) error
	// Members returns the members of the set under key (none: empty).
	Members(ctx context.Context, key string) ([]string, error)
}

// Member is one value added to the set under Key.
type Member struct {
	Key, Value string
	Expires    time.Time
}

var (
	// ErrUnavailable wraps a driver's failure to answer: the ledger cannot
	// say what happened before, so nothing is sent.
	ErrUnavailable = errors.New("ledger: the store cannot be reached")
	// ErrFull says a bounded store has no room for a new record.
	ErrFull = errors.New("ledger: the store is full")
	// ErrLost says the record is no longer the writer's: another run took
	// it over, or it is gone.
	ErrLost = errors.New("ledger: the record is no longer this run's")
)
