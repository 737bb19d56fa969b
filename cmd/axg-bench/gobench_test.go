package main

import (
	"strings"
	"testing"
)

func TestParseGoBench(t *testing.T) {
	out := parseGoBench(strings.NewReader(`goos: linux
BenchmarkHandlerBind-2       	   14644	     81385 ns/op	     22802 upstream-ns/op	   41010 B/op	     326 allocs/op
BenchmarkEmulatorBindAxg-2   	   73012	     19461 ns/op	    8465 B/op	      68 allocs/op
BenchmarkEmulatorBindAxg-2   	   73012	     29461 ns/op	    8400 B/op	      68 allocs/op
BenchmarkEmulatorBindAxg-2   	   73012	     21000 ns/op	    8500 B/op	      68 allocs/op
PASS
`))
	if h := out["HandlerBind"]; h.ns != 81385 || h.bytes != 41010 || h.allocs != 326 || h.upstream != 22802 {
		t.Fatalf("HandlerBind = %+v", h)
	}
	if e := out["EmulatorBindAxg"]; e.ns != 21000 || e.bytes != 8465 || e.allocs != 68 {
		t.Fatalf("EmulatorBindAxg = %+v, want the medians of three runs", e)
	}
	if len(out) != 2 {
		t.Fatalf("%d results", len(out))
	}
}
