// Package idempotency keeps the answers to requests that carry an
// Idempotency-Key (the IETF draft's header), so that a caller who resends a
// request it cannot tell arrived gets the first answer back instead of a
// second binding. The records live in a Store: this instance's memory
// (Memory), or one every instance sees.
package idempotency

import (
	"context"
	"errors"
	"time"
)

// Record is what is kept per key: a request running until Until, or the
// answer it got.
type Record struct {
	// Fingerprint identifies the request (route and body): the same key with
	// another one is refused.
	Fingerprint string `json:"Fingerprint"`
	// Done is false while the first request runs; Until is when a running
	// record stops counting (the request's deadline has passed).
	Done  bool      `json:"Done"`
	Until time.Time `json:"Until"`
	// The answer, byte for byte.
	Status      int    `json:"Status,omitempty"`
	ContentType string `json:"ContentType,omitempty"`
	Body        []byte `json:"Body,omitempty"`
}

// Store keeps records by key; keys are already scoped to their caller.
type Store interface {
	// Begin records r (running) under key if no record is there, or only
	// one that ran past its Until: started is true. Otherwise it returns the
	// record that is.
	Begin(ctx context.Context, key string, r Record) (existing *Record, started bool, err error)
	// Finish replaces key's record with the answer, kept for ttl.
	Finish(ctx context.Context, key string, r Record, ttl time.Duration) error
}

// ErrUnavailable wraps a store's failure to answer: nothing is sent then.
var ErrUnavailable = errors.New("idempotency: the record store cannot be reached")
