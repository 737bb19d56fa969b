// Package storetest is the conformance suite for message.Store: every
// guarantee "bound once per message ID" rests on, written once and run
// against each store (the folder, OSS, S3, and any record store to come),
// in the manner of go-cloud's drivertest.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/message"
	"github.com/axg-binder/binder/internal/conformance"
)

// NewStore returns an empty store of its own for one test.
type NewStore = func(t *testing.T) message.Store

// RunConformanceTests runs the suite against the stores newStore makes.
func RunConformanceTests(t *testing.T, newStore NewStore) {
	conformance.Run(t, newStore, []conformance.Test[message.Store]{
		{Name: "UnknownIsNil", Run: testUnknown},
		{Name: "ClaimIsCreateOnly", Run: testClaim},
		{Name: "ConcurrentClaimsOneWins", Run: testConcurrentClaims},
		{Name: "SaveOverwrites", Run: testSave},
		{Name: "ForgetLetsItComeAgain", Run: testForget},
		{Name: "IDsKeptApart", Run: testIDs},
	})
}

var ctx = context.Background()

func record(state, id string) message.Record {
	return message.Record{State: state, Result: message.Result{MessageId: id, Kind: "bind", Code: core.CodeOK, Message: "OK",
		SecretBindDTO: &core.Binding{SecretNo: "17100000000", SubsId: "1000000000000001"},
		Finished:      time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}}
}

func load(t *testing.T, st message.Store, id string) *message.Record {
	t.Helper()
	r, err := st.Load(ctx, id)
	if err != nil {
		t.Fatalf("Load(%q): %v", id, err)
	}
	return r
}

func same(a *message.Record, b message.Record) bool {
	return a != nil && fmt.Sprint(a.State, a.Result.MessageId, a.Result.Code, *a.Result.SecretBindDTO) ==
		fmt.Sprint(b.State, b.Result.MessageId, b.Result.Code, *b.Result.SecretBindDTO) && a.Result.Finished.Equal(b.Result.Finished)
}

func testUnknown(t *testing.T, st message.Store) {
	if r := load(t, st, "never-seen"); r != nil {
		t.Fatalf("an unknown message: %+v", r)
	}
	if err := st.Forget(ctx, "never-seen"); err != nil {
		t.Fatalf("forgetting an unknown message: %v", err)
	}
}

func testClaim(t *testing.T, st message.Store) {
	first := record("sending", "m1")
	if ok, err := st.Claim(ctx, "m1", first); err != nil || !ok {
		t.Fatalf("first claim: %v, %v", ok, err)
	}
	if ok, err := st.Claim(ctx, "m1", record("done", "other")); err != nil || ok {
		t.Fatalf("second claim: %v, %v; want refused", ok, err)
	}
	if r := load(t, st, "m1"); !same(r, first) {
		t.Fatalf("after a refused claim: %+v, want the first", r)
	}
}

func testConcurrentClaims(t *testing.T, st message.Store) {
	conformance.OneWins(t, 8, func(i int) (bool, error) { return st.Claim(ctx, "m", record("sending", fmt.Sprint(i))) })
}

func testSave(t *testing.T, st message.Store) {
	if ok, err := st.Claim(ctx, "m2", record("sending", "m2")); err != nil || !ok {
		t.Fatal(ok, err)
	}
	done := record("done", "m2")
	if err := st.Save(ctx, "m2", done); err != nil {
		t.Fatal(err)
	}
	if r := load(t, st, "m2"); !same(r, done) {
		t.Fatalf("after Save: %+v", r)
	}
	if err := st.Save(ctx, "m3", done); err != nil || !same(load(t, st, "m3"), done) {
		t.Fatalf("Save of a new message: %v", err)
	}
}

func testForget(t *testing.T, st message.Store) {
	if ok, err := st.Claim(ctx, "m4", record("sending", "m4")); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := st.Forget(ctx, "m4"); err != nil {
		t.Fatal(err)
	}
	if r := load(t, st, "m4"); r != nil {
		t.Fatalf("after Forget: %+v", r)
	}
	if ok, err := st.Claim(ctx, "m4", record("sending", "m4")); err != nil || !ok {
		t.Fatalf("claim after Forget: %v, %v", ok, err)
	}
}

// IDs as queues make them (slashes, escapes, spaces, dots, unicode) never
// share a record, and none escapes the store's place.
func testIDs(t *testing.T, st message.Store) {
	ids := []string{"a/b", "a%2Fb", "a b", "../up", "..", "消息-1", "A/B", "x.json"}
	for _, id := range ids {
		if ok, err := st.Claim(ctx, id, record("sending", id)); err != nil || !ok {
			t.Fatalf("claim %q: %v, %v", id, ok, err)
		}
	}
	for _, id := range ids {
		if r := load(t, st, id); r == nil || r.Result.MessageId != id {
			t.Fatalf("%q holds %+v", id, r)
		}
	}
}
