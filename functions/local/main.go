// Command local serves the binder's HTTP API on 127.0.0.1:$PORT. Without
// DYPLS_ENDPOINT it starts the embedded upstream emulator, seeded with the demo
// pool, and binds against it; it prints one curl command that works as printed.
// It is for a developer's machine only: the Function Compute web function is
// functions/fc/web, built without the emulator.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/axg-binder/binder/api"
	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/dypls/mnsqueue"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/pull"
	"github.com/axg-binder/binder/internal/core/redact"
	"github.com/axg-binder/binder/internal/core/validate"
	"github.com/axg-binder/binder/internal/function/otelsetup"
	"github.com/axg-binder/binder/internal/function/promsink"
	"github.com/axg-binder/binder/internal/function/server"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
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

// usage is what -h, --help and help print, and what a wrong argument earns.
const usage = `usage:
  axg-binder                 serve the HTTP API on 127.0.0.1:$PORT (default 9000), on the
                             embedded emulator unless DYPLS_ENDPOINT is set
  axg-binder bind-file FILE  bind a CSV or JSON Lines file (exit 0: all bound, 1: some rows
                             not, 2: the run failed or stopped; run it again to go on)
Configuration comes from the environment (docs/configuration.md).`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 {
		switch args[1] {
		case "-h", "-help", "--help", "help":
			fmt.Fprintln(stdout, usage)
			return nil
		case "bind-file":
		default:
			return exitError{2, fmt.Sprintf("unknown argument %q\n%s", args[1], usage)}
		}
	}
	wiring.TuneRuntime(getenv)
	cfg, err := wiring.Load(getenv, wiring.HTTP|wiring.Files, wiring.AuthIfTokens)
	if err != nil {
		return err
	}
	if len(args) > 1 && args[1] == "bind-file" && cfg.Core.Endpoint != "" && cfg.Core.Ledger == "" && cfg.Core.RedisURL == "" {
		// A real upstream keeps what bind-file bound: so does the machine, so
		// that a copy of a file bound before, anywhere, binds nothing again.
		dir, err := stateDir(getenv)
		if err != nil {
			return err
		}
		cfg.Core.Ledger = "dir:" + dir
	}
	upstream, emu, stop, err := embedded(&cfg)
	if err != nil {
		return err
	}
	defer stop()
	prom := promsink.New()
	env, err := wiring.Build(cfg, wiring.Deps{Log: cfg.Log.Logger(stderr), Shared: redisstore.Shared, ReceiptQueue: receiptQueue, Metrics: prom, MetricsHandler: prom.Handler()})
	if err != nil {
		return err
	}
	tr, err := otelsetup.Start(getenv, orName(cfg.Log.Function))
	if err != nil {
		return err
	}
	defer tr.Shutdown()
	if len(args) > 1 && args[1] == "bind-file" {
		return bindFile(ctx, args[2:], env, stdout, stderr)
	}
	env.OpenAPI = api.OpenAPI
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.HTTP.Port)))
	if err != nil {
		return fmt.Errorf("PORT %d: %w (set PORT to another port, or 0 for a free one)", cfg.HTTP.Port, err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "AXG binder listening on %s (upstream: %s)\n", base, upstream)
	if len(cfg.HTTP.APITokens) > 0 {
		fmt.Fprintln(stdout, "Tokens are required: set AXG_TOKEN to one of AXG_API_TOKENS in your shell first (export AXG_TOKEN=...).")
	}
	fmt.Fprintf(stdout, "Try:\n%s\n", exampleCurl(base, cfg, time.Now()))
	if emu != nil && cfg.HTTP.ReceiptsSecret != "" {
		// The sandbox's calls push their receipts here, as the vendor's
		// console would be told to.
		emu.PushReceiptsTo(base + httpapi.RouteReceipts + cfg.HTTP.ReceiptsSecret + "/{type}")
		fmt.Fprintf(stdout, "Place a call on a binding (its SubsId from the bind's answer); its receipts come here:\n"+
			"curl -s -X POST %s%scalls -H 'Content-Type: application/json' -d '{\"SubsId\":\"SUBSID\"}'\n", base, emulator.ControlPrefix)
	}
	if f := env.Forwarder; f != nil {
		// A process that lives sweeps the outbox: retries go out on time,
		// not only with the next push.
		go every(ctx, time.Second, env.Log, "the receipts' outbox could not be swept", func(ctx context.Context) error {
			_, _, err := f.Sweep(ctx)
			return err
		})
	}
	if p := env.Puller; p != nil {
		go every(ctx, time.Second, env.Log, "a receipt queue could not be read", func(ctx context.Context) error {
			_, err := p.Pull(ctx)
			return err
		})
	}
	return server.Serve(ctx, ln, sandbox(env.HTTP(), emu), server.Options{ReadTimeout: cfg.HTTP.ReadTimeout, Grace: cfg.HTTP.RequestTimeout}, stdout)
}

// stateDir is where bind-file keeps its ledger against a real upstream:
// $XDG_STATE_HOME/axg-binder, or ~/.local/state/axg-binder.
func stateDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "axg-binder"), nil
	}
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".local", "state", "axg-binder"), nil
	}
	return "", exitError{2, "bind-file keeps what it bound in $XDG_STATE_HOME/axg-binder or ~/.local/state/axg-binder: set XDG_STATE_HOME or HOME, or AXG_LEDGER=dir:PATH"}
}

// embedded starts the emulator when no DYPLS_ENDPOINT is configured, pointing
// cfg at it (with the demo key unless credentials are set, which it accepts).
func embedded(cfg *wiring.Config) (up upstreamDesc, emu *emulator.Emulator, stop func(), err error) {
	c := &cfg.Core
	if c.Endpoint != "" {
		return upstreamDesc{c.Endpoint, ""}, nil, func() {}, nil
	}
	if cfg.HTTP.ReceiptsSecret == "" {
		// The sandbox's receipts need a push route: one of this run's own.
		cfg.HTTP.ReceiptsSecret = randomSecret()
	}
	emu = emulator.New(emulator.Demo())
	if c.AccessKeyID == "" {
		c.AccessKeyID, c.AccessKeySecret = emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret
	} else {
		emu.AddKey(emulator.Key{ID: c.AccessKeyID, Secret: c.AccessKeySecret, SecurityToken: c.SecurityToken})
	}
	srv, err := emulator.Start(emu, "127.0.0.1:0")
	if err != nil {
		return upstreamDesc{}, nil, nil, fmt.Errorf("starting the embedded emulator: %w", err)
	}
	c.Endpoint = srv.URL
	if r := &cfg.Receipts; len(r.Queues) > 0 && r.MNSEndpoint == dypls.VendorMNSEndpoint && r.DybaseEndpoint == wiring.DefaultDybaseEndpoint {
		// The sandbox's receipt queues, and their tokens, are its own.
		r.MNSEndpoint, r.DybaseEndpoint = srv.URL, srv.URL
	}
	return upstreamDesc{srv.URL, "embedded emulator at "}, emu, func() { _ = srv.Close() }, nil
}

// every runs fn each interval until ctx ends, logging what fails.
func every(ctx context.Context, interval time.Duration, log *slog.Logger, what string, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				log.Warn(what, "error", redact.Text(err.Error()))
			}
		}
	}
}

// sandbox serves the embedded emulator's controls (place a call, faults,
// state) and its console (at /) beside the API, on its port: one address
// to try everything on.
func sandbox(api http.Handler, emu *emulator.Emulator) http.Handler {
	if emu == nil {
		return api
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, emulator.ControlPrefix) || (r.URL.Path == "/" && r.Method == http.MethodGet && r.URL.RawQuery == "") {
			emu.ServeHTTP(w, r) // its controls, and its console at /
			return
		}
		api.ServeHTTP(w, r)
	})
}

// upstreamDesc is the upstream's URL, and how the banner names it.
type upstreamDesc struct{ url, kind string }

func (u upstreamDesc) String() string { return u.kind + u.url }

// randomSecret is a push route's secret for one run of the local server.
func randomSecret() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// exampleCurl is a bind on the demo pool that expires in a day.
func exampleCurl(base string, cfg wiring.Config, now time.Time) string {
	exp := now.Add(24 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)
	auth := ""
	if len(cfg.HTTP.APITokens) > 0 {
		auth = ` -H "Authorization: Bearer $AXG_TOKEN"` // one of AXG_API_TOKENS; never printed
	}
	return fmt.Sprintf(`curl -s -X POST %s/v1/axg/bind -H 'Content-Type: application/json'%s -d '{"PoolKey":"%s","PhoneNoA":"13800138000","GroupId":%d,"ExpectCity":"北京","Expiration":"%s"}'`,
		base, auth, emulator.DemoPoolKey, emulator.DemoGroupID, exp)
}

// orName names the local server for its spans unless a function name is set.
func orName(function string) string {
	if function == "" {
		return "axg-binder-local"
	}
	return function
}

// receiptQueue opens a receipt queue with the vendor's MNS client.
func receiptQueue(q wiring.QueueSpec) pull.Queue {
	return mnsqueue.New(q.Tokens, q.Name, q.Type, q.Endpoint, q.Timeout)
}
