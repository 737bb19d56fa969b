// Package conformance is what the store suites share (internal/core/batchfile/storetest,
// internal/core/ledger/ledgertest): named guarantees run against a store of their
// own, and the race every create-only write must win exactly once.
package conformance

import (
	"sync"
	"testing"
)

// Test is one guarantee, checked on a fresh store.
type Test[S any] struct {
	Name string
	Run  func(*testing.T, S)
}

// Run runs each test as a subtest, on a store newStore makes for it; the
// subtests run in parallel (each has its own store: several wait out
// expiries, which would otherwise add up).
func Run[S any](t *testing.T, newStore func(*testing.T) S, tests []Test[S]) {
	for _, c := range tests {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			c.Run(t, newStore(t))
		})
	}
}

// OneWins runs try n times at once and fails unless exactly one won.
func OneWins(t *testing.T, n int, try func(i int) (bool, error)) {
	t.Helper()
	var mu sync.Mutex
	wins := 0
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			won, err := try(i)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if won {
				wins++
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d of %d at once won, want 1", wins, n)
	}
}
