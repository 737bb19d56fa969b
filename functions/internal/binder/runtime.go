package binder

import (
	"runtime/debug"
	"strconv"
)

// gcPercent is the deployables' GC target: the binder's live heap is a few
// MB, and since its allocations were cut, collecting at 2.5× it costs no CPU
// per bind that the load runs can tell from 5× (80–93 µs both), while the
// resident memory under load is 20 MB rather than 30 (BENCHMARKS.md).
const gcPercent = 150

// TuneRuntime applies the GC target unless GOGC is set, and a soft memory
// limit of 70 % of the function's configured memory unless GOMEMLIMIT is set,
// so that a small instance collects harder rather than runs out.
func TuneRuntime(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	for _, v := range []string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "FC_FUNCTION_MEMORY_SIZE"} {
		if mb, err := strconv.Atoi(getenv(v)); err == nil && mb > 0 {
			debug.SetMemoryLimit(int64(mb) << 20 * 7 / 10)
			return
		}
	}
}
