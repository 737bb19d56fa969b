//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package dirstore

import (
	"context"
	"os"
	"sync"
)

// mu stands in for flock where it is missing: one process only.
var mu sync.RWMutex

func lock(_ context.Context, _ *os.File, write bool) (func(), error) {
	if write {
		mu.Lock()
		return mu.Unlock, nil
	}
	mu.RLock()
	return mu.RUnlock, nil
}
