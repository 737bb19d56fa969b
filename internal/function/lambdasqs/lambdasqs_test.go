package lambdasqs_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/function/lambdasqs"
	"github.com/axg-binder/binder/internal/function/platform/platformtest"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
	"github.com/axg-binder/binder/internal/testkit/fakes3"
)

var update = flag.Bool("update", false, "rewrite the golden answers")

func setup(t *testing.T) (*lambdasqs.Handler, *emulator.Emulator, *s3.Client) {
	client := fakes3.New(t, "axg-results")
	env, emu := wiringtest.EnvFor(t, wiring.Messages, wiring.Deps{}, map[string]string{"AXG_RESULT_BUCKET": "axg-results", "AXG_MIN_CALL_TIME": "50ms"})
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
