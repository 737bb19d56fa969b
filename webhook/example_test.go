package webhook_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/axg-binder/binder/webhook"
)

// A receiver of the binder's receipts checks each delivery before it
// trusts it: the HMAC-SHA256 of the timestamp, a dot and the body, keyed
// with AXG_RECEIPTS_SIGNING_KEY, and a timestamp near now; it keeps the
// X-AXG-Delivery IDs it has seen to drop repeats (delivery is at least
// once).
func ExampleVerify() {
	signingKey := []byte("the value of AXG_RECEIPTS_SIGNING_KEY")
	receiver := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := webhook.Verify(signingKey, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		fmt.Println("delivery", r.Header.Get("X-AXG-Delivery"), "verified")
		w.WriteHeader(http.StatusNoContent) // any 2xx: delivered
	})

	// What the binder sends:
	body := `{"Id":"3f9a","Type":"SecretReport","Receipt":{}}`
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	r := httptest.NewRequest("POST", "/receipts", strings.NewReader(body))
	r.Header.Set("X-AXG-Timestamp", ts)
	r.Header.Set("X-AXG-Signature", webhook.Sign(signingKey, ts, []byte(body)))
	r.Header.Set("X-AXG-Delivery", "3f9a")
	receiver.ServeHTTP(httptest.NewRecorder(), r)
	// Output: delivery 3f9a verified
}
