// Command dypls-emulator serves the Dyplsapi emulator on a port, seeded with
// the demo account, pools and groups, for any SDK (Go, Java, Python, Node) to
// point its endpoint at.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/axg-binder/binder/core/dypls/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dypls-emulator:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dypls-emulator", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18080", "address to listen on")
	qps := fs.Int("qps", 5000, "calls per second per action before isv.FLOW_LIMIT (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := emulator.Start(emulator.New(emulator.Demo(), emulator.WithQPS(*qps)), *addr)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "Dyplsapi emulator at %s\n  AccessKeyId %s\n  AccessKeySecret %s\n  pools %s (北京, 上海, 杭州; group %d), %s (strict, 北京; group 4321)\n",
		srv.URL, emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret, emulator.DemoPoolKey, emulator.DemoGroupID, emulator.DemoStrictPoolKey)
	<-ctx.Done()
	return nil
}
