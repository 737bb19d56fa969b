package forward_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/dypls/mnsqueue"
	"github.com/axg-binder/binder/internal/core/forward"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/request"
)

// TestForwardToAnMNSQueue: receipts forwarded to an MNS queue arrive as
// messages signed as MNS asks (the emulator's queue checks the signature
// and the body's MD5), each once, its envelope whole; a wrong secret is
// refused and the deliveries stay due.
func TestForwardToAnMNSQueue(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	srv := httptest.NewServer(emu)
	defer srv.Close()
	queue := emulator.QueueName("Forwarded") // readable back with a token
	rs := recorded(t, 5)

	wrong := &forward.Forwarder{Outbox: ledger.NewOutbox(ledger.New(ledger.NewMemory(0)), 0), Attempts: 3,
		To: &forward.MNSQueue{URL: srv.URL + "/queues/" + queue, Fallback: request.Credentials{AccessKeyID: emulator.DemoAccessKeyID, AccessKeySecret: "wrong"}}}
	if err := wrong.Enqueue(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	if delivered, failed, _ := wrong.Sweep(context.Background()); delivered != 0 || failed != len(rs) {
		t.Fatalf("a wrong secret: %d delivered, %d failed", delivered, failed)
	}

	f := &forward.Forwarder{Outbox: ledger.NewOutbox(ledger.New(ledger.NewMemory(0)), 0),
		To: &forward.MNSQueue{URL: srv.URL + "/queues/" + queue, Fallback: request.Credentials{AccessKeyID: emulator.DemoAccessKeyID, AccessKeySecret: emulator.DemoAccessKeySecret}}}
	if err := f.Enqueue(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	if delivered, failed, err := f.Sweep(context.Background()); err != nil || delivered != len(rs) || failed != 0 {
		t.Fatalf("%d delivered, %d failed, %v", delivered, failed, err)
	}
	tokens, err := dypls.New(dypls.Config{Endpoint: srv.URL, AccessKeyID: emulator.DemoAccessKeyID, AccessKeySecret: emulator.DemoAccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := mnsqueue.New(tokens, queue, "Forwarded", srv.URL, 5*time.Second).Receive(context.Background(), 16, 0)
	if err != nil || len(msgs) != len(rs) {
		t.Fatalf("%d messages in the queue, %v; want %d", len(msgs), err, len(rs))
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		var env forward.Envelope
		if err := json.Unmarshal([]byte(m.Body), &env); err != nil || env.Id == "" || seen[env.Id] || !strings.HasPrefix(env.Receipt.CallId, "call-") {
			t.Fatalf("message %q: %+v %v", m.Body, env, err)
		}
		seen[env.Id] = true
	}
}
