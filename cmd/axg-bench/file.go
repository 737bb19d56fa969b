package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/axg-binder/binder/emulator"
)

// files binds generated CSV files through the built binary's bind-file, with
// the upstream's own ceiling (5,000 calls per second per action, enforced by
// the emulator) and AXG_UPSTREAM_QPS at the same figure.
func files(out io.Writer, o options) error {
	bin := filepath.Join(o.dist, "local", "axg-binder")
	fmt.Fprintf(out, "## File path: bind-file, the ceiling set alike in AXG_UPSTREAM_QPS and in the emulator\n\n")
	fmt.Fprintf(out, "| rows | items per call | ceiling calls/s | seconds | rows/s | upstream calls/s | of the ceiling | calls throttled | peak RSS MB |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, f := range strings.Split(o.fileRows, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			continue
		}
		if err := fileRun(out, bin, n, 100, 5000); err != nil {
			return err
		}
	}
	// Where the ceiling, not the CPU, is the limit: one-item calls at the
	// upstream's 5,000 a second, and 100-item calls at 200 a second.
	if err := fileRun(out, bin, 50000, 1, 5000); err != nil {
		return err
	}
	if err := fileRun(out, bin, 200000, 100, 200); err != nil { // 10 s, so that starting and finishing weigh little
		return err
	}
	fmt.Fprintln(out)
	return nil
}

func fileRun(out io.Writer, bin string, n, chunk, ceiling int) error {
	dir, err := os.MkdirTemp("", "axg-bench-file-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "bindings.csv")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	exp := time.Now().Add(24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	fmt.Fprintln(w, "PhoneNoA,GroupId,Expiration")
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "1%010d,1234,%s\n", 3000000000+i, exp)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	f.Close()
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(ceiling))
	srv, err := emulator.Start(emu, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	cmd := exec.Command(bin, "bind-file", path)
	cmd.Env = append(upstreamEnv(srv.URL), "AXG_UPSTREAM_QPS="+strconv.Itoa(ceiling), "AXG_UPSTREAM_CHUNK="+strconv.Itoa(chunk), "AXG_POOL_KEY="+emulator.DemoPoolKey,
		"XDG_STATE_HOME="+dir) // bind-file's ledger, as a user's: the machine's folder, here fresh each run
	var output strings.Builder
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	// The child's own high-water mark, read while it runs: rusage's maxrss
	// would carry the forking parent's.
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	peakKB := 0
	var werr error
	for waiting := true; waiting; {
		if kb, _ := procStat(cmd.Process.Pid); kb > peakKB {
			peakKB = kb
		}
		select {
		case werr = <-done:
			waiting = false
		case <-time.After(20 * time.Millisecond):
		}
	}
	secs := time.Since(start).Seconds()
	if werr != nil {
		return fmt.Errorf("bind-file %d rows: %v\n%s", n, werr, tail([]byte(output.String())))
	}
	st := emu.Stats()
	calls := float64(st.Calls["BindBatchAxg"] + st.Calls["BindAxg"])
	fmt.Fprintf(out, "| %d | %d | %d | %.1f | %.0f | %.0f | %.1f %% | %d | %.1f |\n", n, chunk, ceiling, secs, float64(n)/secs, calls/secs, calls/secs/float64(ceiling)*100, st.Throttled, float64(peakKB)/1024)
	if st.Bindings != n {
		return fmt.Errorf("bind-file %d rows: %d bindings", n, st.Bindings)
	}
	return nil
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
