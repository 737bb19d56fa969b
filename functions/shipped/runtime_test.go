package shipped

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// invocation is one event handed to a runtime loop.
type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	header   http.Header // extra headers, e.g. FC's credentials
}

// result is what the function posted back for one invocation.
type result struct {
	kind string // "response" or "error"
	body []byte
	at   time.Time
}

// fakeRuntime is a platform's runtime API: the function long-polls next, then
// posts its response or error for the invocation's ID.
type fakeRuntime struct {
	prefix  string                              // ".../runtime/invocation/"
	headers func(inv invocation, h http.Header) // the platform's invocation headers
	// accepted is the status a posted answer gets: Lambda's API says 202, FC's 200.
	accepted int
	next     chan invocation
	mu       sync.Mutex
	waiting  map[string]chan result
	srv      *httptest.Server
}

func newFakeRuntime(t *testing.T, prefix string, accepted int, headers func(invocation, http.Header)) *fakeRuntime {
	f := &fakeRuntime{prefix: prefix, accepted: accepted, headers: headers, next: make(chan invocation), waiting: map[string]chan result{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRuntime) addr() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func (f *fakeRuntime) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, f.prefix)
	switch {
	case ok && rest == "next" && r.Method == http.MethodGet:
		select {
		case inv := <-f.next:
			f.headers(inv, w.Header())
			for k, vs := range inv.header {
				w.Header()[k] = vs
			}
			_, _ = w.Write(inv.payload)
		case <-r.Context().Done():
		}
	case ok && r.Method == http.MethodPost:
		id, kind, _ := strings.Cut(rest, "/")
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		ch := f.waiting[id]
		f.mu.Unlock()
		if ch == nil {
			http.Error(w, "no such invocation", http.StatusNotFound)
			return
		}
		ch <- result{kind: kind, body: body, at: time.Now()}
		w.WriteHeader(f.accepted)
		_, _ = w.Write([]byte(`{"status":"OK"}`))
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

// invoke hands inv to the function and waits for its answer.
func (f *fakeRuntime) invoke(t *testing.T, inv invocation) result {
	t.Helper()
	ch := make(chan result, 1)
	f.mu.Lock()
	f.waiting[inv.id] = ch
	f.mu.Unlock()
	select {
	case f.next <- inv:
	case <-time.After(10 * time.Second):
		t.Fatal("the function never asked for the next invocation")
	}
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		t.Fatalf("no answer for invocation %s", inv.id)
	}
	return result{}
}

// upstream is the emulator behind a switch, so each case starts fresh while
// the function keeps its endpoint.
type upstream struct {
	mu sync.Mutex
	h  http.Handler
}

func (u *upstream) set(h http.Handler) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.h = h
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	h := u.h
	u.mu.Unlock()
	h.ServeHTTP(w, r)
}

// process is a built binary running under a fake runtime.
type process struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func start(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin), stderr: &lockedBuffer{}}
	p.cmd.Env = env
	p.cmd.Stderr = p.stderr
	p.cmd.Stdout = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", bin, p.stderr.String())
		}
	})
	return p
}

// peakRSS is the process's peak resident memory in kB (Linux), for sizing.
func (p *process) peakRSS() string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}
