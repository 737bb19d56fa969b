package pull_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/dypls/mnsqueue"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/pull"
	"github.com/axg-binder/binder/internal/core/receipt"
)

type world struct {
	emu      *emulator.Emulator
	srv      *httptest.Server
	svc      *core.Service
	bindings *ledger.Bindings
	receipts *ledger.Receipts
	shift    *atomic.Int64
}

func setup(t testing.TB, d ledger.Driver) world {
	var shift atomic.Int64
	emu := emulator.New(emulator.Demo(), emulator.WithClock(func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }))
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := dypls.New(dypls.Config{Endpoint: srv.URL, AccessKeyID: emulator.DemoAccessKeyID, AccessKeySecret: emulator.DemoAccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(d)
	b := ledger.NewBindings(l, 0)
	svc, _ := core.NewService(c, core.Options{Recorder: b, Orders: b})
	return world{emu: emu, srv: srv, svc: svc, bindings: b, receipts: ledger.NewReceipts(l, 0, true), shift: &shift}
}

// sources are the emulator's receipt queues, read as the vendor's are:
// a token from QueryTokenForMnsQueue, the vendor's own MNS client.
func (w world) sources(t testing.TB) []pull.Source {
	tokens, err := dypls.New(dypls.Config{Endpoint: w.srv.URL, AccessKeyID: emulator.DemoAccessKeyID, AccessKeySecret: emulator.DemoAccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	var out []pull.Source
	for _, typ := range receipt.Types() {
		out = append(out, pull.Source{Type: typ, Queue: &mnsqueue.ReceiptQueue{Tokens: tokens, Name: emulator.QueueName(typ), MessageType: typ, Endpoint: w.srv.URL}})
	}
	return out
}

func (w world) call(t *testing.T, order string) emulator.PlacedCall {
	t.Helper()
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	b, err := w.svc.Bind(context.Background(), core.BindRequest{PoolKey: emulator.DemoPoolKey, Item: core.Item{PhoneNoA: "13800000701", GroupId: "1234", Expiration: exp, OutOrderId: order}})
	if err != nil {
		t.Fatal(err)
	}
	call, err := w.emu.PlaceCall(context.Background(), emulator.CallSpec{SubsId: b.SubsId, Twice: true})
	if err != nil {
		t.Fatal(err)
	}
	return call
}

// TestPullRecordsEachOnce: a call's receipts, queued twice each as the
// vendor may, are read with a token through the vendor's client, recorded
// once each, forwarded once each, deleted, and shown under the binding.
func TestPullRecordsEachOnce(t *testing.T) {
	w := setup(t, ledger.NewMemory(0))
	call := w.call(t, "o-pull")
	forwarded := map[string]int{}
	p := &pull.Puller{Sources: w.sources(t), Receipts: w.receipts, Forward: func(_ context.Context, rs []ledger.Recorded) error {
		for _, r := range rs {
			if !r.Repeat {
				forwarded[r.Receipt.ID]++
			}
		}
		return nil
	}}
	n, err := p.Pull(context.Background())
	if err != nil || n != 2*len(call.Receipts) {
		t.Fatalf("pulled %d, %v; want %d (each twice)", n, err, 2*len(call.Receipts))
	}
	for q, left := range w.emu.State().Queued {
		if left != 0 {
			t.Errorf("%s: %d messages left", q, left)
		}
	}
	if len(forwarded) != len(call.Receipts) {
		t.Errorf("forwarded %v, want each of %d once", forwarded, len(call.Receipts))
	}
	bs, err := w.bindings.Order(context.Background(), emulator.DemoPoolKey, "o-pull")
	if err != nil || len(bs) != 1 || len(bs[0].Receipts) != len(call.Receipts) {
		t.Fatalf("order: %+v %v", bs, err)
	}
	if n, err := p.Pull(context.Background()); err != nil || n != 0 {
		t.Fatalf("a second pull: %d %v", n, err)
	}
}

// failing is a ledger that cannot be reached.
type failing struct{ ledger.Driver }

func (failing) Create(context.Context, ledger.Record) (*ledger.Record, error) {
	return nil, errors.New("the ledger is down")
}

// TestUnrecordedComeBack: receipts the ledger could not record are not
// deleted: once the queue's visibility timeout passes they are read again
// and recorded.
func TestUnrecordedComeBack(t *testing.T) {
	mem := ledger.NewMemory(0)
	w := setup(t, mem)
	call := w.call(t, "o-back")
	down := &pull.Puller{Sources: w.sources(t), Receipts: ledger.NewReceipts(ledger.New(failing{mem}), 0, true)}
	if _, err := down.Pull(context.Background()); err == nil {
		t.Fatal("no error with the ledger down")
	}
	w.shift.Add(int64(time.Minute)) // past the visibility timeout
	up := &pull.Puller{Sources: w.sources(t), Receipts: w.receipts}
	if n, err := up.Pull(context.Background()); err != nil || n != 2*len(call.Receipts) {
		t.Fatalf("after the ledger came back: %d %v", n, err)
	}
}

// BenchmarkPull is the pull path's rate: receipts queued by calls placed,
// read through the vendor's MNS client over loopback (16 a receive),
// recorded in a memory ledger that keeps bindings, deleted.
func BenchmarkPull(b *testing.B) {
	w := setup(b, ledger.NewMemory(1<<30))
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	bound, err := w.svc.Bind(context.Background(), core.BindRequest{PoolKey: emulator.DemoPoolKey, Item: core.Item{PhoneNoA: "13800000701", GroupId: "1234", Expiration: exp, OutOrderId: "o-bench"}})
	if err != nil {
		b.Fatal(err)
	}
	p := &pull.Puller{Sources: w.sources(b), Receipts: w.receipts}
	n := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		for range 25 { // 100 receipts: 25 calls of 4
			if _, err := w.emu.PlaceCall(context.Background(), emulator.CallSpec{SubsId: bound.SubsId}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		got, err := p.Pull(context.Background())
		if err != nil || got != 100 {
			b.Fatal(got, err)
		}
		n += got
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "receipts/s")
}

// TestAnExpiredTokenIsRenewed: a queue that refuses its token (expired
// before its time) fails that queue's pull, the others read on; the next
// pull trades for a new token and reads what was left.
func TestAnExpiredTokenIsRenewed(t *testing.T) {
	w := setup(t, ledger.NewMemory(0))
	call := w.call(t, "o-token")
	p := &pull.Puller{Sources: w.sources(t), Receipts: w.receipts}
	w.emu.Inject(emulator.Fault{Action: "MNS", Code: "SecurityTokenExpired", Message: "the token has expired"})
	first, err := p.Pull(context.Background())
	if err == nil || !strings.Contains(err.Error(), "SecurityTokenExpired") {
		t.Fatalf("with the token refused: %v", err)
	}
	before := w.emu.Stats().Calls["QueryTokenForMnsQueue"]
	if n, err := p.Pull(context.Background()); err != nil || first+n != 2*len(call.Receipts) || n == 0 {
		t.Fatalf("after: %d then %d, %v; want %d in all", first, n, err, 2*len(call.Receipts))
	}
	if after := w.emu.Stats().Calls["QueryTokenForMnsQueue"]; after != before+1 {
		t.Errorf("%d token calls after the refusal, want one new token", after-before)
	}
}
