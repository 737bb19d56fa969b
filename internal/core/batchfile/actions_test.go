package batchfile_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/core/validate"
	"github.com/axg-binder/binder/internal/testkit/metricstest"
)

// bindN binds n As (13700000001...) on the demo pool and returns them.
func bindN(t *testing.T, svc *core.Service, n int) []core.Binding {
	t.Helper()
	out := make([]core.Binding, n)
	for i := range out {
		b, err := svc.Bind(context.Background(), core.BindRequest{PoolKey: emulator.DemoPoolKey,
			Item: core.Item{PhoneNoA: fmt.Sprintf("137%08d", i+1), GroupId: "1234", Expiration: exp}})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

func results(t *testing.T, path string) []batchfile.Result {
	t.Helper()
	f, err := os.Open(path + ".results.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []batchfile.Result
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r batchfile.Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestActionsInAFile: one file binds, unbinds and updates, row by row, each
// row answered in order with its own code.
func TestActionsInAFile(t *testing.T) {
	svc, emu := service(t)
	bs := bindN(t, svc, 2)
	later := time.Now().Add(72 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)
	csv := "Action,PhoneNoA,GroupId,Expiration,SubsId,SecretNo,PhoneNoX,OperateType\n" +
		fmt.Sprintf("UnbindSubscription,,,,%s,%s,,\n", bs[0].SubsId, bs[0].SecretNo) +
		fmt.Sprintf("UpdateSubscription,,,%s,%s,,%s,updateExpire\n", later, bs[1].SubsId, bs[1].SecretNo) +
		fmt.Sprintf(",13700000009,1234,%s,,,,\n", exp) +
		fmt.Sprintf("UnbindSubscription,,,,%s,%s,,\n", bs[0].SubsId, bs[0].SecretNo) + // gone by now: the upstream's answer
		fmt.Sprintf("UpdateSubscription,,,,%s,,%s,updateNoB\n", bs[1].SubsId, bs[1].SecretNo) + // no PhoneNoB
		fmt.Sprintf("UnbindSubscription,13700000002,,,%s,%s,,\n", bs[1].SubsId, bs[1].SecretNo) // a bind field
	path := filepath.Join(t.TempDir(), "closed.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	sink := &metricstest.Sink{}
	s, err := batchfile.Bind(context.Background(), svc, validate.New(nil, 1000), batchfile.File{Name: path, ETag: "e", Body: strings.NewReader(csv)},
		batchfile.DirStore{Base: path}, opts(t, batchfile.Options{PoolKey: emulator.DemoPoolKey, Metrics: sink}))
	if err != nil || s.Rows != 6 {
		t.Fatalf("%+v %v", s, err)
	}
	want := []struct {
		action core.Action
		code   core.Code
	}{
		{core.ActionUnbind, core.CodeOK}, {core.ActionUpdate, core.CodeOK}, {"", core.CodeOK},
		{core.ActionUnbind, core.CodeSubsNotExist}, {core.ActionUpdate, core.CodeInvalidParameters}, {core.ActionUnbind, core.CodeInvalidParameters},
	}
	rs := results(t, path)
	for i, r := range rs {
		if r.Row != i+1 || r.Action != want[i].action || r.Code != want[i].code {
			t.Errorf("row %d: %+v, want %s %s", i+1, r, want[i].action, want[i].code)
		}
	}
	if rs[0].SubsId != bs[0].SubsId || rs[0].SecretNo != bs[0].SecretNo || !strings.Contains(rs[4].Message, "PhoneNoB") || !strings.Contains(rs[5].Message, "PhoneNoA") {
		t.Errorf("echoes and messages: %+v", rs)
	}
	if got := emu.BindingsOf("13700000001"); len(got) != 0 {
		t.Errorf("13700000001 still bound: %v", got)
	}
	if n := sink.Get(&metrics.Bound, "file"); n != 1 {
		t.Errorf("axg_bound_total{via=file} %v, want 1 (the bind row)", n)
	}
}

// TestUnbindInFlightWhenTheRunDiedIsSentAgain: unbind rows whose calls were
// in flight when a run died are sent again by the next run (an unbind may
// go again), and finding the binding gone, answer OK: the first call did it.
func TestUnbindInFlightWhenTheRunDiedIsSentAgain(t *testing.T) {
	t.Parallel()
	svc, emu := service(t)
	bs := bindN(t, svc, 3)
	var b strings.Builder
	for _, x := range bs {
		fmt.Fprintf(&b, `{"Action":"UnbindSubscription","SubsId":"%s","SecretNo":"%s"}`+"\n", x.SubsId, x.SecretNo)
	}
	path := filepath.Join(t.TempDir(), "closed.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	st := batchfile.DirStore{Base: path}
	mem := ledger.NewMemory(0)
	dying := ledger.New(&crashingLedger{Driver: mem}) // dies at the first result journaled
	if _, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, batchfile.Options{ETag: "e", Ledger: dying}); !errors.Is(err, errCrash) {
		t.Fatalf("first run: %v", err)
	}
	s, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, batchfile.Options{ETag: "e", Ledger: lapsed(ledger.New(mem))})
	if err != nil || s.Counts[core.CodeOK] != 3 {
		t.Fatalf("second run: %+v %v; want every unbind OK", s, err)
	}
	for i := range bs {
		if got := emu.BindingsOf(fmt.Sprintf("137%08d", i+1)); len(got) != 0 {
			t.Errorf("row %d still bound: %v", i+1, got)
		}
	}
}
