package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/ledger/ledgertest"
)

func TestMemoryConformance(t *testing.T) {
	ledgertest.RunConformanceTests(t, func(*testing.T) ledger.Driver { return ledger.NewMemory(0) })
}

// TestMemoryBound: answers are dropped oldest first to make room; when
// only running records are left, a new one is refused rather than grown
// past the bound.
func TestMemoryBound(t *testing.T) {
	m := ledger.NewMemory(64 << 10)
	ctx := context.Background()
	body := make([]byte, 4<<10)
	create := func(k string) error {
		_, err := m.Create(ctx, ledger.Record{Key: k, Token: k, State: ledger.Started, Expires: time.Now().Add(time.Hour)})
		return err
	}
	for i := range 100 {
		k := fmt.Sprint("a", i)
		if err := create(k); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if err := m.Replace(ctx, k, ledger.Record{Key: k, Token: k, State: ledger.Answered, Expires: time.Now().Add(time.Hour), Body: body}); err != nil {
			t.Fatal(err)
		}
		if m.Used() > 64<<10 {
			t.Fatalf("after %d answers: %d bytes used", i+1, m.Used())
		}
	}
	if r, _ := m.Get(ctx, "a0"); r != nil {
		t.Fatal("the oldest answer was kept past the bound")
	}
	if r, _ := m.Get(ctx, "a99"); r == nil {
		t.Fatal("the newest answer was dropped")
	}
	var err error
	n := 0
	for ; err == nil; n++ {
		err = create(fmt.Sprint("s", n))
	}
	if !errors.Is(err, ledger.ErrFull) || m.Used() > 64<<10 {
		t.Fatalf("running records only: %v after %d, %d bytes used", err, n, m.Used())
	}
}

// BenchmarkMemoryRecord is what a key costs a bind in memory.
func BenchmarkMemoryRecord(b *testing.B) { ledgertest.Bench(b, ledger.NewMemory(0)) }
