// Package otsstore is the ledger's driver on Alibaba Tablestore (OTS): one
// pay-per-request table that every Function Compute instance shares, with
// no VPC. It speaks Tablestore's wire protocol itself (client.go, wire.go,
// plainbuffer.go), checked against the vendor's SDK in the tests.
package otsstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
)

// Ledger keeps each record as a row of Table under the string primary key
// "pk": the writer's token ("tok"), the record without its body ("rec",
// JSON), the body ("body"), and the expiry in Unix milliseconds ("exp",
// what conditions compare; a row past it is read as gone, and the table's
// TTL deletes it later). A set is a row of "exp" and a column per member
// ("m_" and a hash of the value, holding the value).
type Ledger struct {
	Client *Client
	Table  string
	now    func() time.Time
}

var _ ledger.Driver = (*Ledger)(nil)

// New is the driver over the table, which must exist.
func New(c *Client, table string) *Ledger { return &Ledger{Client: c, Table: table, now: time.Now} }

const (
	colToken, colRec, colBody, colExp = "tok", "rec", "body", "exp"
	memberPrefix                      = "m_"
)

// batchMax is BatchWriteRow's limit of rows a call.
const batchMax = 200

func pk(key string) Row { return Row{PK: []Cell{{"pk", Str(key)}}} }

func row(r ledger.Record) (Row, error) {
	body := r.Body
	r.Body = nil
	b, err := json.Marshal(r)
	if err != nil {
		return Row{}, err
	}
	out := pk(r.Key)
	out.Cells = []Cell{{colToken, Str(r.Token)}, {colRec, Blob(b)}, {colExp, Int(r.Expires.UnixMilli())}}
	if len(body) > 0 {
		out.Cells = append(out.Cells, Cell{colBody, Blob(body)})
	}
	return out, nil
}

func (s *Ledger) clock() int64 { return s.now().UnixMilli() }

func unavailable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: no answer by the deadline (%v)", ledger.ErrUnavailable, err)
	}
	return fmt.Errorf("%w: %v", ledger.ErrUnavailable, err)
}

// call sends a request and says whether its condition failed.
func (s *Ledger) call(ctx context.Context, action string, body []byte) (resp []byte, condFailed bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, unavailable(ctx, err)
	}
	resp, err = s.Client.Do(ctx, action, body)
	var e *Error
	if errors.As(err, &e) && e.Code == conditionFailed {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, unavailable(ctx, err)
	}
	return resp, false, nil
}

// get reads the row under key: its cells by name, or nil.
func (s *Ledger) get(ctx context.Context, key string) (map[string]Value, error) {
	resp, _, err := s.call(ctx, "GetRow", getRowRequest(s.Table, pk(key)))
	if err != nil {
		return nil, err
	}
	rows, err := DecodeRows(getRowResponse(resp))
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	cells := map[string]Value{}
	for _, c := range rows[0].Cells {
		cells[c.Name] = c.Value
	}
	if exp, ok := cells[colExp]; !ok || exp.Int <= s.clock() {
		return nil, nil // past its expiry: as good as gone
	}
	return cells, nil
}

func record(cells map[string]Value) (*ledger.Record, error) {
	rec, ok := cells[colRec]
	if !ok {
		return nil, nil
	}
	var r ledger.Record
	if err := json.Unmarshal(rec.Bytes, &r); err != nil {
		return nil, fmt.Errorf("ledger row: %w", err)
	}
	if b, ok := cells[colBody]; ok {
		r.Body = b.Bytes
	}
	return &r, nil
}

func (s *Ledger) Create(ctx context.Context, r ledger.Record) (*ledger.Record, error) {
	rw, err := row(r)
	if err != nil {
		return nil, err
	}
	for range 3 {
		_, failed, err := s.call(ctx, "PutRow", rowRequest(s.Table, rw, expectNotExist, nil))
		if err != nil || !failed {
			return nil, err
		}
		cells, err := s.get(ctx, r.Key)
		if err != nil {
			return nil, err
		}
		if cells != nil {
			return record(cells)
		}
		// The row is past its expiry: take it, unless another write did first.
		_, failed, err = s.call(ctx, "PutRow", rowRequest(s.Table, rw, expectExist,
			[]Cond{{colExp, ctLessOrEqual, Int(s.clock())}}))
		if err != nil || !failed {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w: the row %q kept changing", ledger.ErrUnavailable, r.Key)
}

func (s *Ledger) Replace(ctx context.Context, token string, r ledger.Record) error {
	rw, err := row(r)
	if err != nil {
		return err
	}
	_, failed, err := s.call(ctx, "PutRow", rowRequest(s.Table, rw, expectExist,
		[]Cond{{colToken, ctEqual, Str(token)}, {colExp, ctGreater, Int(s.clock())}}))
	if failed {
		return ledger.ErrLost
	}
	return err
}

func (s *Ledger) Get(ctx context.Context, key string) (*ledger.Record, error) {
	cells, err := s.get(ctx, key)
	if err != nil || cells == nil {
		return nil, err
	}
	return record(cells)
}

func (s *Ledger) Delete(ctx context.Context, key, token string) error {
	_, _, err := s.call(ctx, "DeleteRow", deleteRowRequest(s.Table, pk(key), expectExist, []Cond{{colToken, ctEqual, Str(token)}}))
	return err // a failed condition: not this run's record, nothing to do
}

// PutBatch writes the records by BatchWriteRow, 200 a call, sending again
// the rows the service was too busy for until ctx ends; and adds each
// set's new members.
func (s *Ledger) PutBatch(ctx context.Context, recs []ledger.Record, adds []ledger.Member) error {
	for chunk := range slices.Chunk(recs, batchMax) {
		rows := make([]Row, 0, len(chunk))
		for _, r := range chunk {
			rw, err := row(r)
			if err != nil {
				return err
			}
			rows = append(rows, rw)
		}
		if err := s.batchPut(ctx, rows); err != nil {
			return err
		}
	}
	for _, set := range ledger.GroupMembers(adds) {
		if len(set.Values) > 0 {
			if err := s.add(ctx, set.Key, set.Values, set.Expires); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Ledger) batchPut(ctx context.Context, rows []Row) error {
	wait := 20 * time.Millisecond
	for len(rows) > 0 {
		resp, _, err := s.call(ctx, "BatchWriteRow", batchPutRequest(s.Table, rows))
		if err != nil {
			return err
		}
		results := batchWriteResponse(resp)
		if len(results) != len(rows) {
			return fmt.Errorf("%w: BatchWriteRow answered %d rows of %d", ledger.ErrUnavailable, len(results), len(rows))
		}
		var again []Row
		for i, r := range results {
			switch {
			case r.ok:
			case busy(r.code):
				again = append(again, rows[i])
			default:
				return fmt.Errorf("%w: BatchWriteRow: %s: %s", ledger.ErrUnavailable, r.code, r.message)
			}
		}
		if rows = again; len(rows) == 0 {
			return nil
		}
		if wait, err = ledger.Pause(ctx, wait); err != nil { // the service was busy: back off
			return unavailable(ctx, err)
		}
	}
	return nil
}

func memberColumn(v string) string {
	h := sha256.Sum256([]byte(v))
	return memberPrefix + hex.EncodeToString(h[:16])
}

// add adds values to the set under key and makes it live until expires at
// least: extend a live set, add to one that lives longer already, start
// one where none is, or take over one past its expiry — each a conditional
// write, tried in turn until one holds.
func (s *Ledger) add(ctx context.Context, key string, values []string, expires time.Time) error {
	exp := Int(expires.UnixMilli())
	members := pk(key)
	for _, v := range values {
		members.Cells = append(members.Cells, Cell{memberColumn(v), Str(v)})
	}
	withExp := pk(key)
	withExp.Cells = append(slices.Clone(members.Cells), Cell{colExp, exp})
	for range 3 {
		now := Int(s.clock())
		tries := []struct {
			action string
			body   []byte
		}{
			{"UpdateRow", rowRequest(s.Table, withExp, expectExist, []Cond{{colExp, ctGreater, now}, {colExp, ctLessOrEqual, exp}})},
			{"UpdateRow", rowRequest(s.Table, members, expectExist, []Cond{{colExp, ctGreater, exp}})},
			{"PutRow", rowRequest(s.Table, withExp, expectNotExist, nil)},
			{"PutRow", rowRequest(s.Table, withExp, expectExist, []Cond{{colExp, ctLessOrEqual, now}})},
		}
		for _, t := range tries {
			_, failed, err := s.call(ctx, t.action, t.body)
			if err != nil || !failed {
				return err
			}
		}
	}
	return fmt.Errorf("%w: the set %q kept changing", ledger.ErrUnavailable, key)
}

func (s *Ledger) Members(ctx context.Context, key string) ([]string, error) {
	cells, err := s.get(ctx, key)
	if err != nil {
		return nil, err
	}
	var out []string
	for name, v := range cells {
		if strings.HasPrefix(name, memberPrefix) {
			out = append(out, string(v.Bytes))
		}
	}
	slices.Sort(out)
	return out, nil
}
