package otsstore

import (
	"encoding/binary"
	"errors"
)

// Tablestore carries rows in its "plain buffer" format (the SDK's
// plain_buffer.go): a header, then per row its primary key cells and its
// attribute cells, each a tagged name, value and checksum (CRC-8), and the
// row's checksum. Only what the ledger uses is here: string, integer and
// binary values.

const (
	pbHeader = 0x75

	tagRowPK         = 0x1
	tagRowData       = 0x2
	tagCell          = 0x3
	tagCellName      = 0x4
	tagCellValue     = 0x5
	tagCellType      = 0x6
	tagCellTimestamp = 0x7
	tagDeleteMarker  = 0x8
	tagRowChecksum   = 0x9
	tagCellChecksum  = 0xA

	vtInteger = 0x0
	vtString  = 0x3
	vtBlob    = 0x7
)

// Value is a cell's value: Int for an integer, else Bytes (Str says a
// string rather than a binary).
type Value struct {
	Int   int64
	Bytes []byte
	Type  byte // vtInteger, vtString or vtBlob
}

// Str, Int and Blob make values.
func Str(s string) Value  { return Value{Bytes: []byte(s), Type: vtString} }
func Int(n int64) Value   { return Value{Int: n, Type: vtInteger} }
func Blob(b []byte) Value { return Value{Bytes: b, Type: vtBlob} }

// Cell is a named value.
type Cell struct {
	Name  string
	Value Value
}

// Row is a primary key and cells.
type Row struct {
	PK    []Cell
	Cells []Cell
}

var crc8Table = func() (t [256]byte) {
	for i := range t {
		x := byte(i)
		for range 8 {
			if x&0x80 != 0 {
				x = x<<1 ^ 0x07
			} else {
				x <<= 1
			}
		}
		t[i] = x
	}
	return t
}()

func crc8(crc byte, b ...byte) byte {
	for _, c := range b {
		crc = crc8Table[crc^c]
	}
	return crc
}

func le32(n int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(n)) }

// appendValue writes v as a cell value (with its length prefix) and
// returns its checksum folded into crc.
func appendValue(b []byte, v Value, crc byte) ([]byte, byte) {
	b = append(b, tagCellValue)
	switch v.Type {
	case vtInteger:
		b = binary.LittleEndian.AppendUint32(b, 9)
		b = append(b, vtInteger)
		b = binary.LittleEndian.AppendUint64(b, uint64(v.Int))
		return b, crc8(crc8(crc, vtInteger), binary.LittleEndian.AppendUint64(nil, uint64(v.Int))...)
	default:
		b = binary.LittleEndian.AppendUint32(b, uint32(5+len(v.Bytes)))
		b = append(b, v.Type)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(v.Bytes)))
		b = append(b, v.Bytes...)
		crc = crc8(crc8(crc, v.Type), le32(len(v.Bytes))...)
		return b, crc8(crc, v.Bytes...)
	}
}

// SQLVariant is v without its length prefix: how a column condition
// carries the value it compares with.
func (v Value) SQLVariant() []byte {
	b, _ := appendValue(nil, v, 0)
	return b[5:]
}

func appendCell(b []byte, c Cell) ([]byte, byte) {
	b = append(b, tagCell, tagCellName)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(c.Name)))
	b = append(b, c.Name...)
	b, crc := appendValue(b, c.Value, crc8(0, []byte(c.Name)...))
	return append(b, tagCellChecksum, crc), crc
}

// Encode is the row in plain buffer form, with its header.
func (r Row) Encode() []byte { return r.encode(false) }

// EncodeDelete is the row's primary key marked for deletion: DeleteRow's.
func (r Row) EncodeDelete() []byte { return r.encode(true) }

func (r Row) encode(deleted bool) []byte {
	b := binary.LittleEndian.AppendUint32(nil, pbHeader)
	b = append(b, tagRowPK)
	var rowCRC, crc byte
	for _, c := range r.PK {
		b, crc = appendCell(b, c)
		rowCRC = crc8(rowCRC, crc)
	}
	if len(r.Cells) > 0 {
		b = append(b, tagRowData)
		for _, c := range r.Cells {
			b, crc = appendCell(b, c)
			rowCRC = crc8(rowCRC, crc)
		}
	}
	if deleted {
		return append(b, tagDeleteMarker, tagRowChecksum, crc8(rowCRC, 1))
	}
	return append(b, tagRowChecksum, crc8(rowCRC, 0))
}

var errPlainBuffer = errors.New("tablestore: a row that is not plain buffer")

// reader reads plain buffer; its first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errPlainBuffer
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) peek() int {
	if r.err != nil || len(r.b) == 0 {
		return -1
	}
	return int(r.b[0])
}

func (r *reader) u32() int {
	if v := r.take(4); v != nil {
		return int(binary.LittleEndian.Uint32(v))
	}
	return 0
}

func (r *reader) cell() Cell {
	var c Cell
	if r.byte() != tagCellName {
		r.err = errPlainBuffer
		return c
	}
	c.Name = string(r.take(r.u32()))
	if r.peek() == tagCellValue {
		r.byte()
		v := &reader{b: r.take(r.u32())}
		c.Value.Type = v.byte()
		switch c.Value.Type {
		case vtInteger:
			if b := v.take(8); b != nil {
				c.Value.Int = int64(binary.LittleEndian.Uint64(b))
			}
		default:
			c.Value.Bytes = v.take(v.u32())
		}
		if v.err != nil {
			r.err = v.err
		}
	}
	if r.peek() == tagCellType {
		r.take(2)
	}
	if r.peek() == tagCellTimestamp {
		r.take(9)
	}
	if r.byte() != tagCellChecksum {
		r.err = errPlainBuffer
	}
	r.byte()
	return c
}

func (r *reader) cells() []Cell {
	var cs []Cell
	for r.peek() == tagCell {
		r.byte()
		cs = append(cs, r.cell())
	}
	return cs
}

// DecodeRows reads the rows of a plain buffer (none when b is empty: a row
// not found).
func DecodeRows(b []byte) ([]Row, error) {
	if len(b) == 0 {
		return nil, nil
	}
	r := &reader{b: b}
	if r.u32() != pbHeader {
		return nil, errPlainBuffer
	}
	var rows []Row
	for r.err == nil && len(r.b) > 0 {
		var row Row
		if r.peek() == tagRowPK {
			r.byte()
			row.PK = r.cells()
		}
		if r.peek() == tagRowData {
			r.byte()
			row.Cells = r.cells()
		}
		if r.peek() == tagDeleteMarker {
			r.byte()
		}
		if r.byte() != tagRowChecksum {
			r.err = errPlainBuffer
		}
		r.byte()
		rows = append(rows, row)
	}
	return rows, r.err
}
