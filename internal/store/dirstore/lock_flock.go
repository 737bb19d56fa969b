//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package dirstore

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// lock holds a flock on f until unlock, across processes: exclusive to
// write, shared to read. It tries until ctx ends.
func lock(ctx context.Context, f *os.File, write bool) (unlock func(), err error) {
	how := syscall.LOCK_SH
	if write {
		how = syscall.LOCK_EX
	}
	for wait := 100 * time.Microsecond; ; wait = min(2*wait, 20*time.Millisecond) {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
