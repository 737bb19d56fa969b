package ledger

import (
	"bytes"
	"container/list"
	"context"
	"slices"
	"sync"
	"time"
)

// DefaultMemoryBytes is AXG_LEDGER_MEMORY_BYTES's default: 64 MiB.
const DefaultMemoryBytes = 64 << 20

// Memory keeps records in this instance's memory, within a bound: when a
// new record would pass it, answered records are dropped oldest first (the
// one way a record goes before its time), and if that is not room enough
// Create answers ErrFull rather than grow. Started records are never
// dropped: they hold their keys. An answer recorded for a started record is
// always kept, even past the bound for a while: the bound then refuses new
// records until answers age out.
type Memory struct {
	mu    sync.Mutex
	max   int64
	used  int64
	recs  map[string]*memEntry
	sets  map[string]*memEntry
	done  *list.List // answered entries and sets, oldest write first
	sweep time.Time
	now   func() time.Time
}

type memEntry struct {
	r    Record
	size int64
	elem *list.Element // in done, once answered
	// A set's members, in the order added (isSet).
	isSet   bool
	members []string
	has     map[string]bool
}

// entryOverhead is what a record costs beyond its strings and body: the
// map entry, the list element, the struct (measured: ~230 bytes).
const entryOverhead = 256

var _ Driver = (*Memory)(nil)

// NewMemory returns an empty store of at most maxBytes (DefaultMemoryBytes
// when 0 or less).
func NewMemory(maxBytes int64) *Memory {
	if maxBytes <= 0 {
		maxBytes = DefaultMemoryBytes
	}
	return &Memory{max: maxBytes, recs: map[string]*memEntry{}, sets: map[string]*memEntry{}, done: list.New(), now: time.Now}
}

// Used is the bytes the records take, as the bound counts them.
func (m *Memory) Used() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used
}

func sizeOf(r *Record) int64 {
	return int64(len(r.Key)+len(r.Fingerprint)+len(r.Token)+len(r.ContentType)+len(r.Body)) + entryOverhead
}

func (m *Memory) Create(ctx context.Context, r Record) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if e, ok := m.recs[r.Key]; ok {
		if now.Before(e.r.Expires) {
			cp := e.r
			return &cp, nil
		}
		m.remove(e)
	}
	r.Body = bytes.Clone(r.Body)
	e := &memEntry{r: r, size: sizeOf(&r)}
	if !m.room(e.size, nil) {
		return nil, ErrFull
	}
	m.recs[r.Key] = e
	m.used += e.size
	if r.State == Answered {
		e.elem = m.done.PushBack(e)
	}
	return nil, nil
}

func (m *Memory) Replace(ctx context.Context, token string, r Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.recs[r.Key]
	if !ok || e.r.Token != token || !m.now().Before(e.r.Expires) {
		return ErrLost
	}
	r.Body = bytes.Clone(r.Body) // not the caller's buffer, which may be far larger
	size := sizeOf(&r)
	m.used += size - e.size
	e.r, e.size = r, size
	if e.elem != nil {
		m.done.Remove(e.elem)
		e.elem = nil
	}
	if r.State == Answered {
		e.elem = m.done.PushBack(e)
	}
	m.room(0, e) // an answer is kept: make room by older ones where there are any
	return nil
}

func (m *Memory) Get(ctx context.Context, key string) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.recs[key]
	if !ok || !m.now().Before(e.r.Expires) {
		return nil, nil
	}
	cp := e.r
	return &cp, nil
}

func (m *Memory) Delete(ctx context.Context, key, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.recs[key]; ok && e.r.Token == token {
		m.remove(e)
	}
	return nil
}

// room drops answered records, oldest first (never keep), until need more
// bytes fit, and says whether they do.
func (m *Memory) room(need int64, keep *memEntry) bool {
	for m.used+need > m.max {
		front := m.done.Front()
		if front != nil && front.Value.(*memEntry) == keep {
			front = front.Next()
		}
		if front == nil {
			return false
		}
		m.remove(front.Value.(*memEntry))
	}
	return true
}

func (m *Memory) remove(e *memEntry) {
	if e.elem != nil {
		m.done.Remove(e.elem)
	}
	if e.isSet {
		delete(m.sets, e.r.Key)
	} else {
		delete(m.recs, e.r.Key)
	}
	m.used -= e.size
}

func (m *Memory) PutBatch(ctx context.Context, recs []Record, adds []Member) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	for _, r := range recs {
		if old, ok := m.recs[r.Key]; ok {
			m.remove(old)
		}
		r.Body = bytes.Clone(r.Body)
		e := &memEntry{r: r, size: sizeOf(&r)}
		m.recs[r.Key] = e
		m.used += e.size
		if r.State == Answered {
			e.elem = m.done.PushBack(e)
		}
	}
	for _, a := range adds {
		e, ok := m.sets[a.Key]
		if ok && !now.Before(e.r.Expires) {
			m.remove(e)
			ok = false
		}
		if !ok {
			e = &memEntry{r: Record{Key: a.Key}, size: int64(len(a.Key)) + entryOverhead, isSet: true, has: map[string]bool{}}
			m.sets[a.Key] = e
			m.used += e.size
			e.elem = m.done.PushBack(e)
		}
		if !e.has[a.Value] {
			e.has[a.Value] = true
			e.members = append(e.members, a.Value)
			e.size += int64(len(a.Value)) + memberOverhead
			m.used += int64(len(a.Value)) + memberOverhead
		}
		if a.Expires.After(e.r.Expires) {
			e.r.Expires = a.Expires
		}
		m.done.MoveToBack(e.elem)
	}
	m.room(0, nil)
	return nil
}

// memberOverhead is what a set's member costs beyond its bytes: its map
// entry and its place in the list.
const memberOverhead = 64

func (m *Memory) Members(ctx context.Context, key string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.sets[key]
	if !ok || !m.now().Before(e.r.Expires) {
		return nil, nil
	}
	return slices.Clone(e.members), nil
}

// expire drops answers past their time from the front of the list (kept
// for one TTL, they mostly expire in the order they were answered), and,
// once a minute, any record or set past its time.
func (m *Memory) expire(now time.Time) {
	for f := m.done.Front(); f != nil; f = m.done.Front() {
		e := f.Value.(*memEntry)
		if now.Before(e.r.Expires) {
			break
		}
		m.remove(e)
	}
	if now.Sub(m.sweep) < time.Minute {
		return
	}
	m.sweep = now
	for _, set := range []map[string]*memEntry{m.recs, m.sets} {
		for _, e := range set {
			if !now.Before(e.r.Expires) {
				m.remove(e)
			}
		}
	}
}
