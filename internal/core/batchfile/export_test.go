package batchfile

import (
	"bufio"
	"io"

	"github.com/axg-binder/binder/internal/core/validate"
)

// NewReader reads r in the format given rather than the one Open detects, so
// the fuzz target can hand either reader any bytes.
func NewReader(r io.Reader, f Format, v *validate.Validator, defaultPool string) (*Reader, error) {
	return newReader(bufio.NewReaderSize(r, 64<<10), f, v, defaultPool, DefaultMaxRowBytes)
}
