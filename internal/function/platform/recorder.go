package platform

import (
	"bytes"
	"net/http"
)

// recorder keeps a handler's answer in memory, as a platform event's answer
// wants it. Ours, not net/http/httptest's ResponseRecorder: that package
// registers a command-line flag at start-up, which would bring the flag
// package into every deployable (6.5 KB of the Lambda S3 zip). It behaves
// as the recorder did for what our handlers do: the header as it was when
// the status was written, 200 when the body is written first, and a
// Content-Type sniffed from the body where the handler set none.
type recorder struct {
	header   http.Header
	snapshot http.Header // the header when the status was written
	status   int
	body     bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	w.snapshot = w.header.Clone()
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		if w.header.Get("Content-Type") == "" && w.header.Get("Transfer-Encoding") == "" {
			w.header.Set("Content-Type", http.DetectContentType(b))
		}
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(b)
}

// code is the status written, 200 when none was.
func (w *recorder) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// sent is the header as it was sent: as it was when the status was written.
func (w *recorder) sent() http.Header {
	if w.snapshot == nil {
		return w.header.Clone()
	}
	return w.snapshot
}
