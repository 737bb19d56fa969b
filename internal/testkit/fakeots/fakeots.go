// Package fakeots stands for Alibaba Tablestore on loopback, at the wire:
// the protocol buffers of the vendor's SDK (its otsprotocol package),
// rows in plain buffer, requests signed as the SDK signs them. It keeps
// rows in memory and checks what the ledger relies on: row existence
// expectations, column conditions (single and AND/OR/NOT, with
// filter_if_missing), PutRow replacing a row whole, UpdateRow writing only
// its cells, BatchWriteRow per row, the signature and the body's MD5, and
// a column's 2 MB limit. What only a real instance shows: the table's TTL
// (nothing here expires), capacity and throttling (OTSServerBusy is sent
// only when a test asks), partitions, and network settings.
package fakeots

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/aliyun-tablestore-go-sdk/tablestore/otsprotocol"
	"github.com/golang/protobuf/proto"

	"github.com/axg-binder/binder/internal/store/otsstore"
)

// The credentials the fake accepts.
const (
	AccessKeyID     = "LTAIfakeots"
	AccessKeySecret = "fakeots-secret"
	Instance        = "axg"
)

// Server is a fake Tablestore instance.
type Server struct {
	URL string
	srv *httptest.Server

	mu     sync.Mutex
	tables map[string]map[string]*row
	calls  map[string]int
	busy   int // the next calls answered OTSServerBusy
}

type row struct {
	pk    []otsstore.Cell
	cells map[string]otsstore.Value
	order []string
}

// Start serves a fake instance until the test ends.
func Start(t testing.TB) *Server {
	s := &Server{tables: map[string]map[string]*row{}, calls: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Stop closes the server: calls fail as with a service out of reach.
func (s *Server) Stop() { s.srv.Close() }

// Table creates an empty table.
func (s *Server) Table(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables[name] = map[string]*row{}
}

// Calls is how many calls of action were answered.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// Busy makes the next n calls answer 503 OTSServerBusy.
func (s *Server) Busy(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = n
}

// Credentials are those the fake accepts.
func Credentials() otsstore.Credentials {
	return otsstore.Credentials{AccessKeyID: AccessKeyID, AccessKeySecret: AccessKeySecret}
}

type apiError struct {
	status        int
	code, message string
}

func fail(status int, code, format string, a ...any) *apiError {
	return &apiError{status, code, fmt.Sprintf(format, a...)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("x-ots-requestid", "fake-request")
	resp, e := s.handle(r, body)
	if e != nil {
		b, _ := proto.Marshal(&otsprotocol.Error{Code: proto.String(e.code), Message: proto.String(e.message)})
		w.WriteHeader(e.status)
		w.Write(b)
		return
	}
	b, _ := proto.Marshal(resp)
	sum := md5.Sum(b)
	w.Header().Set("x-ots-contentmd5", base64.StdEncoding.EncodeToString(sum[:]))
	w.Write(b)
}

func (s *Server) handle(r *http.Request, body []byte) (proto.Message, *apiError) {
	if r.Method != http.MethodPost {
		return nil, fail(405, "OTSMethodNotAllowed", "POST only")
	}
	if e := checkSignature(r, body); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy > 0 {
		s.busy--
		return nil, fail(503, "OTSServerBusy", "Server is busy.")
	}
	action := strings.TrimPrefix(r.URL.Path, "/")
	s.calls[action]++
	switch action {
	case "PutRow":
		var req otsprotocol.PutRowRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			return nil, fail(400, "OTSParameterInvalid", "PutRowRequest: %v", err)
		}
		return &otsprotocol.PutRowResponse{Consumed: consumed()}, s.write(req.GetTableName(), otsprotocol.OperationType_PUT, req.GetRow(), req.GetCondition())
	case "UpdateRow":
		var req otsprotocol.UpdateRowRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			return nil, fail(400, "OTSParameterInvalid", "UpdateRowRequest: %v", err)
		}
		return &otsprotocol.UpdateRowResponse{Consumed: consumed()}, s.write(req.GetTableName(), otsprotocol.OperationType_UPDATE, req.GetRowChange(), req.GetCondition())
	case "DeleteRow":
		var req otsprotocol.DeleteRowRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			return nil, fail(400, "OTSParameterInvalid", "DeleteRowRequest: %v", err)
		}
		return &otsprotocol.DeleteRowResponse{Consumed: consumed()}, s.write(req.GetTableName(), otsprotocol.OperationType_DELETE, req.GetPrimaryKey(), req.GetCondition())
	case "GetRow":
		var req otsprotocol.GetRowRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			return nil, fail(400, "OTSParameterInvalid", "GetRowRequest: %v", err)
		}
		return s.get(req.GetTableName(), req.GetPrimaryKey())
	case "BatchWriteRow":
		var req otsprotocol.BatchWriteRowRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			return nil, fail(400, "OTSParameterInvalid", "BatchWriteRowRequest: %v", err)
		}
		resp := &otsprotocol.BatchWriteRowResponse{}
		n := 0
		for _, t := range req.GetTables() {
			tr := &otsprotocol.TableInBatchWriteRowResponse{TableName: t.TableName}
			for _, rw := range t.GetRows() {
				n++
				res := &otsprotocol.RowInBatchWriteRowResponse{IsOk: proto.Bool(true), Consumed: consumed()}
				if e := s.write(t.GetTableName(), rw.GetType(), rw.GetRowChange(), rw.GetCondition()); e != nil {
					res.IsOk, res.Consumed = proto.Bool(false), nil
					res.Error = &otsprotocol.Error{Code: proto.String(e.code), Message: proto.String(e.message)}
				}
				tr.Rows = append(tr.Rows, res)
			}
			resp.Tables = append(resp.Tables, tr)
		}
		if n > 200 {
			return nil, fail(400, "OTSParameterInvalid", "Rows count exceeds the upper limit: 200.")
		}
		return resp, nil
	}
	return nil, fail(404, "OTSUnsupportOperation", "Unsupported operation: '%s'.", action)
}

func consumed() *otsprotocol.ConsumedCapacity {
	return &otsprotocol.ConsumedCapacity{CapacityUnit: &otsprotocol.CapacityUnit{Read: proto.Int32(0), Write: proto.Int32(1)}}
}

// checkSignature checks the request as Tablestore does: every required
// x-ots- header, the body's MD5, and the HMAC-SHA1 signature.
func checkSignature(r *http.Request, body []byte) *apiError {
	h := map[string]string{}
	for k := range r.Header {
		if k := strings.ToLower(k); strings.HasPrefix(k, "x-ots-") {
			h[k] = r.Header.Get(k)
		}
	}
	for _, k := range []string{"x-ots-date", "x-ots-apiversion", "x-ots-accesskeyid", "x-ots-contentmd5", "x-ots-instancename", "x-ots-signature"} {
		if h[k] == "" {
			return fail(400, "OTSMissingHeader", "Missing header: '%s'.", k)
		}
	}
	if h["x-ots-accesskeyid"] != AccessKeyID || h["x-ots-instancename"] != Instance {
		return fail(403, "OTSAuthFailed", "The AccessKeyID is disabled or does not exist, or the instance is not %s.", Instance)
	}
	sum := md5.Sum(body)
	if h["x-ots-contentmd5"] != base64.StdEncoding.EncodeToString(sum[:]) {
		return fail(400, "OTSInvalidContentMD5", "Mismatch between MD5 value of request content and x-ots-contentmd5.")
	}
	if otsstore.Sign(r.URL.Path, h, AccessKeySecret) != h["x-ots-signature"] {
		return fail(403, "OTSAuthFailed", "Signature mismatch.")
	}
	return nil
}

func decodeRow(b []byte) (otsstore.Row, *apiError) {
	rows, err := otsstore.DecodeRows(b)
	if err != nil || len(rows) != 1 || len(rows[0].PK) != 1 {
		return otsstore.Row{}, fail(400, "OTSParameterInvalid", "Invalid row: %v", err)
	}
	return rows[0], nil
}

func key(pk []otsstore.Cell) string { return string(pk[0].Value.Bytes) }

// write applies one row change under its condition.
func (s *Server) write(table string, op otsprotocol.OperationType, change []byte, cond *otsprotocol.Condition) *apiError {
	t, ok := s.tables[table]
	if !ok {
		return fail(404, "OTSObjectNotExist", "Requested table does not exist.")
	}
	rw, e := decodeRow(change)
	if e != nil {
		return e
	}
	for _, c := range rw.Cells {
		if len(c.Value.Bytes) > 2<<20 {
			return fail(400, "OTSParameterInvalid", "The length of attribute column: '%s' exceeds the MaxLength:2097152 with CurrentLength:%d.", c.Name, len(c.Value.Bytes))
		}
	}
	old := t[key(rw.PK)]
	if e := check(old, cond); e != nil {
		return e
	}
	switch op {
	case otsprotocol.OperationType_PUT:
		n := &row{pk: rw.PK, cells: map[string]otsstore.Value{}}
		n.set(rw.Cells)
		t[key(rw.PK)] = n
	case otsprotocol.OperationType_UPDATE:
		if old == nil {
			old = &row{pk: rw.PK, cells: map[string]otsstore.Value{}}
			t[key(rw.PK)] = old
		}
		old.set(rw.Cells)
	case otsprotocol.OperationType_DELETE:
		delete(t, key(rw.PK))
	}
	return nil
}

func (r *row) set(cells []otsstore.Cell) {
	for _, c := range cells {
		if _, ok := r.cells[c.Name]; !ok {
			r.order = append(r.order, c.Name)
		}
		r.cells[c.Name] = c.Value
	}
}

func (s *Server) get(table string, pk []byte) (proto.Message, *apiError) {
	t, ok := s.tables[table]
	if !ok {
		return nil, fail(404, "OTSObjectNotExist", "Requested table does not exist.")
	}
	rw, e := decodeRow(pk)
	if e != nil {
		return nil, e
	}
	resp := &otsprotocol.GetRowResponse{Consumed: consumed(), Row: []byte{}}
	if r := t[key(rw.PK)]; r != nil {
		out := otsstore.Row{PK: r.pk}
		for _, name := range r.order {
			out.Cells = append(out.Cells, otsstore.Cell{Name: name, Value: r.cells[name]})
		}
		resp.Row = out.Encode()
	}
	return resp, nil
}

var errCondition = fail(403, "OTSConditionCheckFail", "Condition check failed.")

func check(r *row, cond *otsprotocol.Condition) *apiError {
	switch cond.GetRowExistence() {
	case otsprotocol.RowExistenceExpectation_EXPECT_EXIST:
		if r == nil {
			return errCondition
		}
	case otsprotocol.RowExistenceExpectation_EXPECT_NOT_EXIST:
		if r != nil {
			return errCondition
		}
	}
	if len(cond.GetColumnCondition()) == 0 {
		return nil
	}
	var f otsprotocol.Filter
	if err := proto.Unmarshal(cond.GetColumnCondition(), &f); err != nil {
		return fail(400, "OTSParameterInvalid", "Invalid column condition: %v", err)
	}
	pass, e := eval(r, &f)
	if e != nil {
		return e
	}
	if !pass {
		return errCondition
	}
	return nil
}

func eval(r *row, f *otsprotocol.Filter) (bool, *apiError) {
	switch f.GetType() {
	case otsprotocol.FilterType_FT_SINGLE_COLUMN_VALUE:
		var sf otsprotocol.SingleColumnValueFilter
		if err := proto.Unmarshal(f.GetFilter(), &sf); err != nil {
			return false, fail(400, "OTSParameterInvalid", "Invalid filter: %v", err)
		}
		want, ok := variant(sf.GetColumnValue())
		if !ok {
			return false, fail(400, "OTSParameterInvalid", "Invalid column value in a condition.")
		}
		var have otsstore.Value
		if r != nil {
			have, ok = r.cells[sf.GetColumnName()]
		} else {
			ok = false
		}
		if !ok {
			return !sf.GetFilterIfMissing(), nil
		}
		return compare(have, want, sf.GetComparator()), nil
	case otsprotocol.FilterType_FT_COMPOSITE_COLUMN_VALUE:
		var cf otsprotocol.CompositeColumnValueFilter
		if err := proto.Unmarshal(f.GetFilter(), &cf); err != nil {
			return false, fail(400, "OTSParameterInvalid", "Invalid filter: %v", err)
		}
		var results []bool
		for _, sub := range cf.GetSubFilters() {
			ok, e := eval(r, sub)
			if e != nil {
				return false, e
			}
			results = append(results, ok)
		}
		switch cf.GetCombinator() {
		case otsprotocol.LogicalOperator_LO_NOT:
			if len(results) != 1 {
				return false, fail(400, "OTSParameterInvalid", "NOT takes one filter.")
			}
			return !results[0], nil
		case otsprotocol.LogicalOperator_LO_AND:
			for _, ok := range results {
				if !ok {
					return false, nil
				}
			}
			return true, nil
		case otsprotocol.LogicalOperator_LO_OR:
			for _, ok := range results {
				if ok {
					return true, nil
				}
			}
			return false, nil
		}
	}
	return false, fail(400, "OTSParameterInvalid", "Unsupported filter type.")
}

// variant decodes a condition's value: its type, then the value.
func variant(b []byte) (otsstore.Value, bool) {
	if len(b) == 0 {
		return otsstore.Value{}, false
	}
	switch b[0] {
	case 0x0:
		if len(b) != 9 {
			return otsstore.Value{}, false
		}
		return otsstore.Int(int64(binary.LittleEndian.Uint64(b[1:]))), true
	case 0x3, 0x7:
		if len(b) < 5 || int(binary.LittleEndian.Uint32(b[1:])) != len(b)-5 {
			return otsstore.Value{}, false
		}
		return otsstore.Value{Bytes: b[5:], Type: b[0]}, true
	}
	return otsstore.Value{}, false
}

func compare(have, want otsstore.Value, op otsprotocol.ComparatorType) bool {
	c := 0
	if have.Type != want.Type {
		return op == otsprotocol.ComparatorType_CT_NOT_EQUAL
	}
	if have.Type == 0x0 {
		c = cmpInt(have.Int, want.Int)
	} else {
		c = bytes.Compare(have.Bytes, want.Bytes)
	}
	switch op {
	case otsprotocol.ComparatorType_CT_EQUAL:
		return c == 0
	case otsprotocol.ComparatorType_CT_NOT_EQUAL:
		return c != 0
	case otsprotocol.ComparatorType_CT_GREATER_THAN:
		return c > 0
	case otsprotocol.ComparatorType_CT_GREATER_EQUAL:
		return c >= 0
	case otsprotocol.ComparatorType_CT_LESS_THAN:
		return c < 0
	case otsprotocol.ComparatorType_CT_LESS_EQUAL:
		return c <= 0
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
