//go:build release

package releasecheck

import (
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/axg-binder/binder/internal/testkit/syncbuf"
)

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
	stderr *syncbuf.Buffer
}

func start(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin), stderr: &syncbuf.Buffer{}}
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
