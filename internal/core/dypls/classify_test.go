package dypls

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core"
)

// TestClosedIdleConnectionIsNotSent: a call net/http wrote into a pooled
// connection the upstream had already closed while idle was never read
// there: known not sent, so it may go again (it was answered as of unknown
// outcome, and never resent).
func TestClosedIdleConnectionIsNotSent(t *testing.T) {
	err := fmt.Errorf("Post \"https://dyplsapi.aliyuncs.com/?...\": %w", errors.New("http: server closed idle connection"))
	if e := classify(err, true, time.Second); e.Outcome != core.NotSent || e.Code != core.CodeUpstreamUnavailable {
		t.Fatalf("closed idle connection: %+v", e)
	}
	if e := classify(errors.New("read tcp: connection reset by peer"), true, time.Second); e.Outcome != core.Unknown {
		t.Fatalf("a reset after sending: %+v, want unknown", e)
	}
}
