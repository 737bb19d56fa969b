package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/function/wiring"
)

// exitError carries bind-file's exit status: 1 when some rows did not bind,
// 2 when the run failed or stopped before the end (run it again to go on).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// bindFile binds the rows of a CSV or JSON Lines file from disk through the
// same code as the OSS and S3 triggers, writing FILE.results.jsonl and
// FILE.summary.json beside it (and FILE.checkpoint.json, so that a run cut
// short goes on where it stopped, and a finished file is not bound twice).
func bindFile(ctx context.Context, args []string, env *wiring.Env, stdout, stderr io.Writer) error {
	if len(args) != 1 {
		return exitError{2, "usage: bind-file FILE (.csv or .jsonl); PoolKey from the rows or AXG_POOL_KEY"}
	}
	path := args[0]
	f, err := os.Open(path)
	if err != nil {
		return exitError{2, err.Error()}
	}
	defer f.Close()
	// The content's hash is the file's identity: touching or copying it binds
	// nothing again, and other content under the same name is refused.
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return exitError{2, err.Error()}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return exitError{2, err.Error()}
	}
	etag := "sha256-" + hex.EncodeToString(h.Sum(nil))
	abs, err := filepath.Abs(path) // a content's home is found from anywhere
	if err != nil {
		return exitError{2, err.Error()}
	}
	start := time.Now()
	s, err := batchfile.Bind(ctx, env.Service, env.Validator, batchfile.File{Name: abs, ETag: etag, Body: f}, batchfile.DirStore{Base: abs}, batchfile.Options{
		PoolKey:     env.Config.Files.PoolKey,
		MaxRowBytes: env.Config.Files.MaxRowBytes,
		Ledger:      env.Ledger,
		Scope:       "local",
		StoreOf:     func(name string) batchfile.Store { return batchfile.DirStore{Base: name} },
		Progress: func(done int) {
			fmt.Fprintf(stderr, "bind-file: %d rows done, %.0f rows/s\n", done, float64(done)/time.Since(start).Seconds())
		},
	})
	if errors.Is(err, batchfile.ErrBusy) {
		return exitError{2, "another run of " + path + " is under way"}
	}
	if errors.Is(err, batchfile.ErrIncomplete) {
		return exitError{2, "stopped before the end of " + path + ": run the same command again to go on"}
	}
	if err != nil {
		return exitError{2, err.Error()}
	}
	if s.Error != "" {
		return exitError{2, path + ": " + s.Error}
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	fmt.Fprintf(stdout, "%s\nresults: %s.results.jsonl\n", b, path)
	if s.SameAs != "" {
		fmt.Fprintf(stdout, "the same content as %s, bound before: its results, nothing bound again\n", s.SameAs)
	}
	if failed := s.Rows - s.Counts[core.CodeOK]; failed > 0 {
		return exitError{1, fmt.Sprintf("%d of %d rows did not bind: see %s.results.jsonl", failed, s.Rows, path)}
	}
	return nil
}
