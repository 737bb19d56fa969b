package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var out, log bytes.Buffer
	if err := run(ctx, []string{"-addr", "127.0.0.1:0", "-latency", "1ms", "-qps", "10"}, &out, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Dyplsapi emulator at http://127.0.0.1:") {
		t.Fatalf("printed %q", out.String())
	}
}

func TestBadFlag(t *testing.T) {
	var out, log bytes.Buffer
	if err := run(context.Background(), []string{"-latency", "soon"}, &out, &log); err == nil || !strings.Contains(log.String(), "-latency") {
		t.Fatalf("%v %q", err, log.String())
	}
}
