package validate

import (
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core"
)

func TestLine(t *testing.T) {
	v := New(clock, 10)
	for _, c := range []struct {
		line, def, pool string
		code            core.Code
	}{
		{`{"PhoneNoA":"13800000000","GroupId":1,"Expiration":"` + exp(time.Hour) + `"}`, "FC1", "FC1", ""},
		{`{"PoolKey":"FC2","PhoneNoA":"13800000000","GroupId":1,"Expiration":"` + exp(time.Hour) + `"}`, "FC1", "FC2", ""},
		{`{"PhoneNoA":"13800000000","GroupId":1,"Expiration":"` + exp(time.Hour) + `"}`, "", "", core.CodeInvalidParameters},
		{`{"PhoneNoA":"138","GroupId":1,"Expiration":"` + exp(time.Hour) + `"}`, "FC1", "FC1", core.CodeMobileIllegal},
		{`[1]`, "FC1", "", core.CodeInvalidParameters},
		{`{"PhoneNoA":`, "FC1", "", core.CodeInvalidParameters},
	} {
		task, e := v.DecodeLine([]byte(c.line), c.def)
		pool := poolOf(&task)
		if (e == nil) != (c.code == "") || e != nil && e.Code != c.code || c.code == "" && pool != c.pool {
			t.Errorf("%s: pool %q, err %v; want %q %q", c.line, pool, e, c.pool, c.code)
		}
	}
}

func TestCells(t *testing.T) {
	v := New(clock, 10)
	good := map[string]string{"PhoneNoA": "138 0000 0000", "GroupId": "1", "Expiration": exp(time.Hour), "IsRecordingEnabled": "TRUE", "CallDisplayType": "1"}
	task, e := v.DecodeCells(good, "FC1")
	pool, it := task.Bind.PoolKey, task.Bind.Item
	if e != nil || pool != "FC1" || it.PhoneNoA != "13800000000" || it.IsRecordingEnabled == nil || !*it.IsRecordingEnabled || *it.CallDisplayType != 1 {
		t.Fatalf("%q %+v %v", pool, it, e)
	}
	bad := map[string]string{"PhoneNoA": "138", "GroupId": "x", "Expiration": "", "ASRStatus": "maybe"}
	if _, e := v.DecodeCells(bad, "FC1"); e == nil || e.Code != core.CodeMobileIllegal || len(e.Fields) != 4 {
		t.Fatalf("%+v", e)
	}
	if _, e := v.DecodeCells(good, ""); e == nil || e.Fields[0].Field != "PoolKey" {
		t.Fatalf("no pool: %+v", e)
	}
}

func TestTaskRows(t *testing.T) {
	v := New(clock, 10)
	for _, c := range []struct {
		name, line string
		cells      map[string]string
		action     core.Action
		fields     string // the fields an error names
	}{
		{"unbind", `{"Action":"UnbindSubscription","SubsId":"1","SecretNo":"171 0000 0000"}`,
			map[string]string{"Action": "UnbindSubscription", "SubsId": "1", "SecretNo": "171 0000 0000", "PhoneNoA": ""}, core.ActionUnbind, ""},
		{"update", `{"Action":"UpdateSubscription","SubsId":"1","PhoneNoX":"17100000000","OperateType":"updateExpire","Expiration":"` + exp(time.Hour) + `"}`,
			map[string]string{"Action": "UpdateSubscription", "SubsId": "1", "PhoneNoX": "17100000000", "OperateType": "updateExpire", "Expiration": exp(time.Hour)}, core.ActionUpdate, ""},
		{"bind named", `{"Action":"BindAxg","PhoneNoA":"13800000000","GroupId":1,"Expiration":"` + exp(time.Hour) + `"}`,
			map[string]string{"Action": "BindAxg", "PhoneNoA": "13800000000", "GroupId": "1", "Expiration": exp(time.Hour)}, core.ActionBind, ""},
		{"unbind with a bind field", `{"Action":"UnbindSubscription","SubsId":"1","SecretNo":"17100000000","GroupId":"1"}`,
			map[string]string{"Action": "UnbindSubscription", "SubsId": "1", "SecretNo": "17100000000", "GroupId": "1"}, core.ActionUnbind, "GroupId"},
		{"update without its field", `{"Action":"UpdateSubscription","SubsId":"1","PhoneNoX":"17100000000","OperateType":"updateNoB"}`,
			map[string]string{"Action": "UpdateSubscription", "SubsId": "1", "PhoneNoX": "17100000000", "OperateType": "updateNoB"}, core.ActionUpdate, "PhoneNoB"},
		{"bind with SubsId", `{"PhoneNoA":"13800000000","GroupId":1,"Expiration":"` + exp(time.Hour) + `","SubsId":"1"}`,
			map[string]string{"PhoneNoA": "13800000000", "GroupId": "1", "Expiration": exp(time.Hour), "SubsId": "1"}, core.ActionBind, "SubsId"},
		{"unknown action", `{"Action":"Rebind"}`, map[string]string{"Action": "Rebind"}, core.ActionBind, "Action"},
	} {
		line, e1 := v.DecodeLine([]byte(c.line), "FC1")
		cells, e2 := v.DecodeCells(c.cells, "FC1")
		for _, got := range []struct {
			how  string
			task core.Task
			e    *core.Error
		}{{"line", line, e1}, {"cells", cells, e2}} {
			var names []string
			if got.e != nil {
				for _, f := range got.e.Fields {
					names = append(names, f.Field)
				}
			}
			if got.task.Action != c.action || strings.Join(names, " ") != c.fields || (c.fields == "") != (got.e == nil) || c.fields == "" && poolOf(&got.task) != "FC1" {
				t.Errorf("%s as %s: %+v %v; want %s naming %q", c.name, got.how, got.task, got.e, c.action, c.fields)
			}
		}
	}
}

// poolOf is the pool a task calls on.
func poolOf(t *core.Task) string {
	switch t.Action {
	case core.ActionUnbind:
		return t.Unbind.PoolKey
	case core.ActionUpdate:
		return t.Update.PoolKey
	}
	return t.Bind.PoolKey
}
