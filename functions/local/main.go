// Command local serves the binder's HTTP API on 127.0.0.1:$PORT. Without
// DYPLS_ENDPOINT it starts the embedded upstream emulator, seeded with the demo
// pool, and binds against it; it prints one curl command that works as printed.
//
// Where FC_CUSTOM_LISTEN_PORT is set it is a Function Compute web function
// (custom runtime): it listens on 0.0.0.0:$FC_CUSTOM_LISTEN_PORT, calls the
// real upstream unless DYPLS_ENDPOINT says otherwise, requires tokens unless
// AXG_AUTH=platform, and takes the request ID and credentials from FC's
// x-fc-* request headers.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/axg-binder/binder/core/dypls/emulator"
	"github.com/axg-binder/binder/core/validate"
	"github.com/axg-binder/binder/functions/internal/binder"
	"github.com/axg-binder/binder/functions/internal/fchttp"
	"github.com/axg-binder/binder/functions/internal/platform"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		var ex exitError
		if errors.As(err, &ex) {
			os.Exit(ex.code)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if getenv("FC_CUSTOM_LISTEN_PORT") != "" {
		return runWebFunction(ctx, getenv, stdout, stderr)
	}
	binder.TuneRuntime(getenv)
	cfg, err := binder.Load(getenv, binder.AuthIfTokens)
	if err != nil {
		return err
	}
	upstream, stop, err := embedded(&cfg)
	if err != nil {
		return err
	}
	defer stop()
	if len(args) > 1 && args[1] == "bind-file" {
		return bindFile(ctx, args[2:], cfg, stdout, stderr)
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	h, err := binder.New(cfg, binder.Deps{Log: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.Port)))
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "AXG binder listening on %s (upstream: %s)\n", base, upstream)
	fmt.Fprintf(stdout, "Try:\n%s\n", exampleCurl(base, cfg, time.Now()))
	return serve(ctx, ln, h, cfg.RequestTimeout, stdout)
}

// embedded starts the emulator when no DYPLS_ENDPOINT is configured, pointing
// cfg at it (with the demo key unless credentials are set, which it accepts).
func embedded(cfg *binder.Config) (desc string, stop func(), err error) {
	if cfg.Endpoint != "" {
		return cfg.Endpoint, func() {}, nil
	}
	emu := emulator.New(emulator.Demo())
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID, cfg.AccessKeySecret = emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret
	} else {
		emu.AddKey(emulator.Key{ID: cfg.AccessKeyID, Secret: cfg.AccessKeySecret, SecurityToken: cfg.SecurityToken})
	}
	srv, err := emulator.Start(emu, "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("starting the embedded emulator: %w", err)
	}
	cfg.Endpoint = srv.URL
	return "embedded emulator at " + srv.URL, func() { _ = srv.Close() }, nil
}

// runWebFunction is the Function Compute web function.
func runWebFunction(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	port, err := strconv.Atoi(getenv("FC_CUSTOM_LISTEN_PORT"))
	if err != nil || port < 1 || port > 65535 {
		return fmt.Errorf("FC_CUSTOM_LISTEN_PORT: want a port from 1 to 65535, got %q", getenv("FC_CUSTOM_LISTEN_PORT"))
	}
	h, _, err := binder.FromEnv(getenv, stderr, binder.Deps{RequestID: platform.RequestID, ContextCredentials: true})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("0.0.0.0", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "AXG binder web function listening on %s\n", ln.Addr())
	return serve(ctx, ln, fchttp.WebFunction(h), 15*time.Second, stdout)
}

// serve serves h on ln until ctx ends, then shuts down cleanly.
func serve(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration, stdout io.Writer) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), grace+time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}

// exampleCurl is a bind on the demo pool that expires in a day.
func exampleCurl(base string, cfg binder.Config, now time.Time) string {
	exp := now.Add(24 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)
	auth := ""
	if len(cfg.APITokens) > 0 {
		auth = ` -H "Authorization: Bearer $AXG_TOKEN"` // one of AXG_API_TOKENS; never printed
	}
	return fmt.Sprintf(`curl -s -X POST %s/v1/axg/bind -H 'Content-Type: application/json'%s -d '{"PoolKey":"%s","PhoneNoA":"13800138000","GroupId":%d,"ExpectCity":"北京","Expiration":"%s"}'`,
		base, auth, emulator.DemoPoolKey, emulator.DemoGroupID, exp)
}
