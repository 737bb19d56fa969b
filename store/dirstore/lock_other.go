//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package dirstore

import (
	"context"
	"os"
	"sync"
)

// mu stands in for flock where it is missing: one process only.
var mu sync.Mutex

func lock(context.Context, *os.File) (func(), error) { mu.Lock(); return mu.Unlock, nil }
