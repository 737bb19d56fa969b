//go:build release

package releasecheck

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/testkit/runtimeapi"
)

// TestReceiptsJobUnderItsRuntime: the built FC receipts function, invoked
// by a timer event through FC's runtime protocol with the role's
// credentials, reads the queues it is given (a token, the vendor's MNS
// client) and answers what it did; the queues it is not given are left.
func TestReceiptsJobUnderItsRuntime(t *testing.T) {
	emu := freshEmulator()
	srv := httptest.NewServer(emu)
	defer srv.Close()
	c, err := dypls.New(dypls.Config{Endpoint: srv.URL, AccessKeyID: emulator.DemoAccessKeyID, AccessKeySecret: emulator.DemoAccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	b, err := c.BindAxg(context.Background(), emulator.DemoPoolKey, &core.Item{PhoneNoA: "13800000901", GroupId: "1234", Expiration: exp})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.PlaceCall(context.Background(), emulator.CallSpec{SubsId: b.SubsId, Twice: true}); err != nil {
		t.Fatal(err)
	}
	pc := platformCase{name: "fc", binary: "fc-receipts-%s/main", protocol: runtimeapi.FC, extra: fcCredentials,
		env: func(endpoint string) []string {
			return []string{"DYPLS_ENDPOINT=" + endpoint, "AXG_UPSTREAM_TIMEOUT=10s", "AXG_RECEIPTS_MNS_ENDPOINT=" + endpoint, "AXG_DYBASE_ENDPOINT=" + endpoint,
				"AXG_RECEIPTS_QUEUES=SecretReport=" + emulator.QueueName("SecretReport") + ",SecretStartReport=" + emulator.QueueName("SecretStartReport")}
		}}
	rt, p := launch(t, pc, srv.URL)
	r, err := rt.Invoke(runtimeapi.Invocation{ID: "timer-1", Payload: []byte(`{"triggerTime":"2026-12-06T10:00:00Z","triggerName":"every-minute","payload":"{}"}`),
		Deadline: time.Now().Add(20 * time.Second), Header: pc.extra}, 20*time.Second)
	if err != nil || r.Kind != "response" {
		t.Fatalf("%v %s %s\n%s", err, r.Kind, r.Body, p.stderr.String())
	}
	var tick struct{ Pulled, Delivered, Failed int }
	if err := json.Unmarshal(r.Body, &tick); err != nil || tick.Pulled != 4 {
		t.Fatalf("answered %s, want 4 pulled (two receipts, each queued twice)\n%s", r.Body, p.stderr.String())
	}
	st := emu.State()
	if st.Queued[emulator.QueueName("SecretReport")] != 0 || st.Queued[emulator.QueueName("SecretStartReport")] != 0 || st.Queued[emulator.QueueName("SecretRingReport")] != 2 {
		t.Fatalf("queues after the run: %v", st.Queued)
	}
	// The process's output is copied to the buffer as it comes: the run's
	// line may land a moment after its answer.
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(p.stderr.String(), `"message":"receipts"`) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if logs := p.stderr.String(); !strings.Contains(logs, `"message":"receipts"`) || strings.Contains(logs, "fc-role-secret") || strings.Contains(logs, "13800000901") {
		t.Errorf("logs:\n%s", logs)
	}
}
