// Package redistest starts a real redis-server for a test, on a free
// loopback port, and stops it when the test ends.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/testkit/servertest"
)

// Server is a running redis-server.
type Server struct {
	Addr     string
	bin, dir string
	cmd      *exec.Cmd
}

// URL is the server's address as AXG_REDIS_URL takes it.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// Stop kills the server (a test of what happens when Redis goes away).
func (s *Server) Stop() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() }

// Pause stops the server without ending it (SIGSTOP): connections stay
// open and nothing answers, as with a server that hangs. Resume goes on.
func (s *Server) Pause()  { _ = s.cmd.Process.Signal(syscall.SIGSTOP) }
func (s *Server) Resume() { _ = s.cmd.Process.Signal(syscall.SIGCONT) }

// Start runs redis-server on a free port with no persistence. Without the
// binary the test is skipped, except in CI (CI set), where it fails: .ci/run
// installs it.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := servertest.Binary(t, "redis-server", "apt-get install redis-server")
	s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", servertest.FreePort(t)), bin: bin, dir: t.TempDir()}
	s.launch(t)
	t.Cleanup(s.Stop)
	return s
}

// Restart starts a stopped server again on its port, empty: it keeps
// nothing on disk, as a cache node that was replaced.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.launch(t)
}

func (s *Server) launch(t testing.TB) {
	t.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command(s.bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--logfile", "")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				close(ready)
				break
			}
		}
		for sc.Scan() {
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case <-ready:
	case <-ctx.Done():
		t.Fatal("redis-server did not start")
	}
}
