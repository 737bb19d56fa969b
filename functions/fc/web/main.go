// Command web is the binder as a Function Compute 3.0 web function (custom
// runtime): it listens on 0.0.0.0:$FC_CUSTOM_LISTEN_PORT, calls the real
// upstream unless DYPLS_ENDPOINT says otherwise, requires tokens unless
// AXG_AUTH=platform, and takes the request ID and the role's credentials from
// FC's x-fc-* request headers. It refuses to start outside Function Compute
// (no FC_CUSTOM_LISTEN_PORT): the development server is functions/local.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/function/fchttp"
	"github.com/axg-binder/binder/internal/function/promsink"
	"github.com/axg-binder/binder/internal/function/server"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fc-web:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	port, err := strconv.Atoi(getenv("FC_CUSTOM_LISTEN_PORT"))
	if err != nil || port < 1 || port > 65535 {
		return fmt.Errorf("FC_CUSTOM_LISTEN_PORT: want the port Function Compute gives a web function (1 to 65535), got %q; to run the binder on your machine, use make run", getenv("FC_CUSTOM_LISTEN_PORT"))
	}
	prom := promsink.New()
	env, err := wiring.Setup(getenv, stderr, wiring.HTTP, wiring.Deps{ContextCredentials: true, Shared: redisstore.Shared, Table: fcenv.Ledger(getenv, nil),
		Metrics: prom, MetricsHandler: prom.Handler()})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("0.0.0.0", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("FC_CUSTOM_LISTEN_PORT: %w", err)
	}
	fmt.Fprintf(stdout, "AXG binder web function listening on %s\n", ln.Addr())
	c := env.Config.HTTP
	defer env.Shutdown()
	return server.Serve(ctx, ln, env.FlushingHandler(fchttp.WebFunction(env.HTTP())), server.Options{ReadTimeout: c.ReadTimeout, Grace: c.RequestTimeout}, stdout)
}
