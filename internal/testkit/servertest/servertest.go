// Package servertest is what the tests' real servers share (redistest,
// dynalitetest): finding the program, and a free loopback port for it.
package servertest

import (
	"net"
	"os"
	"os/exec"
	"testing"
)

// Binary finds name on the PATH. Without it the test is skipped, except in
// CI (CI set), where it fails: .ci/run installs it (install says how).
func Binary(t testing.TB, name, install string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not on the PATH: .ci/run must install it (%s)", name, install)
		}
		t.Skipf("%s is not installed (%s)", name, install)
	}
	return bin
}

// FreePort is a loopback port free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
