// Package storetest is the conformance suite for batchfile.Store: every
// guarantee a run's exactly-once rests on, written once and run against each
// store (the folder, OSS, S3), in the manner of go-cloud's drivertest.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/testkit/conformance"
)

// NewStore returns an empty store of its own for one test.
type NewStore = func(t *testing.T) batchfile.Store

// RunConformanceTests runs the suite against the stores newStore makes.
func RunConformanceTests(t *testing.T, newStore NewStore) {
	conformance.Run(t, newStore, []conformance.Test[batchfile.Store]{
		{Name: "NoCheckpointIsNil", Run: testNoCheckpoint},
		{Name: "CheckpointRoundTrip", Run: testCheckpoint},
		{Name: "AppendsInOrder", Run: testAppends},
		{Name: "StaleAppendIsAhead", Run: testStaleAppend},
		{Name: "ConcurrentAppendsOfOneStep", Run: testConcurrentAppends},
		{Name: "NothingPastTheEnd", Run: testNothingPastTheEnd},
		{Name: "SummaryStandsForCompleteResults", Run: testSummary},
		{Name: "ResetRemovesEverything", Run: testReset},
	})
}

var ctx = context.Background()

func readAll(t *testing.T, st batchfile.Store, offset int64) string {
	t.Helper()
	rc, err := st.ReadResults(ctx, offset)
	if err != nil {
		t.Fatalf("ReadResults(%d): %v", offset, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("ReadResults(%d): %v", offset, err)
	}
	return string(b)
}

func testNoCheckpoint(t *testing.T, st batchfile.Store) {
	if cp, err := st.LoadCheckpoint(ctx); cp != nil || err != nil {
		t.Fatalf("a new store's checkpoint: %+v, %v; want nil, nil", cp, err)
	}
	if _, err := st.ReadSummary(ctx); err == nil {
		t.Fatal("a new store has a summary")
	}
	if got := readAll(t, st, 0); got != "" {
		t.Fatalf("a new store's results: %q", got)
	}
}

func testCheckpoint(t *testing.T, st batchfile.Store) {
	started := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for _, cp := range []batchfile.Checkpoint{
		{ETag: "e/1", Chunk: 500, Counts: map[core.Code]int{}, Started: started},
		{ETag: "e/1", Chunk: 500, Done: 500, Offset: 41000, InFlight: 1000,
			Counts: map[core.Code]int{core.CodeOK: 499, core.CodeMobileIllegal: 1}, Started: started},
		{ETag: "e/1", Chunk: 500, Done: 1000, Offset: 82000, Counts: map[core.Code]int{core.CodeOK: 1000}, Started: started, Finished: true},
	} {
		if err := st.SaveCheckpoint(ctx, cp); err != nil {
			t.Fatal(err)
		}
		got, err := st.LoadCheckpoint(ctx)
		if err != nil || got == nil || fmt.Sprint(*got) != fmt.Sprint(cp) || !got.Started.Equal(cp.Started) {
			t.Fatalf("saved %+v, loaded %+v, %v", cp, got, err)
		}
	}
}

func testAppends(t *testing.T, st batchfile.Store) {
	want := ""
	for i := 0; i < 3; i++ {
		b := fmt.Sprintf(`{"Row":%d}`+"\n", i)
		if err := st.AppendResults(ctx, int64(len(want)), []byte(b)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		want += b
	}
	if got := readAll(t, st, 0); got != want {
		t.Fatalf("results %q, want %q", got, want)
	}
	if got := readAll(t, st, 10); got != want[10:] {
		t.Fatalf("results from 10: %q, want %q", got, want[10:])
	}
}

// A step appended but not recorded is found, not written again.
func testStaleAppend(t *testing.T, st batchfile.Store) {
	if err := st.AppendResults(ctx, 0, []byte("a\n")); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendResults(ctx, 0, []byte("a\n")); !errors.Is(err, batchfile.ErrAhead) {
		t.Fatalf("the same step again: %v, want ErrAhead", err)
	}
	if err := st.AppendResults(ctx, 2, []byte("b\n")); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendResults(ctx, 2, []byte("c\n")); !errors.Is(err, batchfile.ErrAhead) {
		t.Fatalf("a stale offset: %v, want ErrAhead", err)
	}
	if got := readAll(t, st, 0); got != "a\nb\n" {
		t.Fatalf("results %q", got)
	}
}

// Appends of one step at once: one is written, the others are ErrAhead.
func testConcurrentAppends(t *testing.T, st batchfile.Store) {
	const n = 6
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- st.AppendResults(ctx, 0, []byte(fmt.Sprintf("step from run %d\n", i)))
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, batchfile.ErrAhead):
			t.Fatalf("concurrent append: %v", err)
		}
	}
	if got := readAll(t, st, 0); ok != 1 || len(got) != len("step from run 0\n") {
		t.Fatalf("%d appends written, results %q", ok, got)
	}
}

// Reading at the results' length finds nothing (the recovery of a step that
// was not appended reads there).
func testNothingPastTheEnd(t *testing.T, st batchfile.Store) {
	if err := st.AppendResults(ctx, 0, []byte("a\nb\n")); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, st, 4); got != "" {
		t.Fatalf("past the end: %q, want nothing", got)
	}
}

func testSummary(t *testing.T, st batchfile.Store) {
	want := ""
	for i := 0; i < 3; i++ {
		b := fmt.Sprintf("line %d\n", i)
		if err := st.AppendResults(ctx, int64(len(want)), []byte(b)); err != nil {
			t.Fatal(err)
		}
		want += b
	}
	s := batchfile.Summary{ETag: "e", Rows: 3, Counts: map[core.Code]int{core.CodeOK: 3},
		Started: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Finished: time.Date(2026, 12, 1, 8, 0, 1, 0, time.UTC), DurationMs: 1000}
	if err := st.WriteSummary(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := st.ReadSummary(ctx)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(s) {
		t.Fatalf("summary %+v, %v; want %+v", got, err, s)
	}
	if r := readAll(t, st, 0); r != want {
		t.Fatalf("results after the summary: %q, want %q", r, want)
	}
}

func testReset(t *testing.T, st batchfile.Store) {
	_ = st.SaveCheckpoint(ctx, batchfile.Checkpoint{ETag: "old", Chunk: 1})
	_ = st.AppendResults(ctx, 0, []byte("old\n"))
	_ = st.WriteSummary(ctx, batchfile.Summary{ETag: "old"})
	if err := st.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	testNoCheckpoint(t, st)
	if err := st.AppendResults(ctx, 0, []byte("new\n")); err != nil {
		t.Fatalf("appending after a reset: %v", err)
	}
	if got := readAll(t, st, 0); got != "new\n" {
		t.Fatalf("results after a reset: %q", got)
	}
	if err := st.Reset(ctx); err != nil {
		t.Fatalf("a second reset: %v", err)
	}
}
