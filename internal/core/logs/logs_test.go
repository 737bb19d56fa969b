package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/axg-binder/binder/internal/core/request"
)

func lines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		out = append(out, m)
	}
	return out
}

func TestLines(t *testing.T) {
	var b bytes.Buffer
	log := New(&b, Options{Level: slog.LevelInfo, Function: "axg-http", Version: "7"})
	log.Debug("not written")
	log.Info("outside a request")
	first := request.With(context.Background(), request.Info{ID: "req-1"})
	in, _ := request.From(first)
	cold := in.Cold // the process's first request (true unless a test ran before: -count)
	log.InfoContext(first, "request", "route", "/v1/axg/bind")
	log.With("k", "v").WarnContext(first, "again")
	second := request.With(context.Background(), request.Info{ID: "req-2"})
	log.ErrorContext(second, "request")
	log.Log(second, slog.LevelError+4, "fatal")
	ls := lines(t, &b)
	if len(ls) != 5 {
		t.Fatalf("%d lines, want 5 (DEBUG filtered):\n%s", len(ls), b.String())
	}
	for i, l := range ls {
		if l["timestamp"] == nil || l["message"] == nil || l["level"] == nil || l["function"] != "axg-http" || l["function_version"] != "7" {
			t.Errorf("line %d lacks timestamp, message, level or the function: %v", i, l)
		}
		if _, ok := l["msg"]; ok {
			t.Errorf("line %d keeps slog's msg key: %v", i, l)
		}
	}
	if _, ok := ls[0]["request_id"]; ok {
		t.Errorf("a line outside a request has a request_id: %v", ls[0])
	}
	for i, want := range []struct {
		id    string
		cold  bool
		level string
	}{{"req-1", cold, "INFO"}, {"req-1", cold, "WARN"}, {"req-2", false, "ERROR"}, {"req-2", false, "FATAL"}} {
		l := ls[i+1]
		if l["request_id"] != want.id || l["cold_start"] != want.cold || l["level"] != want.level {
			t.Errorf("line %d: %v, want request %s cold_start %v level %s", i+1, l, want.id, want.cold, want.level)
		}
	}
	if ls[2]["k"] != "v" {
		t.Errorf("With's attributes lost: %v", ls[2])
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, " WARN ": slog.LevelWarn,
		"TRACE": slog.LevelDebug - 4, "fatal": slog.LevelError + 4, "Error": slog.LevelError} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error("loud accepted")
	}
}
