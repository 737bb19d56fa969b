package otsstore

import "encoding/binary"

// The few protocol buffers of Tablestore's API (the SDK's
// otsprotocol/table_store.proto and ots_filter.proto) that the ledger
// sends and reads, in the protobuf wire format written out here (varints
// and length-delimited fields: forty lines): the SDK's generated code would
// bring its whole protocol and a legacy protobuf runtime that costs every
// cold start 3 ms (BENCHMARKS.md). The tests decode each with the SDK's own
// types.

// Wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// msg builds a message.
type msg []byte

func (m msg) tag(n, wire int) msg { return binary.AppendUvarint(m, uint64(n)<<3|uint64(wire)) }

func (m msg) bytes(n int, b []byte) msg {
	return append(binary.AppendUvarint(m.tag(n, wireBytes), uint64(len(b))), b...)
}

func (m msg) str(n int, s string) msg { return m.bytes(n, []byte(s)) }

func (m msg) varint(n int, v uint64) msg { return binary.AppendUvarint(m.tag(n, wireVarint), v) }

func (m msg) bool(n int, v bool) msg {
	if v {
		return m.varint(n, 1)
	}
	return m.varint(n, 0)
}

// Row existence expectations, operation types, comparators, combinators.
const (
	expectIgnore   = 0
	expectExist    = 1
	expectNotExist = 2

	opPut = 1

	ctEqual       = 1
	ctGreater     = 3
	ctLessOrEqual = 6

	loAnd = 2

	ftSingle    = 1
	ftComposite = 2
)

// Cond is a condition on a column: Column Op Value, failing where the row
// has no such column.
type Cond struct {
	Column string
	Op     int
	Value  Value
}

// filter is conds joined by AND, as a serialized Filter (nil for none).
func filter(conds []Cond) []byte {
	single := func(c Cond) msg {
		f := msg(nil).varint(1, uint64(c.Op)).str(2, c.Column).bytes(3, c.Value.SQLVariant()).
			bool(4, true). // filter_if_missing: no column, no pass
			bool(5, true)  // latest_version_only
		return msg(nil).varint(1, ftSingle).bytes(2, f)
	}
	switch len(conds) {
	case 0:
		return nil
	case 1:
		return single(conds[0])
	}
	comp := msg(nil).varint(1, loAnd)
	for _, c := range conds {
		comp = comp.bytes(2, single(c))
	}
	return msg(nil).varint(1, ftComposite).bytes(2, comp)
}

func condition(expect int, conds []Cond) msg {
	m := msg(nil).varint(1, uint64(expect))
	if f := filter(conds); f != nil {
		m = m.bytes(2, f)
	}
	return m
}

// rowRequest is a PutRowRequest or an UpdateRowRequest (one layout):
// PutRow writes the row whole, UpdateRow only its cells.
func rowRequest(table string, row Row, expect int, conds []Cond) []byte {
	return msg(nil).str(1, table).bytes(2, row.Encode()).bytes(3, condition(expect, conds))
}

func deleteRowRequest(table string, pk Row, expect int, conds []Cond) []byte {
	return msg(nil).str(1, table).bytes(2, pk.EncodeDelete()).bytes(3, condition(expect, conds))
}

func getRowRequest(table string, pk Row) []byte {
	return msg(nil).str(1, table).bytes(2, pk.Encode()).varint(5, 1) // max_versions
}

func batchPutRequest(table string, rows []Row) []byte {
	t := msg(nil).str(1, table)
	for _, r := range rows {
		t = t.bytes(2, msg(nil).varint(1, opPut).bytes(2, r.Encode()).bytes(3, condition(expectIgnore, nil)))
	}
	return msg(nil).bytes(1, t)
}

// fields calls f with each field of b (a length-delimited one's bytes, or
// a varint); false from f, or bad wire data, stops.
func fields(b []byte, f func(n int, v []byte, x uint64) bool) bool {
	for len(b) > 0 {
		key, l := binary.Uvarint(b)
		if l <= 0 {
			return false
		}
		b = b[l:]
		var v []byte
		var x uint64
		switch key & 7 {
		case wireVarint:
			if x, l = binary.Uvarint(b); l <= 0 {
				return false
			}
		case wireBytes:
			size, n := binary.Uvarint(b)
			if n <= 0 || size > uint64(len(b)-n) {
				return false
			}
			v, l = b[n:n+int(size)], n+int(size)
		case wireFixed64:
			l = 8
		case wireFixed32:
			l = 4
		default:
			return false
		}
		if l > len(b) {
			return false
		}
		b = b[l:]
		if !f(int(key>>3), v, x) {
			return false
		}
	}
	return true
}

// apiError is an Error message's code and message.
func apiError(b []byte) (code, message string) {
	fields(b, func(n int, v []byte, _ uint64) bool {
		switch n {
		case 1:
			code = string(v)
		case 2:
			message = string(v)
		}
		return true
	})
	return code, message
}

// getRowResponse is the row a GetRowResponse holds (empty: none).
func getRowResponse(b []byte) (row []byte) {
	fields(b, func(n int, v []byte, _ uint64) bool {
		if n == 2 {
			row = v
		}
		return true
	})
	return row
}

// batchResult is one row's outcome in a BatchWriteRowResponse.
type batchResult struct {
	ok            bool
	code, message string
}

func batchWriteResponse(b []byte) []batchResult {
	var out []batchResult
	fields(b, func(n int, table []byte, _ uint64) bool {
		if n == 1 {
			fields(table, func(n int, row []byte, _ uint64) bool {
				if n == 2 {
					var r batchResult
					fields(row, func(n int, v []byte, x uint64) bool {
						switch n {
						case 1:
							r.ok = x != 0
						case 2:
							r.code, r.message = apiError(v)
						}
						return true
					})
					out = append(out, r)
				}
				return true
			})
		}
		return true
	})
	return out
}
