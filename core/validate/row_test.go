package validate

import (
	"testing"
	"time"

	"github.com/axg-binder/binder/core"
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
		pool, _, e := v.DecodeLine([]byte(c.line), c.def)
		if (e == nil) != (c.code == "") || e != nil && e.Code != c.code || c.code == "" && pool != c.pool {
			t.Errorf("%s: pool %q, err %v; want %q %q", c.line, pool, e, c.pool, c.code)
		}
	}
}

func TestCells(t *testing.T) {
	v := New(clock, 10)
	good := map[string]string{"PhoneNoA": "138 0000 0000", "GroupId": "1", "Expiration": exp(time.Hour), "IsRecordingEnabled": "TRUE", "CallDisplayType": "1"}
	pool, it, e := v.DecodeCells(good, "FC1")
	if e != nil || pool != "FC1" || it.PhoneNoA != "13800000000" || it.IsRecordingEnabled == nil || !*it.IsRecordingEnabled || *it.CallDisplayType != 1 {
		t.Fatalf("%q %+v %v", pool, it, e)
	}
	bad := map[string]string{"PhoneNoA": "138", "GroupId": "x", "Expiration": "", "ASRStatus": "maybe"}
	if _, _, e := v.DecodeCells(bad, "FC1"); e == nil || e.Code != core.CodeMobileIllegal || len(e.Fields) != 4 {
		t.Fatalf("%+v", e)
	}
	if _, _, e := v.DecodeCells(good, ""); e == nil || e.Fields[0].Field != "PoolKey" {
		t.Fatalf("no pool: %+v", e)
	}
}
