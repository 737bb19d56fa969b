// Command dypls-emulator serves the Dyplsapi emulator on a port, seeded with
// the demo account, pools and groups, for any SDK (Go, Java, Python, Node) to
// point its endpoint at; its console page is at the same address, and its
// controls under /_emulator/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/axg-binder/binder/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); errors.Is(err, flag.ErrHelp) {
		return // -h: the flags were listed; asking for them is no failure
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "dypls-emulator:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dypls-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:18080", "address to listen on")
	qps := fs.Int("qps", -1, "calls per second of every action before isv.FLOW_LIMIT (0: no limit; -1: each action's own ceiling, BindAxg 5000, QuerySubscriptionDetail 1000, ...)")
	latency := fs.Duration("latency", 0, "delay every answer by this much, like a distant upstream")
	items := fs.Int("max-items", emulator.DefaultMaxBatchItems, "longest AxgBindList accepted")
	size := fs.Int("max-bytes", emulator.DefaultMaxRequestBytes, "longest request accepted (URL and body), bytes; past it, HTTP 414")
	quiet := fs.Bool("quiet", false, "no log line per call")
	push := fs.String("receipts-push", "", "push the receipts of calls placed (POST /_emulator/calls) to this URL, {type} in it replaced by each receipt's type (e.g. http://127.0.0.1:9000/v1/receipts/SECRET/{type})")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := []emulator.Option{emulator.WithLatency(*latency), emulator.WithLimits(*items, *size)}
	if *qps >= 0 {
		opts = append(opts, emulator.WithQPS(*qps))
	}
	if *push != "" {
		opts = append(opts, emulator.WithReceiptsPush(*push))
	}
	if !*quiet {
		opts = append(opts, emulator.WithLogger(slog.New(slog.NewJSONHandler(stderr, nil))))
	}
	srv, err := emulator.Start(emulator.New(emulator.Demo(), opts...), *addr)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "Dyplsapi emulator at %s (its console: open it in a browser)\n  AccessKeyId %s\n  AccessKeySecret %s\n  pools %s (北京, 上海, 杭州; group %d), %s (strict, 北京; group 4321)\n"+
		"  faults: curl -X POST %s%sfaults -H 'Content-Type: application/json' -d '{\"Code\":\"isv.FLOW_LIMIT\",\"Times\":3}'; state: %sstate; reset: POST %sreset (JSON)\n",
		srv.URL, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret, emulator.DemoPoolKey, emulator.DemoGroupID, emulator.DemoStrictPoolKey,
		srv.URL, emulator.ControlPrefix, emulator.ControlPrefix, emulator.ControlPrefix)
	<-ctx.Done()
	return nil
}
