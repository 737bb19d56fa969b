// Package runtimeapi fakes the runtime APIs that Lambda's and Function
// Compute's runtimes serve to a function process: the function long-polls
// for the next invocation and posts its response or error. Tests and the
// cold-start benchmark run the built binaries against it.
package runtimeapi

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Invocation is one event handed to the function.
type Invocation struct {
	ID       string
	Payload  []byte
	Deadline time.Time
	Header   http.Header // extra headers, e.g. FC's per-invocation credentials
}

// Result is what the function posted for one invocation.
type Result struct {
	Kind string // "response" or "error"
	Body []byte
	At   time.Time
}

// Protocol is one platform's runtime API.
type Protocol struct {
	// EnvVar tells the function where the API is.
	EnvVar string
	// Prefix is the invocation path prefix.
	Prefix string
	// Accepted is the status a posted answer gets.
	Accepted int
	// Headers sets the platform's headers for an invocation.
	Headers func(inv Invocation, h http.Header)
}

// Lambda is AWS Lambda's runtime API (2018-06-01).
var Lambda = Protocol{
	EnvVar: "AWS_LAMBDA_RUNTIME_API", Prefix: "/2018-06-01/runtime/invocation/", Accepted: http.StatusAccepted,
	Headers: func(inv Invocation, h http.Header) {
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.ID)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:axg-binder-http")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-6741f0a2-15a4c0b1a8d6e2f5c3b4a1d2;Sampled=0")
	},
}

// FC is Function Compute's runtime API (2020-11-11).
var FC = Protocol{
	EnvVar: "FC_RUNTIME_API", Prefix: "/2020-11-11/runtime/invocation/", Accepted: http.StatusOK,
	Headers: func(inv Invocation, h http.Header) {
		h.Set("x-fc-request-id", inv.ID)
		h.Set("x-fc-function-deadline", strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
		h.Set("x-fc-function-timeout", "20")
		h.Set("x-fc-function-name", "axg-binder-http")
		h.Set("x-fc-function-handler", "main")
		h.Set("x-fc-function-memory", "128")
		h.Set("x-fc-region", "cn-hangzhou")
		h.Set("x-fc-account-id", "123456789012")
	},
}

// Server serves one Protocol on a loopback port.
type Server struct {
	p       Protocol
	next    chan Invocation
	mu      sync.Mutex
	waiting map[string]chan Result
	srv     *httptest.Server
	closed  chan struct{}
}

// Start serves p; Close stops it.
func Start(p Protocol) *Server {
	s := &Server{p: p, next: make(chan Invocation, 1), waiting: map[string]chan Result{}, closed: make(chan struct{})}
	s.srv = httptest.NewServer(s)
	return s
}

// Env is the variable that points a function at this server.
func (s *Server) Env() string {
	return s.p.EnvVar + "=" + strings.TrimPrefix(s.srv.URL, "http://")
}

// Close stops the server, first releasing a function's pending poll (which
// would otherwise hold Close until the function process ends).
func (s *Server) Close() {
	close(s.closed)
	s.srv.Close()
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, s.p.Prefix)
	switch {
	case ok && rest == "next" && r.Method == http.MethodGet:
		select {
		case inv := <-s.next:
			s.p.Headers(inv, w.Header())
			for k, vs := range inv.Header {
				w.Header()[k] = vs
			}
			_, _ = w.Write(inv.Payload)
		case <-r.Context().Done():
		case <-s.closed:
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
		}
	case ok && r.Method == http.MethodPost:
		id, kind, _ := strings.Cut(rest, "/")
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		ch := s.waiting[id]
		delete(s.waiting, id)
		s.mu.Unlock()
		if ch == nil {
			http.Error(w, "no such invocation", http.StatusNotFound)
			return
		}
		ch <- Result{Kind: kind, Body: body, At: time.Now()}
		w.WriteHeader(s.p.Accepted)
		_, _ = w.Write([]byte(`{"status":"OK"}`))
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

// Queue hands inv to the next poll and returns where its answer will arrive.
// It may be called before the function has started.
func (s *Server) Queue(inv Invocation) <-chan Result {
	ch := make(chan Result, 1)
	s.mu.Lock()
	s.waiting[inv.ID] = ch
	s.mu.Unlock()
	s.next <- inv
	return ch
}

// Invoke queues inv and waits up to timeout for the answer.
func (s *Server) Invoke(inv Invocation, timeout time.Duration) (Result, error) {
	select {
	case r := <-s.Queue(inv):
		return r, nil
	case <-time.After(timeout):
		return Result{}, errors.New("no answer for invocation " + inv.ID)
	}
}
