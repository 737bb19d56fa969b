package fcoss_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/events"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/core/validate"
	"github.com/axg-binder/binder/internal/function/fcoss"
	"github.com/axg-binder/binder/internal/function/platform"
	"github.com/axg-binder/binder/internal/function/platform/platformtest"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
	"github.com/axg-binder/binder/internal/testkit/fakeoss"
)

var update = flag.Bool("update", false, "rewrite the golden answers")

const inputKey = "axg/incoming/2026/11/bindings today.csv"

type setup struct {
	fake *fakeoss.Server
	emu  *emulator.Emulator
	h    *fcoss.Handler
	ev   events.OssEvent
	ctx  context.Context
}

func newSetup(t *testing.T, rows int, progress func(int)) *setup {
	s := &setup{fake: fakeoss.New()}
	srv := httptest.NewServer(s.fake)
	t.Cleanup(srv.Close)
	exp := time.Now().Add(24 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)
	var b strings.Builder
	b.WriteString("PhoneNoA,GroupId,Expiration\n")
	for i := 1; i <= rows; i++ {
		if i%500 == 0 {
			b.WriteString("12345,1234," + exp + "\n")
			continue
		}
		fmt.Fprintf(&b, "137%08d,1234,%s\n", i, exp)
	}
	s.fake.Put("axg-bucket", inputKey, []byte(b.String()))
	var env *wiring.Env
	env, s.emu = wiringtest.EnvFor(t, wiring.Files|wiring.Messages, wiring.Deps{ContextCredentials: true},
		map[string]string{"AXG_POOL_KEY": emulator.DemoPoolKey, "AXG_OSS_ENDPOINT": srv.URL, "AXG_RESULT_BUCKET": "axg-bucket"})
	s.h = fcoss.New(env)
	s.h.Step, s.h.Progress = 400, progress
	raw, err := os.ReadFile("testdata/oss-object-created.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &s.ev); err != nil {
		t.Fatal(err)
	}
	// The SDK's type keeps every documented field (its time.Time writes the
	// documented "06:45:43.000Z" back as the same instant, "06:45:43Z").
	back, _ := json.Marshal(s.ev)
	if !platformtest.JSONSubset([]byte(strings.ReplaceAll(string(raw), ".000Z", "Z")), back) {
		t.Fatalf("round trip changed the event: %s", back)
	}
	// The invocation's role credentials sign both the OSS and the upstream calls.
	s.emu.AddKey(emulator.Key{ID: "STS.role", Secret: "role-secret", SecurityToken: "role-token"})
	s.ctx = fccontext.NewContext(context.Background(), &fccontext.FcContext{RequestID: "req-1", Region: "cn-hangzhou",
		Credentials: fccontext.Credentials{AccessKeyId: "STS.role", AccessKeySecret: "role-secret", SecurityToken: "role-token"}})
	return s
}

// TestObjects: the fixture's records, as the file path's neutral objects
// (testdata/*.objects.golden.json; -update rewrites it).
func TestObjects(t *testing.T) {
	s := newSetup(t, 1, nil)
	platformtest.Golden(t, "testdata/oss-object-created.objects.golden.json", fcoss.Objects(s.ev), *update)
}

func TestObjectCreated(t *testing.T) {
	const rows = 2000
	s := newSetup(t, rows, nil)
	out, err := platformtest.Invoke[platform.Files](s.h, s.ctx, s.ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Files) != 1 || out.Files[0].Key != inputKey || out.Files[0].Summary.Rows != rows || out.Files[0].Summary.Counts[core.CodeOK] != rows-4 {
		t.Fatalf("outcome %+v", out)
	}
	results := string(s.fake.Get("axg-bucket", "axg/results/2026/11/bindings today.csv.results.jsonl"))
	if strings.Count(results, "\n") != rows || s.emu.Stats().Bindings != rows-4 {
		t.Fatalf("%d result lines, %d bindings", strings.Count(results, "\n"), s.emu.Stats().Bindings)
	}
	if s.fake.Get("axg-bucket", "axg/results/2026/11/bindings today.csv.summary.json") == nil {
		t.Fatal("no summary")
	}
	// The same event delivered again binds nothing new.
	calls := s.emu.Stats().Calls["BindBatchAxg"]
	if _, err := platformtest.Invoke[platform.Files](s.h, s.ctx, s.ev); err != nil || s.emu.Stats().Calls["BindBatchAxg"] != calls {
		t.Fatalf("redelivery: %v, %d calls after %d", err, s.emu.Stats().Calls["BindBatchAxg"], calls)
	}
}

// TestLargeFileAcrossInvocations: an invocation that runs out of time returns
// batchfile.ErrNotFinished; the retried delivery finishes the file, every row bound once.
func TestLargeFileAcrossInvocations(t *testing.T) {
	const rows = 2000
	var cancel context.CancelFunc
	s := newSetup(t, rows, func(done int) {
		if done == 400 && cancel != nil {
			cancel() // the first invocation's time is up after one step
		}
	})
	ctx, c := context.WithCancel(s.ctx)
	cancel = c
	if _, err := platformtest.Invoke[platform.Files](s.h, ctx, s.ev); !errors.Is(err, batchfile.ErrNotFinished) {
		t.Fatalf("first invocation: %v", err)
	}
	if n := s.emu.Stats().Bindings; n == 0 || n >= rows-4 {
		t.Fatalf("%d bindings after the first invocation", n)
	}
	cancel = nil
	out, err := platformtest.Invoke[platform.Files](s.h, s.ctx, s.ev)
	if err != nil || out.Files[0].Summary.Rows != rows {
		t.Fatalf("second invocation: %+v %v", out, err)
	}
	for i := 1; i <= rows; i++ {
		if i%500 != 0 && len(s.emu.BindingsOf(fmt.Sprintf("137%08d", i))) != 1 {
			t.Fatalf("row %d bound %d times", i, len(s.emu.BindingsOf(fmt.Sprintf("137%08d", i))))
		}
	}
}

func TestUnreadableFileIsRecordedNotRetried(t *testing.T) {
	s := newSetup(t, 1, nil)
	s.fake.Put("axg-bucket", inputKey, []byte("Phone,Group\n1,2\n"))
	if _, err := platformtest.Invoke[platform.Files](s.h, s.ctx, s.ev); err != nil {
		t.Fatalf("a bad header must not be retried: %v", err)
	}
	sum := string(s.fake.Get("axg-bucket", "axg/results/2026/11/bindings today.csv.summary.json"))
	if !strings.Contains(sum, `"Error": "CSV header: column 1 \"Phone\" is not a field of BindAxg`) || s.emu.Stats().Bindings != 0 {
		t.Fatalf("summary %s", sum)
	}
}

// TestCopyUnderAnotherKey: the same content copied under another key (OSS
// keeps the ETag of a copy) binds nothing again; its results are the first
// key's.
func TestCopyUnderAnotherKey(t *testing.T) {
	s := newSetup(t, 50, nil)
	if _, err := platformtest.Invoke[platform.Files](s.h, s.ctx, s.ev); err != nil {
		t.Fatal(err)
	}
	calls := s.emu.Stats().Calls["BindBatchAxg"]
	const copyKey = "axg/incoming/copies/again.csv"
	s.fake.Put("axg-bucket", copyKey, s.fake.Get("axg-bucket", inputKey))
	key := copyKey
	s.ev.Events[0].Oss.Object.Key = &key
	out, err := platformtest.Invoke[platform.Files](s.h, s.ctx, s.ev)
	if err != nil || len(out.Files) != 1 || out.Files[0].Summary.SameAs != inputKey {
		t.Fatalf("the copy: %v %+v", err, out)
	}
	if n := s.emu.Stats().Calls["BindBatchAxg"]; n != calls {
		t.Fatalf("the copy was bound again: %d calls after %d", n, calls)
	}
	first := s.fake.Get("axg-bucket", "axg/results/2026/11/bindings today.csv.results.jsonl")
	if got := s.fake.Get("axg-bucket", "axg/results/copies/again.csv.results.jsonl"); string(got) != string(first) || len(first) == 0 {
		t.Fatalf("the copy's results:\n%s\nwant\n%s", got, first)
	}
}
