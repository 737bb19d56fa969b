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

	"github.com/axg-binder/binder/core"
	"github.com/axg-binder/binder/core/validate"
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
	Pool    string
	Item    core.Item
	// PhoneNoA and GroupId echo the row (normalised where it validated).
	PhoneNoA, GroupId string
	Err               *core.Error
}

// Reader streams a file's rows, validated.
type Reader struct {
	v           *validate.Validator
	defaultPool string
	br          *bufio.Reader
	csv         *csv.Reader
	header      []string
	n, line     int
}

// NewReader reads r in format f. PoolKey comes from each row or, where a row
// has none, from defaultPool. A CSV header with an unknown or repeated column,
// or without the required ones, fails the whole file before any row is read.
func NewReader(r io.Reader, f Format, v *validate.Validator, defaultPool string) (*Reader, error) {
	return newReader(bufio.NewReaderSize(r, 64<<10), f, v, defaultPool)
}

// Open reads the file name from r, its format chosen by Detect from the
// name and the first bytes, sniffed through the reader's own buffer (r is
// read once, from its start).
func Open(name string, r io.Reader, v *validate.Validator, defaultPool string) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(512) // a shorter file: what there is
	f, err := Detect(name, head)
	if err != nil {
		return nil, err
	}
	return newReader(br, f, v, defaultPool)
}

func newReader(br *bufio.Reader, f Format, v *validate.Validator, defaultPool string) (*Reader, error) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		_, _ = br.Discard(3)
	}
	rd := &Reader{v: v, defaultPool: defaultPool, br: br}
	if f == JSONL {
		return rd, nil
	}
	rd.csv = csv.NewReader(br)
	rd.csv.FieldsPerRecord = -1
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
			return nil, fmt.Errorf("CSV header: column %d %q is not a BindAxg field (want %s)", i+1, h, strings.Join(validate.Columns, ", "))
		case seen[h]:
			return nil, fmt.Errorf("CSV header: column %q appears twice", h)
		}
		seen[h] = true
		header[i] = h
	}
	for _, f := range core.ItemFields {
		if f.Required() && !seen[f.Name] {
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
	if rd.csv != nil {
		return rd.nextCSV()
	}
	return rd.nextJSONL()
}

func (rd *Reader) nextCSV() (Row, error) {
	rec, err := rd.csv.Read()
	if err == io.EOF {
		return Row{}, io.EOF
	}
	rd.n++
	row := Row{N: rd.n}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		row.Line = pe.StartLine
	} else if len(rec) > 0 {
		row.Line, _ = rd.csv.FieldPos(0) // FieldPos panics on an empty record
	}
	if err != nil && !errors.Is(err, csv.ErrFieldCount) {
		row.Err = core.Errorf(core.CodeInvalidParameters, "the CSV row cannot be parsed: "+err.Error())
		return row, nil
	}
	if len(rec) != len(rd.header) {
		row.Err = core.Errorf(core.CodeInvalidParameters, fmt.Sprintf("the row has %d cells for %d columns", len(rec), len(rd.header)))
		if i := index(rd.header, "PhoneNoA"); i < len(rec) {
			row.PhoneNoA = rec[i]
		}
		return row, nil
	}
	cells := make(map[string]string, len(rec))
	for i, c := range rec {
		cells[rd.header[i]] = c
	}
	row.Pool, row.Item, row.Err = rd.v.DecodeCells(cells, rd.defaultPool)
	row.PhoneNoA, row.GroupId = row.Item.PhoneNoA, row.Item.GroupId
	if row.Err != nil && row.PhoneNoA == "" {
		row.PhoneNoA, row.GroupId = cells["PhoneNoA"], cells["GroupId"]
	}
	return row, nil
}

func index(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return len(s)
}

func (rd *Reader) nextJSONL() (Row, error) {
	for {
		line, err := rd.br.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				return Row{}, io.EOF
			}
			return Row{}, err
		}
		rd.line++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue // blank lines are no rows
		}
		rd.n++
		row := Row{N: rd.n, Line: rd.line}
		row.Pool, row.Item, row.Err = rd.v.DecodeLine(line, rd.defaultPool)
		row.PhoneNoA, row.GroupId = row.Item.PhoneNoA, row.Item.GroupId
		return row, nil
	}
}
