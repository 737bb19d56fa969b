package batchfile

import (
	"bufio"
	"bytes"
	"io"
)

// DefaultMaxRowBytes is the longest row read when none is configured
// (AXG_MAX_ROW_BYTES): 64 KiB.
const DefaultMaxRowBytes = 64 << 10

// records splits a file into rows without ever holding more than max bytes
// of one: a CSV row ends at a line break outside quotes, a JSON Lines row at
// any line break. A row longer than max, or a CSV row whose quote never
// closes, is reported as one bad row, and reading goes on from the next
// line: one stray quote, or one huge cell, costs one row, not the file.
type records struct {
	br   *bufio.Reader
	max  int
	csv  bool
	buf  []byte // read; buf[off:] not yet taken
	off  int
	eof  bool
	line int // lines taken so far
}

// rawRow is one row's bytes (line break included), the line it starts on,
// and why it is bad, if it is.
type rawRow struct {
	b    []byte
	line int
	bad  string
}

// fill reads until more than n bytes are left to take, or the input ends.
func (r *records) fill(n int) error {
	if r.off > 0 && r.off >= len(r.buf)/2 {
		r.buf = append(r.buf[:0], r.buf[r.off:]...) // compact: the taken half goes
		r.off = 0
	}
	for len(r.buf)-r.off <= n && !r.eof {
		if cap(r.buf)-len(r.buf) < 32<<10 {
			r.buf = append(make([]byte, 0, 2*cap(r.buf)+32<<10), r.buf...)
		}
		k, err := r.br.Read(r.buf[len(r.buf):cap(r.buf)])
		r.buf = r.buf[:len(r.buf)+k]
		if err == io.EOF {
			r.eof = true
		} else if err != nil {
			return err
		}
	}
	return nil
}

// left is what is read and not yet taken.
func (r *records) left() []byte { return r.buf[r.off:] }

// take takes the first n bytes left, counting their line breaks.
func (r *records) take(n int) []byte {
	b := r.buf[r.off : r.off+n : r.off+n]
	r.line += bytes.Count(b, []byte{'\n'})
	r.off += n
	return b
}

// next returns the next row, or io.EOF.
func (r *records) next() (rawRow, error) {
	if err := r.fill(r.max); err != nil {
		return rawRow{}, err
	}
	if len(r.left()) == 0 {
		return rawRow{}, io.EOF
	}
	start := r.line + 1
	end, open := r.scan()
	if end > 0 {
		return rawRow{b: r.take(end), line: start}, nil
	}
	bad := "the row is longer than AXG_MAX_ROW_BYTES (" + itoa(r.max) + " bytes)"
	if open {
		bad = "the row opens a quote that does not close within AXG_MAX_ROW_BYTES (" + itoa(r.max) + " bytes) or before the file ends"
		// The rows after a stray quote are rows: go on from the next line.
		if nl := bytes.IndexByte(r.left(), '\n'); nl >= 0 && nl < r.max {
			r.take(nl + 1)
			return rawRow{line: start, bad: bad}, nil
		}
	}
	// No line break within max: skip to the next one, reading in pieces.
	for {
		if nl := bytes.IndexByte(r.left(), '\n'); nl >= 0 {
			r.take(nl + 1)
			break
		}
		r.take(len(r.left()))
		if r.eof {
			break
		}
		if err := r.fill(r.max); err != nil {
			return rawRow{}, err
		}
	}
	return rawRow{line: start, bad: bad}, nil
}

// scan finds the end of the row at the start of buf, within max bytes: the
// index past its line break (or the input's end); 0 when there is none, and
// then open says whether a CSV quote was still open.
func (r *records) scan() (end int, open bool) {
	quoted := false
	buf := r.left()
	n := min(len(buf), r.max)
	for i := 0; i < n; i++ {
		switch c := buf[i]; {
		case c == '"' && r.csv:
			quoted = !quoted
		case c == '\n' && !quoted:
			return i + 1, false
		}
	}
	if r.eof && len(buf) <= r.max && !quoted {
		return len(buf), false // the last row, without a line break
	}
	return 0, quoted
}

func itoa(n int) string {
	b := make([]byte, 0, 20)
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}
