package message_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/testkit/metricstest"
)

// TestActionMessages: a message with Action UnbindSubscription or
// UpdateSubscription does that, once per message ID.
func TestActionMessages(t *testing.T) {
	s := newSetup(t, 0)
	sink := &metricstest.Sink{}
	s.h.Metrics = sink
	ctx := context.Background()
	res, err := s.h.Handle(ctx, "m-bind", []byte(bindBody("13800000061")))
	if err != nil || res.Code != core.CodeOK {
		t.Fatalf("bind: %+v %v", res, err)
	}
	b := res.SecretBindDTO
	update := `{"Action":"UpdateSubscription","SubsId":"` + b.SubsId + `","PhoneNoX":"` + b.SecretNo + `","OperateType":"updateOutId","OutId":"o-9"}`
	unbind := `{"Action":"UnbindSubscription","SubsId":"` + b.SubsId + `","SecretNo":"` + b.SecretNo + `"}`
	for _, c := range []struct {
		id, body, kind string
		code           core.Code
	}{
		{"m-update", update, "update", core.CodeOK},
		{"m-unbind", unbind, "unbind", core.CodeOK},
		{"m-unbind", unbind, "unbind", core.CodeOK}, // delivered again: the record answers
		{"m-unbind-2", unbind, "unbind", core.CodeSubsNotExist},
		{"m-bad", `{"Action":"UpdateSubscription","SubsId":"1"}`, "update", core.CodeInvalidParameters},
		{"m-what", `{"Action":"Rebind"}`, "bind", core.CodeInvalidParameters},
	} {
		res, err := s.h.Handle(ctx, c.id, []byte(c.body))
		if err != nil || res.Kind != c.kind || res.Code != c.code {
			t.Errorf("%s: %+v %v; want %s %s", c.id, res, err, c.kind, c.code)
		}
	}
	if n := s.emu.Stats().Calls["UnbindSubscription"]; n != 2 {
		t.Errorf("UnbindSubscription sent %d times, want 2 (m-unbind once, m-unbind-2 once)", n)
	}
	if n := sink.Get(&metrics.Bound, "message"); n != 1 {
		t.Errorf("axg_bound_total{via=message} %v, want 1 (the bind; unbinds and updates bind nothing)", n)
	}
}

// TestUnbindRedeliveredAfterADeathIsSentAgain: an unbind message whose
// delivery died while sending is sent again (an unbind may go again), and
// answers OK when the binding is gone.
func TestUnbindRedeliveredAfterADeathIsSentAgain(t *testing.T) {
	s := newSetup(t, 0)
	ctx := context.Background()
	res, _ := s.h.Handle(ctx, "m-bind", []byte(bindBody("13800000062")))
	b := res.SecretBindDTO
	unbind := `{"Action":"UnbindSubscription","SubsId":"` + b.SubsId + `","SecretNo":"` + b.SecretNo + `"}`
	// The first delivery claimed the message, unbound, and died before saving.
	s.ledger.Grace = 0
	sum := sha256.Sum256([]byte(unbind))
	if _, err := s.ledger.Begin(ctx, ledger.Op{Key: "message:q:m-1", Fingerprint: hex.EncodeToString(sum[:]), Resend: true,
		Deadline: time.Now().Add(-time.Second), TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.h.Handle(ctx, "other", []byte(unbind)); err != nil {
		t.Fatal(err)
	}
	res, err := s.h.Handle(ctx, "m-1", []byte(unbind))
	if err != nil || res.Code != core.CodeOK || s.record(t, "m-1") == nil {
		t.Fatalf("redelivery: %+v %v, want OK", res, err)
	}
}
