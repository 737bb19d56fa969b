// Command axg-bench measures what pay-per-call users pay for, on the built
// deployables (make build): cold start to the first answered bind, sizes,
// and the local server's throughput under load; and it tabulates the Go
// benchmarks of the handler, the adapters and validation. make bench runs it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "axg-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	dist     string
	gobench  string
	starts   int
	duration time.Duration
	clients  int
	fileRows string
	// serverEnv is added to the loaded binder's environment (-server-env).
	serverEnv []string
	// traces starts the deployables with OTLP traces on, to a receiver
	// that discards them (-traces).
	traces bool
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("axg-bench", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.dist, "dist", "dist", "where make build put the deployables")
	fs.StringVar(&o.gobench, "gobench", "", "output of go test -bench -benchmem to tabulate")
	fs.IntVar(&o.starts, "starts", 15, "cold starts per deployable")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each load run")
	fs.IntVar(&o.clients, "clients", 32, "concurrent clients in the load runs")
	fs.StringVar(&o.fileRows, "file-rows", "10000,100000", "rows of the generated files for the file path (comma-separated)")
	serverEnv := fs.String("server-env", "", "variables added to the binder's environment in the load runs, comma-separated (GOGC=400,...)")
	fs.BoolVar(&o.traces, "traces", false, "cold starts with OTLP traces on (OTEL_EXPORTER_OTLP_ENDPOINT at a receiver that discards them)")
	only := fs.String("only", "sizes,cold,load,files,instances,inflight", "the parts to run (comma-separated; the Go benchmarks' table is printed whenever -gobench is given)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serverEnv != "" {
		o.serverEnv = strings.Split(*serverEnv, ",")
	}
	parts := map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		switch p = strings.TrimSpace(p); p {
		case "sizes", "cold", "load", "files", "instances", "inflight":
			parts[p] = true
		default:
			return fmt.Errorf("-only: unknown part %q (want sizes, cold, load, files, instances or inflight)", p)
		}
	}
	fmt.Fprintf(out, "# AXG binder benchmarks\n\nMachine: %s, %d cores; %s %s/%s; %s\n\n",
		cpuModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02"))
	if o.gobench != "" {
		if err := goBenchTable(out, o.gobench); err != nil {
			return err
		}
	}
	for _, p := range []struct {
		name string
		run  func() error
	}{
		{"sizes", func() error { return sizes(out, o.dist) }},
		{"cold", func() error { return coldStarts(out, o) }},
		{"load", func() error { return load(out, o) }},
		{"files", func() error { return files(out, o) }},
		{"instances", func() error { return instances(out, o) }},
		{"inflight", func() error { return inflight(out, o) }},
	} {
		if parts[p.name] {
			if err := p.run(); err != nil {
				return err
			}
		}
	}
	return nil
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
