package fcmns_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/events"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/function/fcmns"
	"github.com/axg-binder/binder/internal/function/platform/platformtest"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
	"github.com/axg-binder/binder/internal/testkit/fakeoss"
)

type setup struct {
	fake *fakeoss.Server
	emu  *emulator.Emulator
	h    *fcmns.Handler
	ctx  context.Context
}

func newSetup(t *testing.T) *setup {
	s := &setup{fake: fakeoss.New()}
	srv := httptest.NewServer(s.fake)
	t.Cleanup(srv.Close)
	var env *wiring.Env
	env, s.emu = wiringtest.EnvFor(t, wiring.Files|wiring.Messages, wiring.Deps{ContextCredentials: true},
		map[string]string{"AXG_POOL_KEY": emulator.DemoPoolKey, "AXG_OSS_ENDPOINT": srv.URL, "AXG_RESULT_BUCKET": "axg-bucket"})
	s.h = fcmns.New(env)
	s.emu.AddKey(emulator.Key{ID: "STS.role", Secret: "role-secret", SecurityToken: "role-token"})
	s.ctx = fccontext.NewContext(context.Background(), &fccontext.FcContext{RequestID: "req-1", Region: "cn-hangzhou",
		Credentials: fccontext.Credentials{AccessKeyId: "STS.role", AccessKeySecret: "role-secret", SecurityToken: "role-token"}})
	return s
}

func fixture(t *testing.T, name string) json.RawMessage {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFixturesRoundTrip: the SDK's event type keeps every documented field.
func TestFixturesRoundTrip(t *testing.T) {
	var one events.MnsQueueEvent
	raw := fixture(t, "mns-queue-event.json")
	if err := json.Unmarshal(raw, &one); err != nil {
		t.Fatal(err)
	}
	back, _ := json.Marshal(one)
	if !platformtest.JSONSubset(raw, back) {
		t.Fatalf("round trip changed the event: %s", back)
	}
}

func TestQueueMessages(t *testing.T) {
	s := newSetup(t)
	for delivery := 1; delivery <= 2; delivery++ { // the same messages, delivered twice
		out, err := platformtest.Invoke[fcmns.Outcome](s.h, s.ctx, fixture(t, "mns-queue-event.json"))
		if err != nil || len(out.Messages) != 1 || out.Messages[0].Code != core.CodeOK {
			t.Fatalf("delivery %d of the single event: %+v %v", delivery, out, err)
		}
		out, err = platformtest.Invoke[fcmns.Outcome](s.h, s.ctx, fixture(t, "mns-queue-event-stream.json"))
		if err != nil || len(out.Messages) != 2 || out.Messages[0].Kind != "batch-bind" || out.Messages[1].Code != core.CodeInvalidParameters {
			t.Fatalf("delivery %d of the stream: %+v %v", delivery, out, err)
		}
	}
	if st := s.emu.Stats(); st.Bindings != 2 || st.Calls["BindAxg"] != 1 || st.Calls["BindBatchAxg"] != 1 {
		t.Fatalf("upstream %+v", st)
	}
	rec := string(s.fake.Get("axg-bucket", "axg/messages/C6DB60D1574661357FA227270002.json"))
	if !strings.Contains(rec, `"PhoneNoA": "13800138001"`) || !strings.Contains(rec, `"Code": "isv.MOBILE_NUMBER_ILLEGAL"`) {
		t.Fatalf("batch record %s", rec)
	}
}

func TestThrottledMessageComesAgain(t *testing.T) {
	s := newSetup(t)
	s.emu.Inject(emulator.Fault{Code: "isv.FLOW_LIMIT", Times: -1})
	// A short invocation: the resends end at its deadline, not after 4.5 s.
	ctx, cancel := context.WithTimeout(s.ctx, 700*time.Millisecond)
	defer cancel()
	if _, err := platformtest.Invoke[fcmns.Outcome](s.h, ctx, fixture(t, "mns-queue-event.json")); err == nil {
		t.Fatal("a throttled message was acknowledged")
	}
	s.emu.ClearFaults()
	out, err := platformtest.Invoke[fcmns.Outcome](s.h, s.ctx, fixture(t, "mns-queue-event.json"))
	if err != nil || out.Messages[0].Code != core.CodeOK || len(s.emu.BindingsOf("13800138000")) != 1 {
		t.Fatalf("redelivery: %+v %v", out, err)
	}
}

func TestTopicMessages(t *testing.T) {
	s := newSetup(t)
	stream := json.RawMessage(`{"PhoneNoA":"13800138006","GroupId":1234,"Expiration":"2099-12-31 23:59:59"}`)
	for delivery := 1; delivery <= 2; delivery++ {
		out, err := platformtest.Invoke[fcmns.Outcome](s.h, s.ctx, fixture(t, "mns-topic-json.json"))
		if err != nil || len(out.Messages) != 1 || out.Messages[0].MessageId != "5F7E4B5C0B0A31DE4C71A4B5" || out.Messages[0].Code != core.CodeOK {
			t.Fatalf("JSON format, delivery %d: %+v %v", delivery, out, err)
		}
		out, err = platformtest.Invoke[fcmns.Outcome](s.h, s.ctx, stream)
		if err != nil || len(out.Messages) != 1 || !strings.HasPrefix(out.Messages[0].MessageId, "md5-") || out.Messages[0].Code != core.CodeOK {
			t.Fatalf("STREAM format, delivery %d: %+v %v", delivery, out, err)
		}
	}
	if s.emu.Stats().Bindings != 2 {
		t.Fatalf("%d bindings", s.emu.Stats().Bindings)
	}
	// PublishTime is epoch milliseconds: our type reads it.
	var tm fcmns.TopicMessage
	if err := json.Unmarshal(fixture(t, "mns-topic-json.json"), &tm); err != nil || tm.PublishTime != 1795416071895 {
		t.Fatalf("%+v %v", tm, err)
	}
}
