// Package logs is the binder's structured logger: JSON lines whose every
// record carries a level, the function's name and version, and, within a
// request, the platform's request ID and whether the instance is serving its
// first request (cold_start). Keys follow Lambda's JSON log format
// (timestamp, level, message), so the lines stay valid JSON under its
// advanced logging controls and index as fields in an SLS logstore.
package logs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/axg-binder/binder/internal/core/request"
)

// Options say who writes the lines, and from which level.
type Options struct {
	Level    slog.Level
	Function string // the function's name, "" to leave it out
	Version  string // its version or qualifier
}

// New returns a logger writing JSON lines to w.
func New(w io.Writer, o Options) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: o.Level, ReplaceAttr: rename})
	var fixed []slog.Attr
	if o.Function != "" {
		fixed = append(fixed, slog.String("function", o.Function))
	}
	if o.Version != "" {
		fixed = append(fixed, slog.String("function_version", o.Version))
	}
	return slog.New(&handler{inner: h.WithAttrs(fixed)})
}

// rename gives the built-in keys Lambda's names (timestamp, message) and
// spells TRACE and FATAL, which slog has not.
func rename(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		a.Key = "timestamp"
	case slog.MessageKey:
		a.Key = "message"
	case slog.LevelKey:
		switch l := a.Value.Any().(slog.Level); {
		case l < slog.LevelDebug:
			a.Value = slog.StringValue("TRACE")
		case l > slog.LevelError:
			a.Value = slog.StringValue("FATAL")
		}
	}
	return a
}

// ParseLevel reads a level as Lambda's AWS_LAMBDA_LOG_LEVEL and
// AXG_LOG_LEVEL spell it: TRACE, DEBUG, INFO, WARN, ERROR, FATAL, any case.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRACE":
		return slog.LevelDebug - 4, nil
	case "DEBUG":
		return slog.LevelDebug, nil
	case "", "INFO":
		return slog.LevelInfo, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	case "FATAL":
		return slog.LevelError + 4, nil
	}
	return 0, fmt.Errorf("want TRACE, DEBUG, INFO, WARN, ERROR or FATAL, got %q", s)
}

// handler adds the request's fields to each record made in its context.
type handler struct{ inner slog.Handler }

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if in, ok := request.From(ctx); ok {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", in.ID), slog.Bool("cold_start", in.Cold))
	}
	return h.inner.Handle(ctx, r)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler { return &handler{h.inner.WithAttrs(as)} }

func (h *handler) WithGroup(name string) slog.Handler { return &handler{h.inner.WithGroup(name)} }
