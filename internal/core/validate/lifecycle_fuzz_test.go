package validate

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/axg-binder/binder/internal/core"
)

// FuzzLifecycle: no body makes a lifecycle decoder panic; the scanner
// answers as encoding/json does; an error names a
// code, and each field it names is one of the request's (or PoolKey, or a
// stray one given in the body); what is accepted, encoded again from its
// field table and decoded, is accepted unchanged (normalising twice changes
// nothing, and nothing accepted breaks a rule).
func FuzzLifecycle(f *testing.F) {
	for _, s := range []string{
		`{"PoolKey":"FC123456","SubsId":"1000000000000001","SecretNo":"17100000000","PhoneNoX":"171 0000 0000"}`,
		`{"PoolKey":"FC","SubsId":"1","PhoneNoX":"17100000000","OperateType":"updateNoA","PhoneNoA":"+86 138-0000-0001"}`,
		`{"PoolKey":"FC","SubsId":"1","PhoneNoX":"17100000000","OperateType":"updateExpire","Expiration":"2026-12-01 12:00:00"}`,
		`{"PoolKey":"FC","SubsId":"1","PhoneNoX":"17100000000","OperateType":"updateIsRecordingEnabled","IsRecordingEnabled":"true"}`,
		`{"PoolKey":"FC","Name":"g","Remark":"r","Numbers":["13900000001",13900000002]}`,
		`{"PoolKey":"FC","GroupId":"0012","OperateType":"overwriteNumbers","Numbers":"13900000001, 057188888888"}`,
		`{"PoolKey":"FC","Numbers":[null]}`, `{"Numbers":[[]]}`, `{"GroupId":1e3}`, `{"Action":"x"}`, `[]`, `{`, "",
	} {
		f.Add([]byte(s))
	}
	v := New(clock, 100)
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip(t, v, b, unbinds, v.DecodeUnbind, func(r *core.UnbindRequest) *string { return &r.PoolKey }, nil)
		roundTrip(t, v, b, updates, v.DecodeUpdate, func(r *core.UpdateRequest) *string { return &r.PoolKey }, updateRule)
		roundTrip(t, v, b, queries, v.DecodeQuery, func(r *core.QueryRequest) *string { return &r.PoolKey }, nil)
		roundTrip(t, v, b, groupCreates, v.DecodeGroupCreate, func(r *core.GroupCreateRequest) *string { return &r.PoolKey }, nil)
		roundTrip(t, v, b, groupOperates, v.DecodeGroupOperate, func(r *core.GroupOperateRequest) *string { return &r.PoolKey }, nil)
		roundTrip(t, v, b, groupDeletes, v.DecodeGroupDelete, func(r *core.GroupDeleteRequest) *string { return &r.PoolKey }, nil)
	})
}

func roundTrip[T any](t *testing.T, v *Validator, b []byte, f *form[T], decode func([]byte, string) (T, *core.Error),
	pool func(*T) *string, extra func(*T, []issue) []issue) {
	t.Helper()
	req, e := decode(b, "")
	var slow T
	slowE := decodeOp(v, f, b, "", &slow, pool(&slow), extra, false)
	if !reflect.DeepEqual(req, slow) || !reflect.DeepEqual(e, slowE) {
		t.Fatalf("%s: scanner %+v %+v, encoding/json %+v %+v", f.what, req, e, slow, slowE)
	}
	if e != nil {
		if e.Code == "" || e.Message == "" {
			t.Fatalf("%s: error without code or message: %+v", f.what, e)
		}
		for _, fe := range e.Fields {
			if fe.Field == "" || fe.Message == "" {
				t.Fatalf("%s: unnamed field error in %+v", f.what, e)
			}
		}
		return
	}
	m := map[string]any{}
	rv := reflect.ValueOf(&req).Elem()
	m[core.PoolKey] = rv.FieldByName(core.PoolKey).String()
	for i := range f.fields {
		fd := &f.fields[i]
		if !fd.Set(&req) {
			continue
		}
		switch {
		case fd.Bool != nil:
			m[fd.Name] = **fd.Bool(&req)
		case fd.Int != nil:
			m[fd.Name] = **fd.Int(&req)
		default:
			m[fd.Name] = fd.Text(&req)
		}
	}
	again, _ := json.Marshal(m)
	req2, e2 := decode(again, "")
	if e2 != nil || !reflect.DeepEqual(req, req2) {
		t.Fatalf("%s: accepted %+v, but its own encoding %s decodes to %+v, %v", f.what, req, again, req2, e2)
	}
}
