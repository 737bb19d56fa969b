package ledger

import "time"

// SetClock moves a Memory's clock, for tests that read past a record's
// expiry without waiting it out.
func (m *Memory) SetClock(now func() time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = now
}
