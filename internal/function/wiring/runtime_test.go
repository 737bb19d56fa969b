package wiring

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneRuntime(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	for _, c := range []struct {
		env     map[string]string
		percent int
		limit   int64
	}{
		{map[string]string{}, gcPercent, math.MaxInt64},
		{map[string]string{"GOGC": "150"}, 100, math.MaxInt64},
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, gcPercent, 128 << 20 * 7 / 10},
		{map[string]string{"FC_FUNCTION_MEMORY_SIZE": "256"}, gcPercent, 256 << 20 * 7 / 10},
		{map[string]string{"FC_FUNCTION_MEMORY_SIZE": "256", "GOMEMLIMIT": "1GiB"}, gcPercent, math.MaxInt64},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		TuneRuntime(func(k string) string { return c.env[k] })
		if p := debug.SetGCPercent(100); p != c.percent {
			t.Errorf("%v: GC percent %d, want %d", c.env, p, c.percent)
		}
		if l := debug.SetMemoryLimit(-1); l != c.limit {
			t.Errorf("%v: memory limit %d, want %d", c.env, l, c.limit)
		}
	}
}
