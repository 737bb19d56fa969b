package message_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/message"
	"github.com/axg-binder/binder/internal/core/validate"
)

var exp = time.Now().Add(24 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)

// setup runs the handler on a memory ledger: what a ledger must guarantee
// is held to every backend by ledgertest, so these tests are about the
// handler alone. results are what the sender would read.
type setup struct {
	emu     *emulator.Emulator
	ledger  *ledger.Ledger
	results *results
	h       *message.Handler
}

// results keeps what the handler wrote for senders.
type results struct {
	mu   sync.Mutex
	recs map[string]message.Record
	fail error
}

func (r *results) Put(_ context.Context, id string, rec message.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.recs[id] = rec
	return nil
}

func newSetup(t *testing.T, upstreamTimeout time.Duration) *setup {
	s := &setup{emu: emulator.New(emulator.Demo(), emulator.WithQPS(0)), ledger: ledger.New(ledger.NewMemory(0)),
		results: &results{recs: map[string]message.Record{}}}
	c, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: emulator.DemoAccessKeySecret, Transport: s.emu.Transport(), Timeout: upstreamTimeout})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := core.NewService(c, core.Options{QPS: 1e6, MaxAttempts: 2, BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond})
	s.h = &message.Handler{Service: svc, Validator: validate.New(nil, 1000), Ledger: s.ledger, Scope: "q",
		Results: s.results, DefaultPool: emulator.DemoPoolKey}
	return s
}

// record is what the sender of message id reads, nil when there is none.
func (s *setup) record(t *testing.T, id string) *message.Record {
	t.Helper()
	s.results.mu.Lock()
	defer s.results.mu.Unlock()
	if r, ok := s.results.recs[id]; ok {
		return &r
	}
	return nil
}

func bindBody(a string) string {
	return `{"PhoneNoA":"` + a + `","GroupId":1234,"Expiration":"` + exp + `"}`
}

func TestMessages(t *testing.T) {
	batch := `{"PoolKey":"FC123456","AxgBindList":[` + bindBody("13800000011") + `,` + bindBody("1") + `]}`
	for _, c := range []struct {
		name, body string
		kind       string
		code       core.Code
		bindings   int
	}{
		{"bind with the default pool", bindBody("13800000001"), "bind", core.CodeOK, 1},
		{"bind, base64", base64.StdEncoding.EncodeToString([]byte(`{"PoolKey":"FC123456",` + bindBody("13800000002")[1:])), "bind", core.CodeOK, 1},
		{"batch-bind: each item answered", batch, "batch-bind", core.CodeOK, 1},
		{"not JSON", "hello", "invalid", core.CodeInvalidParameters, 0},
		{"a field broken", bindBody("138"), "bind", core.CodeMobileIllegal, 0},
		{"business error", `{"PoolKey":"FC000000",` + bindBody("13800000003")[1:], "bind", core.CodePoolKeyNotExists, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSetup(t, time.Second)
			ctx := context.Background()
			for delivery := 1; delivery <= 2; delivery++ { // at least once: twice here
				res, err := s.h.Handle(ctx, "msg-1", []byte(c.body))
				if err != nil || res.Kind != c.kind || res.Code != c.code || res.MessageId != "msg-1" {
					t.Fatalf("delivery %d: %+v %v", delivery, res, err)
				}
			}
			if s.emu.Stats().Bindings != c.bindings || s.emu.Stats().Calls["BindAxg"]+s.emu.Stats().Calls["BindBatchAxg"] > 1 {
				t.Fatalf("upstream %+v", s.emu.Stats())
			}
			if rec := s.record(t, "msg-1"); rec == nil || rec.State != "done" || rec.Result.Code != c.code {
				t.Fatalf("record %+v", rec)
			}
		})
	}
}

func TestTransientFailureIsRetried(t *testing.T) {
	s := newSetup(t, time.Second)
	ctx := context.Background()
	s.emu.Inject(emulator.Fault{Code: "isv.FLOW_LIMIT", Times: -1})
	_, err := s.h.Handle(ctx, "msg-2", []byte(bindBody("13800000004")))
	var retry message.Retry
	if !errors.As(err, &retry) || retry.Result.Code != core.CodeFlowLimit || s.record(t, "msg-2") != nil {
		t.Fatalf("throttled: %v", err)
	}
	s.emu.ClearFaults()
	res, err := s.h.Handle(ctx, "msg-2", []byte(bindBody("13800000004")))
	if err != nil || res.Code != core.CodeOK || len(s.emu.BindingsOf("13800000004")) != 1 {
		t.Fatalf("redelivered: %+v %v", res, err)
	}
}

func TestUnknownOutcomeIsNotResent(t *testing.T) {
	s := newSetup(t, 100*time.Millisecond)
	ctx := context.Background()
	s.emu.Inject(emulator.Fault{Delay: time.Second, Times: -1})
	res, err := s.h.Handle(ctx, "msg-3", []byte(bindBody("13800000005")))
	if err != nil || res.Code != core.CodeUpstreamTimeout {
		t.Fatalf("stalled: %+v %v", res, err)
	}
	s.emu.ClearFaults()
	calls := s.emu.Stats().Calls["BindAxg"]
	if again, err := s.h.Handle(ctx, "msg-3", []byte(bindBody("13800000005"))); err != nil || again.Code != core.CodeUpstreamTimeout || s.emu.Stats().Calls["BindAxg"] != calls {
		t.Fatalf("redelivered: %+v %v", again, err)
	}
}

// TestDeliveryThatDiedWhileSending: a message whose delivery died while
// sending (its ledger record started, never answered) is answered, once
// that delivery's deadline has passed, as of unknown outcome, never sent
// again; before then, it is to come again.
func TestDeliveryThatDiedWhileSending(t *testing.T) {
	s := newSetup(t, time.Second)
	s.ledger.Grace = 0
	body := []byte(bindBody("13800000006"))
	sum := sha256.Sum256(body)
	dead, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := s.ledger.Begin(dead, ledger.Op{Key: "message:q:msg-4", Fingerprint: hex.EncodeToString(sum[:]),
		Deadline: time.Now().Add(300 * time.Millisecond), TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	var retry message.Retry
	if _, err := s.h.Handle(context.Background(), "msg-4", body); !errors.As(err, &retry) {
		t.Fatalf("while the first delivery may still run: %v", err)
	}
	time.Sleep(400 * time.Millisecond)
	res, err := s.h.Handle(context.Background(), "msg-4", body)
	if err != nil || res.Code != core.CodeUpstreamTimeout || s.emu.Stats().Calls["BindAxg"] != 0 || s.record(t, "msg-4") == nil {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestResultsWriteFailureIsRedelivered: a result that could not be
// written for the sender fails the delivery; the redelivery answers from
// the ledger and writes it, binding nothing again.
func TestResultsWriteFailureIsRedelivered(t *testing.T) {
	s := newSetup(t, time.Second)
	s.results.fail = errors.New("bucket away")
	if _, err := s.h.Handle(context.Background(), "msg-6", []byte(bindBody("13800000008"))); err == nil {
		t.Fatal("a result not written: no error")
	}
	s.results.fail = nil
	res, err := s.h.Handle(context.Background(), "msg-6", []byte(bindBody("13800000008")))
	if err != nil || res.Code != core.CodeOK || s.record(t, "msg-6") == nil || s.emu.Stats().Calls["BindAxg"] != 1 {
		t.Fatalf("redelivered: %+v %v, %d binds", res, err, s.emu.Stats().Calls["BindAxg"])
	}
}

// TestMessageIDWithAnotherBody: an ID that comes again with another body
// is not acted on, and the first result stands.
func TestMessageIDWithAnotherBody(t *testing.T) {
	s := newSetup(t, time.Second)
	if _, err := s.h.Handle(context.Background(), "msg-7", []byte(bindBody("13800000009"))); err != nil {
		t.Fatal(err)
	}
	res, err := s.h.Handle(context.Background(), "msg-7", []byte(bindBody("13800000010")))
	if err != nil || res.Code != core.CodeInvalidParameters || len(s.emu.BindingsOf("13800000010")) != 0 ||
		s.record(t, "msg-7").Result.Code != core.CodeOK {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestConcurrentDeliveriesBindOnce: deliveries of one message running at the
// same time bind it once; the others answer from the record or come again.
func TestConcurrentDeliveriesBindOnce(t *testing.T) {
	s := newSetup(t, time.Second)
	s.emu.Inject(emulator.Fault{Delay: 50 * time.Millisecond, Times: -1}) // keep the first in flight
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			_, err := s.h.Handle(context.Background(), "msg-5", []byte(bindBody("13800000007")))
			errs <- err
		}()
	}
	for i := 0; i < 8; i++ {
		var retry message.Retry
		if err := <-errs; err != nil && !errors.As(err, &retry) {
			t.Fatal(err)
		}
	}
	if n := len(s.emu.BindingsOf("13800000007")); n != 1 {
		t.Fatalf("bound %d times", n)
	}
}

func TestMessageWithoutAnID(t *testing.T) {
	s := newSetup(t, time.Second)
	res, err := s.h.Handle(context.Background(), "", []byte(bindBody("13800000021")))
	if err != nil || res.Kind != "invalid" || res.Code != core.CodeInvalidParameters || len(s.emu.BindingsOf("13800000021")) != 0 ||
		s.record(t, "") != nil {
		t.Fatalf("%+v %v", res, err)
	}
}
