// Package repo holds checks of the repository itself: what git tracks.
package repo

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// maxTracked is the largest file the repository may track: source and
// documents are far smaller; anything bigger is a build output or data.
const maxTracked = 1 << 20

// TestNoBinariesTracked: git tracks no compiled program and no file over
// 1 MB (two built binaries of 16 and 10 MB were once committed at the root:
// unreviewable, and copied into every sam build). An executable is allowed
// only as a script (#!).
func TestNoBinariesTracked(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "ls-files", "-s", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("not a git checkout (%v)", err)
	}
	n := 0
	for _, entry := range bytes.Split(out, []byte{0}) {
		if len(entry) == 0 {
			continue
		}
		meta, path, _ := strings.Cut(string(entry), "\t")
		n++
		b, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			continue // deleted in the working tree
		}
		if len(b) > maxTracked {
			t.Errorf("%s: %d bytes tracked, over %d", path, len(b), maxTracked)
		}
		if strings.HasPrefix(meta, "100755") && !bytes.HasPrefix(b, []byte("#!")) {
			t.Errorf("%s: an executable that is not a script", path)
		}
		if bytes.HasPrefix(b, []byte("\x7fELF")) || bytes.HasPrefix(b, []byte("MZ")) || bytes.HasPrefix(b, []byte{0xcf, 0xfa, 0xed, 0xfe}) {
			t.Errorf("%s: a compiled program", path)
		}
	}
	if n < 100 {
		t.Fatalf("git tracks %d files: the listing failed", n)
	}
}
