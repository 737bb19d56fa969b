package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// result is one Go benchmark's figures per operation.
type result struct{ ns, bytes, allocs float64 }

// parseGoBench reads go test -bench -benchmem output.
func parseGoBench(r io.Reader) map[string]result {
	out := map[string]result{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		var res result
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				res.ns = v
			case "B/op":
				res.bytes = v
			case "allocs/op":
				res.allocs = v
			}
		}
		out[name] = res
	}
	return out
}

func goBenchTable(out io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := parseGoBench(f)
	fmt.Fprintf(out, "## Handler, adapters and validation (go test -bench -benchmem)\n\n")
	fmt.Fprintf(out, "| what | µs/op | B/op | allocs/op |\n|---|---:|---:|---:|\n")
	row := func(label string, v result) {
		fmt.Fprintf(out, "| %s | %.1f | %.0f | %.0f |\n", label, v.ns/1000, v.bytes, v.allocs)
	}
	minus := func(a, b result) result { return result{a.ns - b.ns, a.bytes - b.bytes, a.allocs - b.allocs} }
	for _, l := range []struct{ name, label string }{
		{"EmulatorBindAxg", "upstream alone: the in-process emulator, one BindAxg"},
		{"ClientBindAxg", "SDK client + upstream, one bind"},
		{"HandlerBind", "whole HTTP handler + SDK + upstream, one bind"},
		{"FCEventBind", "FC HTTP trigger event → response JSON, one bind"},
		{"LambdaV2EventBind", "Lambda payload 2.0 event → response JSON, one bind"},
		{"LambdaV1EventBind", "Lambda payload 1.0 event → response JSON, one bind"},
		{"EmulatorBindBatchAxg100", "upstream alone, one 100-item BindBatchAxg"},
		{"ClientBindBatchAxg100", "SDK client + upstream, 100-item batch"},
		{"HandlerBatch100", "whole HTTP handler + SDK + upstream, 100-item batch"},
		{"ValidateBind", "validation alone, one bind (decode + rules)"},
		{"ValidateBatch1000", "validation alone, 1,000-item batch"},
	} {
		if v, ok := r[l.name]; ok {
			row(l.label, v)
		}
	}
	h, hok := r["HandlerBind"]
	e, eok := r["EmulatorBindAxg"]
	c, cok := r["ClientBindAxg"]
	if hok && eok && cok {
		row("**handler overhead, one bind** (handler − upstream)", minus(h, e))
		row("of which the vendor SDK (client − upstream)", minus(c, e))
		row("of which ours (handler − client)", minus(h, c))
	}
	if hb, ok := r["HandlerBatch100"]; ok {
		if eb, ok := r["EmulatorBindBatchAxg100"]; ok {
			row("**handler overhead, 100-item batch** (handler − upstream)", minus(hb, eb))
		}
	}
	for _, a := range []string{"FCEventBind", "LambdaV2EventBind", "LambdaV1EventBind"} {
		if v, ok := r[a]; ok && hok {
			row("adapter cost: "+a+" − HandlerBind", minus(v, h))
		}
	}
	fmt.Fprintln(out)
	return nil
}
