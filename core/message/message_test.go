package message_test

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/dypls"
	"github.com/axg-binder/binder/core/dypls/emulator"
	"github.com/axg-binder/binder/core/message"
	"github.com/axg-binder/binder/core/validate"
)

var exp = time.Now().Add(24 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)

// setup runs the handler on the folder store: what a record store must
// guarantee is held to every backend by storetest, so these tests are about
// the handler alone.
type setup struct {
	emu   *emulator.Emulator
	store message.Store
	h     *message.Handler
}

func newSetup(t *testing.T, upstreamTimeout time.Duration) *setup {
	s := &setup{emu: emulator.New(emulator.Demo(), emulator.WithQPS(0)), store: message.DirStore{Dir: t.TempDir()}}
	c, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: emulator.DemoAccessKeySecret, Transport: s.emu.Transport(), Timeout: upstreamTimeout})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := core.NewService(c, core.Options{QPS: 1e6, MaxAttempts: 2, BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond})
	s.h = &message.Handler{Service: svc, Validator: validate.New(nil, 1000), Store: s.store, DefaultPool: emulator.DemoPoolKey}
	return s
}

// record is the stored record of message id, nil when there is none.
func (s *setup) record(t *testing.T, id string) *message.Record {
	t.Helper()
	r, err := s.store.Load(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
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
		{"business error", `{"PoolKey":"FC000000",` + bindBody("13800000003")[1:], "bind", core.CodePartnerNotExist, 0},
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

// TestDeliveryThatDiedWhileSending: a record left "sending" by a crash is
// answered as of unknown outcome, never sent again.
func TestDeliveryThatDiedWhileSending(t *testing.T) {
	s := newSetup(t, time.Second)
	ctx := context.Background()
	if err := s.store.Save(ctx, "msg-4", message.Record{State: "sending", Result: message.Result{MessageId: "msg-4", Kind: "bind"}}); err != nil {
		t.Fatal(err)
	}
	res, err := s.h.Handle(ctx, "msg-4", []byte(bindBody("13800000006")))
	if err != nil || res.Code != core.CodeUpstreamTimeout || s.emu.Stats().Calls["BindAxg"] != 0 {
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
