//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package batchfile

import (
	"os"
	"syscall"
)

// lock holds an exclusive advisory lock on f until unlock: appends of one
// step at once, from goroutines or processes, are told apart.
func lock(f *os.File) (unlock func(), err error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}
