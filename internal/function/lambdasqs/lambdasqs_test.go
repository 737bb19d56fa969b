package lambdasqs_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/function/lambdasqs"
	"github.com/axg-binder/binder/internal/function/platform/platformtest"
	"github.com/axg-binder/binder/internal/function/wiring"
)

var update = flag.Bool("update", false, "rewrite the golden answers")

func setup(t *testing.T) (*lambdasqs.Handler, *emulator.Emulator, *s3.Client) {
	backend := s3mem.New()
	faker := gofakes3.New(backend)
	srv := httptest.NewServer(faker.Server())
	t.Cleanup(srv.Close)
	if err := backend.CreateBucket("axg-results"); err != nil {
		t.Fatal(err)
	}
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	vars := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emulator.DemoAccessKeySecret,
		"AXG_UPSTREAM_QPS": "1000000", "AXG_RESULT_BUCKET": "axg-results", "AXG_MIN_CALL_TIME": "50ms"}
	cfg, err := wiring.Load(func(k string) string { return vars[k] }, wiring.Messages, wiring.AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	env, err := wiring.Build(cfg, wiring.Deps{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	h := &lambdasqs.Handler{Env: env, Client: client}
	return h, emu, client
}

func event(t *testing.T) (events.SQSEvent, []byte) {
	raw, err := os.ReadFile("testdata/sqs-event.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev, raw
}

// TestMessages: the fixture's records, as the message path's neutral
// messages (testdata/*.messages.golden.json; -update rewrites it).
func TestMessages(t *testing.T) {
	t.Parallel()
	ev, _ := event(t)
	platformtest.Golden(t, "testdata/sqs-event.messages.golden.json", lambdasqs.Messages(ev), *update)
}

func TestSQSMessages(t *testing.T) {
	t.Parallel()
	h, emu, client := setup(t)
	ev, raw := event(t)
	back, _ := json.Marshal(ev)
	if !platformtest.JSONSubset(raw, back) {
		t.Fatalf("round trip changed the event: %s", back)
	}
	for delivery := 1; delivery <= 2; delivery++ {
		resp, err := platformtest.Invoke[events.SQSEventResponse](h, context.Background(), ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("delivery %d: %+v %v", delivery, resp, err)
		}
	}
	if st := emu.Stats(); st.Bindings != 2 || st.Calls["BindAxg"] != 1 || st.Calls["BindBatchAxg"] != 1 {
		t.Fatalf("upstream %+v", st)
	}
	obj, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("axg-results"), Key: aws.String("axg/messages/5b0e0f3a-0000-4000-8000-000000000003.json")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(obj.Body)
	if !strings.Contains(string(b), `"Kind": "invalid"`) {
		t.Fatalf("record %s", b)
	}
}

func TestThrottledMessageAloneIsRedelivered(t *testing.T) {
	t.Parallel()
	h, emu, _ := setup(t)
	ev, _ := event(t)
	emu.Inject(emulator.Fault{Action: "BindAxg", Code: "isv.FLOW_LIMIT", Times: -1})
	// A short invocation: the throttled message's resends end before its
	// deadline, leaving the others their time.
	ctx, cancel := context.WithTimeout(context.Background(), 900*time.Millisecond)
	defer cancel()
	resp, err := platformtest.Invoke[events.SQSEventResponse](h, ctx, ev)
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[0].MessageId {
		t.Fatalf("%+v %v", resp, err)
	}
	emu.ClearFaults()
	if resp, err := platformtest.Invoke[events.SQSEventResponse](h, context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 || len(emu.BindingsOf("13800138010")) != 1 {
		t.Fatalf("redelivery: %+v %v", resp, err)
	}
	if emu.Stats().Calls["BindBatchAxg"] != 1 {
		t.Fatalf("the batch message was sent %d times", emu.Stats().Calls["BindBatchAxg"])
	}
}
