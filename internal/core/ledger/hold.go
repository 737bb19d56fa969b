package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// A Hold is a long run's hold on a key, renewed as it goes, with a log of
// what it sent under the key: a file's step, whose rows go out over many
// calls. A run that dies leaves its hold to lapse after a lease, and its log
// tells the run that takes the key over which calls were made (the rows
// answered, and the ones of unknown outcome) and which never were.
//
// The hold and each log entry are records of their own (key, key#0,
// key#1...), all started: a bounded store never drops them (it refuses a new
// one), and they go when the run releases the key, or at their TTL.
type Hold struct {
	l     *Ledger
	key   string
	token string
	lease time.Duration
	ttl   time.Duration
	// Found says a lapsed hold was under the key, taken over: a run that
	// held the key died. No hold found where one should be means the store
	// lost it, and its log with it.
	Found bool

	mu     sync.Mutex
	tokens []string // the log's entries' tokens, by number: who wrote each
}

// ErrHeld says another run holds the key: its lease has not lapsed.
var ErrHeld = errors.New("ledger: another run holds the key")

// Take holds key for this run until lease from now, kept for ttl; ErrHeld
// if a hold on it was renewed less than a lease ago. A lapsed hold is taken
// over (Found).
func (l *Ledger) Take(ctx context.Context, key string, lease, ttl time.Duration) (*Hold, error) {
	h := &Hold{l: l, key: key, token: newToken(), lease: lease, ttl: ttl}
	now := l.now()
	rec := h.record(now)
	old, err := l.d.Create(ctx, rec)
	switch {
	case err != nil:
		return nil, err
	case old == nil || old.Token == h.token:
		return h, nil
	case now.Before(old.Lease):
		return nil, ErrHeld
	}
	if err := l.d.Replace(ctx, old.Token, rec); err != nil {
		if errors.Is(err, ErrLost) {
			return nil, ErrHeld // another run took it over first
		}
		return nil, err
	}
	h.Found = true
	return h, nil
}

func (h *Hold) record(now time.Time) Record {
	return Record{Key: h.key, Fingerprint: "hold", State: Started, Token: h.token, Lease: now.Add(h.lease), Expires: now.Add(h.ttl)}
}

// Renew moves the lease on from now; ErrLost when another run took the key
// over meanwhile: this run must send nothing more under it.
func (h *Hold) Renew(ctx context.Context) error {
	return h.l.d.Replace(ctx, h.token, h.record(h.l.now()))
}

func logKey(key string, n int) string { return key + "#" + strconv.Itoa(n) }

// Log appends entry to the key's log, durable when it returns. Entries are
// numbered in the order written; one call at a time, so that a log read
// back has no gaps (an entry that failed stops the run: a gap after it is
// never written).
func (h *Hold) Log(ctx context.Context, entry []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		now := h.l.now()
		n := len(h.tokens)
		old, err := h.l.d.Create(ctx, Record{Key: logKey(h.key, n), Fingerprint: "log", State: Started, Token: h.token,
			Lease: now.Add(h.ttl), Expires: now.Add(h.ttl), Body: entry})
		if err != nil {
			return err
		}
		if old == nil || old.Token == h.token {
			h.tokens = append(h.tokens, h.token)
			return nil
		}
		// A run that died wrote this number late: its entry stands, this
		// one goes after it.
		h.tokens = append(h.tokens, old.Token)
	}
}

// ReadLog reads the key's log in order; entries written from here on go
// after it.
func (h *Hold) ReadLog(ctx context.Context) ([][]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out [][]byte
	h.tokens = h.tokens[:0]
	for {
		r, err := h.l.d.Get(ctx, logKey(h.key, len(h.tokens)))
		if err != nil {
			return nil, err
		}
		if r == nil {
			return out, nil
		}
		out = append(out, r.Body)
		h.tokens = append(h.tokens, r.Token)
	}
}

// Release drops the hold and the log entries this hold knows of (those it
// wrote or read): the run is done with the key. The hold goes last, so
// that a release cut short leaves the key held until its lease lapses.
func (h *Hold) Release(ctx context.Context) error {
	if err := h.dropLog(ctx); err != nil {
		return err
	}
	return h.l.d.Delete(ctx, h.key, h.token)
}

// ClearLog drops the log a lapsed hold left (Found): for a run that knows
// it is stale, its calls recorded elsewhere or discarded. The key stays
// held.
func (h *Hold) ClearLog(ctx context.Context) error {
	if _, err := h.ReadLog(ctx); err != nil {
		return err
	}
	return h.dropLog(ctx)
}

func (h *Hold) dropLog(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	errs := make([]error, len(h.tokens))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for n, tok := range h.tokens {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[n] = h.l.d.Delete(ctx, logKey(h.key, n), tok)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ledger: dropping the log of %s: %w", h.key, err)
	}
	h.tokens = h.tokens[:0]
	return nil
}
