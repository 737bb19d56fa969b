// Command floor is the reference under the binder's load figures: an HTTP
// server that, for each request, reads the body, makes one POST of a
// BindAxg-sized query to DYPLS_ENDPOINT over net/http with the same tuned
// transport, reads the answer and writes a small JSON answer. No validation,
// signing, retries, rate ceiling or logging: what any binder built on
// net/http on both sides spends at least. axg-bench loads it as it loads the
// local server and prints its CPU per request beside the binder's.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/axg-binder/binder/internal/core/dypls"
)

func main() {
	upstream := os.Getenv("DYPLS_ENDPOINT") + "/?"
	// About the size of a signed BindAxg query.
	query := strings.Repeat("Param=value&", 30)
	client := dypls.NewTransport()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, upstream+query+"n="+fmt.Sprint(len(body)), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp, err := client.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"Code":"OK","Upstream":%d}`, len(answer))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	fmt.Println("floor listening on http://" + ln.Addr().String())
	_ = http.Serve(ln, h)
}
