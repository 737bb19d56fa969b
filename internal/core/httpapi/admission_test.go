package httpapi_test

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core/httpapi"
)

// TestAdmissionByBytesInFlight: while requests whose bodies take the
// instance's budget are in flight, another waits briefly, then answers 503
// Overloaded with Retry-After, having sent nothing; once they are done, it
// is served. Without the bound every request was admitted, and 100
// concurrent 1 MiB batches took FC web past its 256 MB.
func TestAdmissionByBytesInFlight(t *testing.T) {
	t.Parallel()
	body := bindBody("13800000171", `"OutId":"`+strings.Repeat("o", 100)+`"`)
	budget := int64(8 * len(body) * 3 / 2) // one request's cost (8 times its body) fits, two do not
	s := newSetup(t, options{http: httpapi.Config{Tokens: []string{"tok"}, MaxInflightBytes: budget, AdmitWait: 200 * time.Millisecond}})
	s.emu.Inject(emulator.Fault{Action: "BindAxg", Delay: 500 * time.Millisecond})
	send := func() (int, string) {
		r := httptest.NewRequest("POST", httpapi.RouteBind, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer tok")
		w := httptest.NewRecorder()
		s.h.ServeHTTP(w, r)
		return w.Code, w.Header().Get("Retry-After") + " " + w.Body.String()
	}
	var wg sync.WaitGroup
	var first int
	wg.Go(func() { first, _ = send() })
	time.Sleep(100 * time.Millisecond)
	code, got := send()
	if code != 503 || !strings.HasPrefix(got, "1 ") || !strings.Contains(got, `"Code":"Overloaded"`) {
		t.Fatalf("a request past the budget: %d %s", code, got)
	}
	wg.Wait()
	if first != 200 {
		t.Fatalf("the first request: %d", first)
	}
	if n := s.emu.Stats().Calls["BindAxg"]; n != 1 {
		t.Fatalf("%d BindAxg calls: the refused request was sent", n)
	}
	if code, got := send(); code != 200 {
		t.Fatalf("once the budget is free: %d %s", code, got)
	}
}
