package emulator

import (
	_ "embed"
	"net/http"
	"strconv"
)

// console.html is the page at /: the calls as they arrive, the bindings and
// groups, and a button for each fault, all through the controls
// (control.go). Numbers are masked there as in State.
//
//go:embed console.html
var consolePage []byte

func (e *Emulator) console(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(consolePage)))
	// The page runs only its own script and calls only its own origin.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
	_, _ = w.Write(consolePage)
}
