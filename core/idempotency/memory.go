package idempotency

import (
	"context"
	"sync"
	"time"
)

// Memory keeps records in this instance's memory: enough where one instance
// serves every request (the local server, a deployment capped at one).
// Expired records are dropped as new ones come.
type Memory struct {
	mu      sync.Mutex
	records map[string]memRecord
	sweep   time.Time
	now     func() time.Time
}

type memRecord struct {
	r       Record
	expires time.Time // zero while running
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty store reading time from now (time.Now if nil).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{records: map[string]memRecord{}, now: now}
}

func (m *Memory) Begin(_ context.Context, key string, r Record) (*Record, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if old, ok := m.records[key]; ok && !m.stale(old, now) {
		cp := old.r
		return &cp, false, nil
	}
	r.Done = false
	m.records[key] = memRecord{r: r}
	return nil, true, nil
}

func (m *Memory) Finish(_ context.Context, key string, r Record, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Done = true
	m.records[key] = memRecord{r: r, expires: m.now().Add(ttl)}
	return nil
}

// stale: an answer past its time, or a run past its deadline.
func (m *Memory) stale(rec memRecord, now time.Time) bool {
	if rec.r.Done {
		return !now.Before(rec.expires)
	}
	return !now.Before(rec.r.Until)
}

// expire drops stale records, at most once a minute.
func (m *Memory) expire(now time.Time) {
	if now.Sub(m.sweep) < time.Minute {
		return
	}
	m.sweep = now
	for k, rec := range m.records {
		if m.stale(rec, now) {
			delete(m.records, k)
		}
	}
}
