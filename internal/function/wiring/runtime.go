package wiring

import "runtime/debug"

// gcPercent is the deployables' GC target: the binder's live heap is a few
// MB. Measured under load (BENCHMARKS.md), 200 costs no CPU per bind the runs
// can tell from 400 and holds 22 MB resident rather than 30; 150 holds 20 MB
// but costs about a sixth more CPU per bind.
const gcPercent = 200

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
	if mem := platformMemory(getenv, 0); mem > 0 {
		debug.SetMemoryLimit(int64(mem) * 7 / 10)
	}
}
