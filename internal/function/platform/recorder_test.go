package platform

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/axg-binder/binder/internal/core/request"
)

// TestServeRecordsAsHTTPWould: the answer Serve makes of a handler's writes
// is the one net/http/httptest's recorder made: 200 and a sniffed
// Content-Type when the body comes first, the header as it was when the
// status was written, a panic as the contract's 500.
func TestServeRecordsAsHTTPWould(t *testing.T) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for _, c := range []struct {
		name string
		h    http.HandlerFunc
	}{
		{"body first", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("plain words")) }},
		{"status, then a late header", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			w.Header().Set("X-Late", "1")
			_, _ = w.Write([]byte(`{"a":1}`))
		}},
		{"nothing written", func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Only", "1") }},
		{"binary", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte{0x89, 'P', 'N', 'G', 0, 0xff}) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c.h(rec, httptest.NewRequest("GET", "/", nil))
			want := rec.Result()
			got := Serve(c.h, log, httptest.NewRequest("GET", "/", nil), request.Info{ID: "r1"})
			if got.Status != want.StatusCode || got.Header.Get("Content-Type") != want.Header.Get("Content-Type") ||
				got.Header.Get("X-Late") != want.Header.Get("X-Late") || got.Header.Get("X-Only") != want.Header.Get("X-Only") {
				t.Errorf("got %d %v, want %d %v", got.Status, got.Header, want.StatusCode, want.Header)
			}
		})
	}
	a := Serve(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), log, httptest.NewRequest("GET", "/", nil), request.Info{ID: "r2"})
	if a.Status != 500 || a.Body != `{"Code":"InternalError","Message":"internal error","RequestId":"r2"}`+"\n" {
		t.Errorf("a panic: %d %s", a.Status, a.Body)
	}
}
