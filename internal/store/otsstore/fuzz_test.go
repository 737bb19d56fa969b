package otsstore

import (
	"bytes"
	"testing"
)

// FuzzPlainBuffer: any bytes from the service decode without a panic, and
// a row we encode decodes to itself.
func FuzzPlainBuffer(f *testing.F) {
	f.Add([]byte(nil), "pk", "k", int64(1), []byte("body"))
	f.Add(Row{PK: []Cell{{"pk", Str("x")}}}.Encode(), "tok", "", int64(-1), []byte{0, 0xff})
	f.Fuzz(func(t *testing.T, raw []byte, name, key string, n int64, blob []byte) {
		_, _ = DecodeRows(raw)
		_ = batchWriteResponse(raw)
		_, _ = apiError(raw)
		r := Row{PK: []Cell{{"pk", Str(key)}}, Cells: []Cell{{name, Int(n)}, {"b", Blob(blob)}}}
		rows, err := DecodeRows(r.Encode())
		if err != nil || len(rows) != 1 {
			t.Fatalf("%+v: %v", rows, err)
		}
		got := rows[0]
		if string(got.PK[0].Value.Bytes) != key || got.Cells[0].Name != name || got.Cells[0].Value.Int != n ||
			!bytes.Equal(got.Cells[1].Value.Bytes, blob) {
			t.Fatalf("%+v became %+v", r, got)
		}
	})
}
