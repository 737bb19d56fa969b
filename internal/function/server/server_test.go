package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

// TestSlowClientsAreCutOff: a client that trickles its body, or sends nothing
// at all, loses its connection once ReadTimeout has passed, token or not;
// the bound here is generous, the timeout short.
func TestSlowClientsAreCutOff(t *testing.T) {
	t.Parallel()
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}), 300*time.Millisecond)

	cutOff := func(name string, send func(c net.Conn)) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		closed := make(chan struct{})
		go func() {
			_, _ = io.Copy(io.Discard, c) // until the server closes the connection
			close(closed)
		}()
		go send(c)
		select {
		case <-closed:
			if d := time.Since(start); d < 250*time.Millisecond {
				t.Errorf("%s: cut off after %v, before the timeout", name, d)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s: still connected after 10 s with a 300 ms read timeout", name)
		}
	}
	cutOff("silent", func(net.Conn) {})
	cutOff("trickling a body", func(c net.Conn) {
		_, _ = io.WriteString(c, "POST /v1/axg/bind HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
		for i := 0; i < 200; i++ {
			if _, err := c.Write([]byte("{")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	cutOff("trickling headers", func(c net.Conn) {
		for _, b := range []byte("POST /v1/axg/bind HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 100)) {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	// A client that sends in time is served.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("a prompt client: %v %v", resp, err)
	}
}

// TestGoOwnErrorsAreJSON: what net/http answers by itself, before the
// handler (a malformed request line, headers too large), comes in the
// contract's JSON error shape, its detail masked, with a RequestId (it had
// none).
func TestGoOwnErrorsAreJSON(t *testing.T) {
	t.Parallel()
	addr := serve(t, http.NotFoundHandler(), 5*time.Second)
	for _, c := range []struct {
		raw    string
		status int
		code   string
	}{
		{"GARBAGE /call/138-1234-5678\r\n\r\n", 400, "isv.INVALID_PARAMETERS"},
		{"GET / HTTP/1.1\r\n\r\n", 400, "isv.INVALID_PARAMETERS"}, // no Host
		{"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\n", 431, "RequestTooLarge"},
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = io.WriteString(conn, c.raw) }()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%.40q: %v", c.raw, err)
		}
		b, _ := io.ReadAll(resp.Body)
		conn.Close()
		var body struct{ Code, Message, RequestId string }
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" ||
			json.Unmarshal(b, &body) != nil || body.Code != c.code || strings.Contains(string(b), "1234-5678") || body.RequestId == "" {
			t.Errorf("%.40q: %d %s %s", c.raw, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
}

// TestSlowBodyIs408: the binder's own handler, a body trickled past the
// read timeout: 408 RequestTimeout with the contract's body and a
// RequestId (it was 400 "could not read the body").
func TestSlowBodyIs408(t *testing.T) {
	t.Parallel()
	h, _ := wiringtest.Handler(t, false)
	addr := serve(t, h, 300*time.Millisecond)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "POST /v1/axg/bind HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+wiringtest.Token+"\r\nContent-Length: 1000\r\n\r\n{")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Code, Message, RequestId string }
	if resp.StatusCode != http.StatusRequestTimeout || json.NewDecoder(resp.Body).Decode(&body) != nil ||
		body.Code != "RequestTimeout" || body.RequestId == "" {
		t.Fatalf("%d %+v", resp.StatusCode, body)
	}
}

// serve serves h on a free loopback port until the test ends, with the
// read timeout given, and returns its address.
func serve(t *testing.T, h http.Handler, readTimeout time.Duration) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, Options{ReadTimeout: readTimeout, Grace: time.Second}, io.Discard) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}
