package dirstore_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/ledger/ledgertest"
	"github.com/axg-binder/binder/internal/store/dirstore"
)

func TestConformance(t *testing.T) {
	ledgertest.RunConformanceTests(t, func(t *testing.T) ledger.Driver {
		d, err := dirstore.Open(filepath.Join(t.TempDir(), "ledger"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

// TestAcrossProcesses: two processes creating the same keys at once each
// win a key exactly once between them (the lock is the folder's, not the
// process's).
func TestAcrossProcesses(t *testing.T) {
	if dir := os.Getenv("DIRSTORE_CHILD"); dir != "" {
		d, err := dirstore.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		won := 0
		for i := range 200 {
			old, err := d.Create(context.Background(), ledger.Record{Key: "k" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
				Token: os.Getenv("DIRSTORE_TOKEN"), Expires: time.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if old == nil {
				won++
			}
		}
		if err := os.WriteFile(filepath.Join(os.Getenv("DIRSTORE_OUT"), os.Getenv("DIRSTORE_TOKEN")), []byte(strconv.Itoa(won)), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	dir, out := t.TempDir(), t.TempDir()
	if _, err := dirstore.Open(dir); err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	for _, tok := range []string{"p1", "p2"} {
		c := exec.Command(os.Args[0], "-test.run", "^TestAcrossProcesses$", "-test.count=1")
		c.Env = append(os.Environ(), "DIRSTORE_CHILD="+dir, "DIRSTORE_OUT="+out, "DIRSTORE_TOKEN="+tok)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for _, tok := range []string{"p1", "p2"} {
		b, err := os.ReadFile(filepath.Join(out, tok))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(string(b))
		total += n
	}
	if total != 200 {
		t.Fatalf("two processes won %d creates of 200 keys", total)
	}
}

// BenchmarkLedgerRecord is what a key costs a bind in a folder: two
// locked, synced writes.
func BenchmarkLedgerRecord(b *testing.B) {
	d, err := dirstore.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	ledgertest.Bench(b, d)
}

// TestCompaction: a log mostly of records replaced since is rewritten with
// the current ones; this process and another (a second Open) read them.
func TestCompaction(t *testing.T) {
	defer dirstore.SetCompactBytes(16 << 10)()
	dir := t.TempDir()
	a, _ := dirstore.Open(dir)
	b, _ := dirstore.Open(dir)
	ctx := context.Background()
	tok := "t0"
	if _, err := a.Create(ctx, ledger.Record{Key: "k", Token: tok, Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := a.PutBatch(ctx, nil, []ledger.Member{{Key: "s", Value: "v", Expires: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		next := "t" + strconv.Itoa(i+1)
		if err := a.Replace(ctx, tok, ledger.Record{Key: "k", Token: next, Expires: time.Now().Add(time.Hour), Body: make([]byte, 100)}); err != nil {
			t.Fatal(err)
		}
		tok = next
	}
	st, _ := os.Stat(filepath.Join(dir, "once.log"))
	if st.Size() > 32<<10 {
		t.Fatalf("the log is %d bytes after compaction", st.Size())
	}
	for _, d := range []*dirstore.Ledger{a, b} {
		r, err := d.Get(ctx, "k")
		m, merr := d.Members(ctx, "s")
		if err != nil || merr != nil || r == nil || r.Token != tok || len(m) != 1 {
			t.Fatalf("after compaction: %+v %v, %v %v", r, err, m, merr)
		}
	}
}
