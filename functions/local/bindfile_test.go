package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
)

func TestBindFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	mixed := filepath.Join(dir, "mixed.jsonl")
	_ = os.WriteFile(good, []byte("PhoneNoA,GroupId,Expiration\n13800138001,1234,2099-12-31 23:59:59\n"), 0o644)
	_ = os.WriteFile(mixed, []byte(`{"PhoneNoA":"13800138002","GroupId":1234,"Expiration":"2099-12-31 23:59:59"}`+"\n"+
		`{"PhoneNoA":"1380","GroupId":1234,"Expiration":"2099-12-31 23:59:59"}`+"\n"), 0o644)
	env := func(k string) string { return map[string]string{"AXG_POOL_KEY": "FC123456"}[k] }
	for _, c := range []struct {
		args []string
		code int // 0: no error
	}{
		{[]string{"local", "bind-file", good}, 0},
		{[]string{"local", "bind-file", mixed}, 1},
		{[]string{"local", "bind-file", filepath.Join(dir, "missing.csv")}, 2},
		{[]string{"local", "bind-file"}, 2},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), c.args, env, &stdout, &stderr)
		var ex exitError
		if c.code == 0 && err != nil || c.code != 0 && (!errors.As(err, &ex) || ex.code != c.code) {
			t.Errorf("%v: %v, want exit %d", c.args, err, c.code)
		}
	}
	b, err := os.ReadFile(mixed + ".results.jsonl")
	if err != nil || strings.Count(string(b), "\n") != 2 || !strings.Contains(string(b), `"Row":2,"Line":2,"PhoneNoA":"1380","GroupId":"1234","Code":"isv.MOBILE_NUMBER_ILLEGAL"`) {
		t.Fatalf("results: %s %v", b, err)
	}
	if _, err := os.Stat(mixed + ".summary.json"); err != nil {
		t.Fatal(err)
	}
}

// TestExampleFiles: the examples that ship run completely on the embedded
// emulator: bindings.csv binds five orders; closed-orders.csv opens three,
// closes two of them and extends the third.
func TestExampleFiles(t *testing.T) {
	for name, ok := range map[string]string{"bindings.csv": `"OK": 5`, "closed-orders.csv": `"OK": 6`} {
		dir := t.TempDir()
		src, err := os.ReadFile("../../examples/" + name)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, src, 0o644)
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"local", "bind-file", path}, func(string) string { return "" }, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr.String())
		}
		if !strings.Contains(stdout.String(), ok) {
			results, _ := os.ReadFile(path + ".results.jsonl")
			t.Fatalf("%s: %s\n%s", name, stdout.String(), results)
		}
	}
}

// TestBindFileKnowsTheFileByItsContent: a finished file touched, or copied
// under its name, binds nothing again; edited, it is refused (exit 2) and its
// earlier results stay.
func TestBindFileKnowsTheFileByItsContent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "orders.csv")
	content := "PhoneNoA,GroupId,Expiration\n13800138101,1234,2099-12-31 23:59:59\n13800138102,1234,2099-12-31 23:59:59\n"
	_ = os.WriteFile(path, []byte(content), 0o644)
	env := func(k string) string { return map[string]string{"AXG_POOL_KEY": "FC123456"}[k] }
	bindFile := func() (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"local", "bind-file", path}, env, &stdout, &stderr)
		return stdout.String(), err
	}
	if _, err := bindFile(); err != nil {
		t.Fatal(err)
	}
	results, _ := os.ReadFile(path + ".results.jsonl")
	// Touched: a later modification time, the same content.
	later := time.Now().Add(time.Hour)
	_ = os.Chtimes(path, later, later)
	out, err := bindFile()
	if err != nil || !strings.Contains(out, `"Rows": 2`) {
		t.Fatalf("touched: %v %s", err, out)
	}
	if again, _ := os.ReadFile(path + ".results.jsonl"); string(again) != string(results) {
		t.Fatalf("touched, the file was bound again:\n%s", again)
	}
	// Edited after the run: refused, the earlier results kept.
	_ = os.WriteFile(path, []byte(strings.Replace(content, "13800138102", "13800138103", 1)), 0o644)
	var ex exitError
	if _, err := bindFile(); !errors.As(err, &ex) || ex.code != 2 || !strings.Contains(err.Error(), "other content") {
		t.Fatalf("edited: %v", err)
	}
	if again, _ := os.ReadFile(path + ".results.jsonl"); string(again) != string(results) {
		t.Fatalf("edited, the earlier results changed:\n%s", again)
	}
}

// TestBindFileCopiesBindNothingAgain: against a real upstream (here the
// emulator on a port), a copy of a bound file under another name, in
// another folder, or the file moved, binds nothing again and gets the
// first one's results: the machine's ledger ($XDG_STATE_HOME/axg-binder)
// knows the content. Before, each name bound every row again.
func TestBindFileCopiesBindNothingAgain(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	srv, err := emulator.Start(emu, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir, state := t.TempDir(), t.TempDir()
	vars := map[string]string{"AXG_POOL_KEY": "FC123456", "DYPLS_ENDPOINT": srv.URL, "XDG_STATE_HOME": state,
		"ALIBABA_CLOUD_ACCESS_KEY_ID": emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": emulator.DemoAccessKeySecret}
	bindFile := func(path string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"local", "bind-file", path}, func(k string) string { return vars[k] }, &stdout, &stderr)
		return stdout.String(), err
	}
	content := "PhoneNoA,GroupId,Expiration\n13800138111,1234,2099-12-31 23:59:59\n13800138112,1234,2099-12-31 23:59:59\n"
	a := filepath.Join(dir, "a.csv")
	_ = os.WriteFile(a, []byte(content), 0o644)
	if out, err := bindFile(a); err != nil {
		t.Fatalf("a.csv: %v %s", err, out)
	}
	results, _ := os.ReadFile(a + ".results.jsonl")
	calls := emu.Stats().Calls["BindBatchAxg"] + emu.Stats().Calls["BindAxg"]
	if calls == 0 || len(emu.BindingsOf("13800138111")) != 1 {
		t.Fatalf("a.csv bound nothing: %d calls", calls)
	}
	_ = os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	moved := filepath.Join(dir, "c.csv")
	for _, copyTo := range []string{filepath.Join(dir, "b.csv"), filepath.Join(dir, "sub", "a.csv"), moved} {
		_ = os.WriteFile(copyTo, []byte(content), 0o644)
		if copyTo == moved {
			_ = os.Remove(a)
		}
		out, err := bindFile(copyTo)
		if err != nil || !strings.Contains(out, "nothing bound again") {
			t.Fatalf("%s: %v %s", copyTo, err, out)
		}
		if got, _ := os.ReadFile(copyTo + ".results.jsonl"); string(got) != string(results) {
			t.Fatalf("%s: results\n%s\nwant\n%s", copyTo, got, results)
		}
		var s struct{ SameAs string }
		b, _ := os.ReadFile(copyTo + ".summary.json")
		if json.Unmarshal(b, &s) != nil || s.SameAs != a {
			t.Fatalf("%s: summary %s", copyTo, b)
		}
	}
	if n := emu.Stats().Calls["BindBatchAxg"] + emu.Stats().Calls["BindAxg"]; n != calls || len(emu.BindingsOf("13800138111")) != 1 {
		t.Fatalf("the copies bound again: %d calls (were %d)", n, calls)
	}
}
