package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// result is one Go benchmark's figures per operation; upstream is the part of
// ns spent in the emulator, where the benchmark reports it (upstream-ns/op).
type result struct{ ns, bytes, allocs, upstream float64 }

// parseGoBench reads go test -bench -benchmem output; a benchmark run more
// than once (-count) gets the median of each figure, the machine being noisy.
func parseGoBench(r io.Reader) map[string]result {
	runs := map[string][]result{}
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
			case "upstream-ns/op":
				res.upstream = v
			}
		}
		runs[name] = append(runs[name], res)
	}
	out := make(map[string]result, len(runs))
	for name, rs := range runs {
		median := func(f func(result) float64) float64 {
			v := make([]float64, len(rs))
			for i, r := range rs {
				v[i] = f(r)
			}
			slices.Sort(v)
			if len(v)%2 == 1 {
				return v[len(v)/2]
			}
			return (v[len(v)/2-1] + v[len(v)/2]) / 2
		}
		out[name] = result{median(func(r result) float64 { return r.ns }), median(func(r result) float64 { return r.bytes }),
			median(func(r result) float64 { return r.allocs }), median(func(r result) float64 { return r.upstream })}
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
	fmt.Fprintf(out, "## Handler, adapters and validation (go test -bench -benchmem; the median of each benchmark's runs)\n\n")
	fmt.Fprintf(out, "| what | µs/op | of which upstream µs/op | B/op | allocs/op |\n|---|---:|---:|---:|---:|\n")
	row := func(label string, v result) {
		up := ""
		if v.upstream > 0 {
			up = fmt.Sprintf("%.1f", v.upstream/1000)
		}
		fmt.Fprintf(out, "| %s | %.1f | %s | %.0f | %.0f |\n", label, v.ns/1000, up, v.bytes, v.allocs)
	}
	minus := func(a, b result) result {
		return result{ns: a.ns - b.ns, bytes: a.bytes - b.bytes, allocs: a.allocs - b.allocs}
	}
	for _, l := range []struct{ name, label string }{
		{"EmulatorBindAxg", "upstream alone: the in-process emulator, one BindAxg"},
		{"ClientBindAxg", "client (our encoder and signer, the SDK's parser) + upstream, one bind"},
		{"HandlerBind", "whole HTTP handler + client + upstream, one bind"},
		{"HandlerUnbind", "whole HTTP handler + client + upstream, one unbind"},
		{"HandlerUpdate", "whole HTTP handler + client + upstream, one update (updateExpire)"},
		{"FCEventBind", "FC HTTP trigger event → response JSON, one bind"},
		{"LambdaV2EventBind", "Lambda payload 2.0 event → response JSON, one bind"},
		{"LambdaV1EventBind", "Lambda payload 1.0 event → response JSON, one bind"},
		{"EmulatorBindBatchAxg100", "upstream alone, one 100-item BindBatchAxg"},
		{"ClientBindBatchAxg100", "client + upstream, 100-item batch"},
		{"HandlerBatch100", "whole HTTP handler + client + upstream, 100-item batch"},
		{"ValidateBind", "validation alone, one bind (decode + rules)"},
		{"ValidateBatch1000", "validation alone, 1,000-item batch"},
	} {
		if v, ok := r[l.name]; ok {
			row(l.label, v)
		}
	}
	// Overheads take off the upstream's time measured in the same run (the
	// machine is noisy between runs) and the allocations of the emulator
	// alone (they do not vary); the in-process transport's own allocations
	// stay in ours.
	own := func(a, upstreamAlone result) result {
		return result{ns: a.ns - a.upstream, bytes: a.bytes - upstreamAlone.bytes, allocs: a.allocs - upstreamAlone.allocs}
	}
	h, hok := r["HandlerBind"]
	e, eok := r["EmulatorBindAxg"]
	c, cok := r["ClientBindAxg"]
	if hok && eok {
		row("**handler overhead, one bind** (handler − its upstream part)", own(h, e))
		if cok {
			row("of which the client: encode, sign, send, parse (client − its upstream part)", own(c, e))
			row("of which the handler: route, validate, retry policy, answer, log", minus(own(h, e), own(c, e)))
		}
	}
	for _, op := range []string{"Unbind", "Update"} {
		if v, ok := r["Handler"+op]; ok && eok {
			row("**handler overhead, one "+strings.ToLower(op)+"** (handler − its upstream part; allocations less the emulator's BindAxg)", own(v, e))
		}
	}
	if hb, ok := r["HandlerBatch100"]; ok {
		if eb, ok := r["EmulatorBindBatchAxg100"]; ok {
			row("**handler overhead, 100-item batch** (handler − its upstream part)", own(hb, eb))
		}
	}
	for _, a := range []string{"FCEventBind", "LambdaV2EventBind", "LambdaV1EventBind"} {
		if v, ok := r[a]; ok && hok && eok {
			row("adapter cost: "+a+" − HandlerBind, each less its upstream part", minus(own(v, e), own(h, e)))
		}
	}
	fmt.Fprintln(out)
	return nil
}
