// Package batchfile binds a file of AXG bindings, streaming: CSV with a header
// row of the upstream's field names, or JSON Lines of BindAxg objects. Every
// row ends with a result line, in input order; progress is checkpointed so
// that a run cut off (a timeout, a crash) resumes where it stopped without
// sending any row twice.
package batchfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/validate"
)

// Format is an input file's format.
type Format string

const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
)

// Detect chooses the format by the name's extension and checks it against the
// first bytes of the content (a JSON Lines file starts with "{").
func Detect(name string, head []byte) (Format, error) {
	head = bytes.TrimLeft(bytes.TrimPrefix(head, bom), " \t\r\n")
	looksJSON := len(head) > 0 && head[0] == '{'
	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".csv":
		if looksJSON {
			return "", fmt.Errorf("%s is named .csv but holds JSON Lines", path.Base(name))
		}
		return CSV, nil
	case ".jsonl", ".ndjson", ".json":
		if len(head) > 0 && !looksJSON {
			return "", fmt.Errorf("%s is named %s but does not hold JSON objects", path.Base(name), ext)
		}
		return JSONL, nil
	}
	return "", fmt.Errorf("%s: want a .csv or .jsonl file", path.Base(name))
}

var bom = []byte("\xef\xbb\xbf")

// Row is one data row of the file.
type Row struct {
	// N counts data rows from 1; Line is where the row starts in the file.
	N, Line int
	// Task is what the row asks for: a binding unless its Action says
	// otherwise.
	Task core.Task
	// PhoneNoA and GroupId echo a bind row (normalised where it validated).
	PhoneNoA, GroupId string
	Err               *core.Error
}

// echo sets what a row's result repeats of it.
func (row *Row) echo() {
	if row.Task.Action == core.ActionBind {
		row.PhoneNoA, row.GroupId = row.Task.Bind.PhoneNoA, row.Task.Bind.GroupId
	}
}

// Reader streams a file's rows, validated. No row is held longer than its
// limit (DefaultMaxRowBytes unless set): memory stays flat whatever a file
// holds.
type Reader struct {
	v           *validate.Validator
	defaultPool string
	recs        *records
	csv         *csv.Reader
	feed        feed // what csv reads: one row at a time
	header      []string
	n           int
}

// feed hands the CSV parser one row's bytes, then io.EOF until the next.
type feed struct{ b []byte }

func (f *feed) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

// Open reads the file name from r, its format chosen by Detect from the
// name and the first bytes, sniffed through the reader's own buffer (r is
// read once, from its start); a row longer than maxRow bytes (0: the
// default) is that row's error. PoolKey comes from each row or, where a row
// has none, from defaultPool. A CSV header with an unknown or repeated
// column, or without the required ones, fails the whole file before any row
// is read.
func Open(name string, r io.Reader, v *validate.Validator, defaultPool string, maxRow int) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(512) // a shorter file: what there is
	f, err := Detect(name, head)
	if err != nil {
		return nil, err
	}
	return newReader(br, f, v, defaultPool, maxRow)
}

func newReader(br *bufio.Reader, f Format, v *validate.Validator, defaultPool string, maxRow int) (*Reader, error) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		_, _ = br.Discard(3)
	}
	if maxRow <= 0 {
		maxRow = DefaultMaxRowBytes
	}
	rd := &Reader{v: v, defaultPool: defaultPool, recs: &records{br: br, max: maxRow, csv: f == CSV}}
	if f == JSONL {
		return rd, nil
	}
	rd.csv = csv.NewReader(&rd.feed)
	rd.csv.FieldsPerRecord = -1
	rec, err := rd.nextRecord()
	if err == io.EOF {
		return nil, errors.New("reading the CSV header: the file is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("reading the CSV header: %w", err)
	}
	if rec.bad != "" {
		return nil, errors.New("reading the CSV header: " + rec.bad)
	}
	rd.feed.b = rec.b
	header, err := rd.csv.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the CSV header: %w", err)
	}
	known := map[string]bool{}
	for _, c := range validate.Columns {
		known[c] = true
	}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch {
		case !known[h]:
			return nil, fmt.Errorf("CSV header: column %d %q is not a field of BindAxg, UnbindSubscription or UpdateSubscription (want %s)", i+1, h, strings.Join(validate.Columns, ", "))
		case seen[h]:
			return nil, fmt.Errorf("CSV header: column %q appears twice", h)
		}
		seen[h] = true
		header[i] = h
	}
	for _, f := range core.ItemFields() {
		if f.Rule.Required && !seen[f.Name] && !seen["Action"] {
			// With an Action column, rows of other actions need other
			// columns: each row names what it misses.
			return nil, fmt.Errorf("CSV header: no %s column", f.Name)
		}
	}
	if !seen[core.PoolKey] && defaultPool == "" {
		return nil, errors.New("CSV header: no PoolKey column, and no PoolKey configured")
	}
	rd.header = append([]string(nil), header...)
	return rd, nil
}

// Next returns the next row, or io.EOF. A row that cannot be parsed is still
// a row, with its error: rows after it are read on.
func (rd *Reader) Next() (Row, error) {
	raw, err := rd.nextRecord() // blank lines are no rows
	if err != nil {
		return Row{}, err
	}
	rd.n++
	row := Row{N: rd.n, Line: raw.line}
	switch {
	case raw.bad != "":
		row.Err = core.Errorf(core.CodeInvalidParameters, raw.bad)
	case rd.csv != nil:
		rd.parseCSV(&row, raw.b)
	default:
		row.Task, row.Err = rd.v.DecodeLine(bytes.TrimSpace(raw.b), rd.defaultPool)
		row.echo()
	}
	return row, nil
}

// nextRecord is the next row that is not blank.
func (rd *Reader) nextRecord() (rawRow, error) {
	for {
		rec, err := rd.recs.next()
		if err != nil || rec.bad != "" || len(bytes.TrimSpace(rec.b)) > 0 {
			return rec, err
		}
	}
}

// parseCSV parses one CSV row's bytes into row.
func (rd *Reader) parseCSV(row *Row, b []byte) {
	rd.feed.b = b
	rec, err := rd.csv.Read()
	rd.feed.b = nil
	if err == io.EOF {
		err = errors.New("no cells")
	}
	if err != nil && !errors.Is(err, csv.ErrFieldCount) {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		row.Err = core.Errorf(core.CodeInvalidParameters, "the CSV row cannot be parsed: "+err.Error())
		return
	}
	if len(rec) != len(rd.header) {
		row.Err = core.Errorf(core.CodeInvalidParameters, fmt.Sprintf("the row has %d cells for %d columns", len(rec), len(rd.header)))
		if i := index(rd.header, "PhoneNoA"); i < len(rec) {
			row.PhoneNoA = rec[i]
		}
		return
	}
	cells := make(map[string]string, len(rec))
	for i, c := range rec {
		cells[rd.header[i]] = c
	}
	row.Task, row.Err = rd.v.DecodeCells(cells, rd.defaultPool)
	row.echo()
	if row.Err != nil && row.PhoneNoA == "" && row.Task.Action == core.ActionBind {
		row.PhoneNoA, row.GroupId = cells["PhoneNoA"], cells["GroupId"]
	}
}

func index(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return len(s)
}
