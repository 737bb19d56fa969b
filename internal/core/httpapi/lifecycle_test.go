package httpapi_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/testkit/testclock"
)

// body is a JSON object of the demo pool and the given members.
func body(members ...string) string {
	return `{"PoolKey":"` + emulator.DemoPoolKey + `"` + prefixed(members) + "}"
}

func prefixed(ms []string) string {
	if len(ms) == 0 {
		return ""
	}
	return "," + strings.Join(ms, ",")
}

// bound binds A and returns the binding's SubsId and X.
func (s *setup) bound(t *testing.T, a string, extra ...string) (string, string) {
	t.Helper()
	ans := s.do(t, "POST", httpapi.RouteBind, body(strings.Trim(itemJSON(a, extra...), "{}")))
	dto, _ := ans.body["SecretBindDTO"].(map[string]any)
	if ans.status != 200 {
		t.Fatalf("bind: %d %s", ans.status, ans.raw)
	}
	return dto["SubsId"].(string), dto["SecretNo"].(string)
}

func TestLifecycleRoutes(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	g := s.do(t, "POST", httpapi.RouteGroupCreate, body(`"Name":"recruiters"`, `"Remark":"team A"`, `"Numbers":["139 0000 0021", 13900000022]`))
	gid, _ := g.body["GroupId"].(float64)
	if g.status != 200 || g.str("Code") != "OK" || gid <= 0 {
		t.Fatalf("group/create: %d %s", g.status, g.raw)
	}
	group := strconv.FormatInt(int64(gid), 10)
	if a := s.do(t, "POST", httpapi.RouteGroupOperate, body(`"GroupId":`+group, `"OperateType":"addNumbers"`, `"Numbers":"13900000023,+86 139-0000-0024"`)); a.status != 200 {
		t.Fatalf("group/operate: %d %s", a.status, a.raw)
	}
	subs, x := s.bound(t, "13800000031", `"GroupId":"`+group+`"`)
	where := []string{`"SubsId":"` + subs + `"`, `"PhoneNoX":"` + x + `"`}

	q := s.do(t, "POST", httpapi.RouteQuery, body(where...))
	d, _ := q.body["SecretBindDetailDTO"].(map[string]any)
	if q.status != 200 || d["Status"] != 1.0 || d["PhoneNoA"] != "13800000031" || d["GroupId"] != gid || d["SubsId"] != subs {
		t.Fatalf("query: %d %s", q.status, q.raw)
	}
	exp := expIn(48 * time.Hour)
	for _, change := range []string{
		`"OperateType":"updateNoA","PhoneNoA":"+86 138 0000 0032"`,
		`"OperateType":"updateNoB","PhoneNoB":"13800000033"`,
		`"OperateType":"updateExpire","Expiration":"` + exp + `"`,
		`"OperateType":"updateAxgGroup","GroupId":1234`,
		`"OperateType":"updateCallRestrict","CallRestrict":"CONTROL_AX_DISABLE"`,
		`"OperateType":"updateCallRestrict","CallRestrict":"CONTROL_CLEAR_DISABLE"`,
		`"OperateType":"updateCallDisplayType","CallDisplayType":1`,
		`"OperateType":"updateOutId","OutId":"order-7"`,
		`"OperateType":"updateIsRecordingEnabled","IsRecordingEnabled":true`,
	} {
		if a := s.do(t, "POST", httpapi.RouteUpdate, body(append(where, change)...)); a.status != 200 || a.str("Code") != "OK" {
			t.Errorf("update %s: %d %s", change, a.status, a.raw)
		}
	}
	q = s.do(t, "POST", httpapi.RouteQuery, body(where...))
	d, _ = q.body["SecretBindDetailDTO"].(map[string]any)
	if d["PhoneNoA"] != "13800000032" || d["PhoneNoB"] != "13800000033" || d["ExpireDate"] != exp || d["GroupId"] != 1234.0 || d["NeedRecord"] != true || d["CallRestrict"] != "" {
		t.Errorf("after the updates: %s", q.raw)
	}
	if a := s.do(t, "POST", httpapi.RouteGroupDelete, body(`"GroupId":"`+group+`"`)); a.status != 200 {
		t.Errorf("group/delete of a group no binding uses any more: %d %s", a.status, a.raw)
	}
	un := body(`"SubsId":"`+subs+`"`, `"SecretNo":"`+x+`"`)
	if a := s.do(t, "POST", httpapi.RouteUnbind, un); a.status != 200 || a.str("Code") != "OK" {
		t.Fatalf("unbind: %d %s", a.status, a.raw)
	}
	// Once more, with no unknown outcome behind it: the upstream's own answer.
	if a := s.do(t, "POST", httpapi.RouteUnbind, un); a.status != 422 || a.str("Code") != "isv.SUBS_NOT_EXIST" {
		t.Errorf("second unbind: %d %s, want 422 isv.SUBS_NOT_EXIST", a.status, a.raw)
	}
	if a := s.do(t, "POST", httpapi.RouteQuery, body(where...)); a.status != 422 || a.str("Code") != "isv.SUBS_NOT_EXIST" {
		t.Errorf("query after unbind: %d %s", a.status, a.raw)
	}
	s.bound(t, "13800000039") // on group 1234
	if a := s.do(t, "POST", httpapi.RouteGroupDelete, body(`"GroupId":1234`)); a.status != 422 || a.str("Code") != "isv.FORBIDDEN_ACTION" {
		t.Errorf("group/delete of a group in use: %d %s", a.status, a.raw)
	}
	if strings.Contains(s.logs.String(), "13800000032") || !strings.Contains(s.logs.String(), `"route":"/v1/axg/update"`) {
		t.Errorf("logs: a full number, or no update line:\n%s", s.logs.String())
	}
}

func TestLifecycleValidation(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	many := make([]string, 201)
	for i := range many {
		many[i] = strconv.Itoa(13900200000 + i)
	}
	upd := func(ms ...string) string {
		return body(append([]string{`"SubsId":"1000000000000001"`, `"PhoneNoX":"17100000000"`}, ms...)...)
	}
	for _, tc := range []struct {
		route, body string
		code        core.Code
		fields      string // the fields named, in order
	}{
		{httpapi.RouteUnbind, `{"SubsId":"1"}`, core.CodeInvalidParameters, "PoolKey SecretNo"},
		{httpapi.RouteUnbind, body(`"SubsId":"1"`, `"SecretNo":"12345"`), core.CodeMobileIllegal, "SecretNo"},
		{httpapi.RouteUnbind, body(`"SubsId":"1 2"`, `"SecretNo":"17100000000"`, `"Extra":1`), core.CodeInvalidParameters, "SubsId Extra"},
		{httpapi.RouteUpdate, upd(), core.CodeInvalidParameters, "OperateType"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateAsr"`), core.CodeInvalidParameters, "ASRStatus"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateAsr"`, `"ASRStatus":true`), core.CodeInvalidParameters, "ASRModelId"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateAsr"`, `"ASRStatus":true`, `"ASRModelId":"0123456789abcdef0123456789abcdef"`), core.CodeInvalidParameters, "ASRModelId"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateAsr"`, `"ASRStatus":false`, `"ASRModelId":"7ee372834d2f4cc7ac0d0ab2d0ae1aac"`), core.CodeInvalidParameters, "ASRModelId"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateOutId"`, `"OutId":"o"`, `"RingConfig":{"AXGRing_X":"1"}`), core.CodeInvalidParameters, "RingConfig"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateNoA"`), core.CodeInvalidParameters, "PhoneNoA"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateNoA"`, `"PhoneNoA":"1380000003"`), core.CodeMobileIllegal, "PhoneNoA"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateNoA"`, `"PhoneNoA":"13800000031"`, `"OutId":"x"`), core.CodeInvalidParameters, "OutId"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateExpire"`, `"Expiration":"`+expIn(30*time.Second)+`"`), core.CodeExpireDateIllegal, "Expiration"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateCallRestrict"`, `"CallRestrict":"CONTROL_ALL"`), core.CodeInvalidParameters, "CallRestrict"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateCallDisplayType"`, `"CallDisplayType":2`), core.CodeInvalidParameters, "CallDisplayType"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateAxgGroup"`, `"GroupId":"g1"`), core.CodeInvalidParameters, "GroupId"},
		{httpapi.RouteUpdate, upd(`"OperateType":"updateIsRecordingEnabled"`, `"IsRecordingEnabled":"yes"`), core.CodeInvalidParameters, "IsRecordingEnabled"},
		{httpapi.RouteQuery, body(`"SubsId":"1"`), core.CodeInvalidParameters, "PhoneNoX"},
		{httpapi.RouteGroupCreate, body(`"Name":"`+strings.Repeat("组", 17)+`"`, `"Remark":"`+strings.Repeat("r", 51)+`"`), core.CodeInvalidParameters, "Name Remark"},
		{httpapi.RouteGroupCreate, body(`"Numbers":"` + strings.Join(many, ",") + `"`), core.CodeInvalidParameters, "Numbers"},
		{httpapi.RouteGroupCreate, body(`"Numbers":["13900000001","139 0000 0001"]`), core.CodeInvalidParameters, "Numbers"},
		{httpapi.RouteGroupCreate, body(`"Numbers":[{"n":1}]`), core.CodeInvalidParameters, "Numbers"},
		{httpapi.RouteGroupOperate, body(`"GroupId":0`, `"OperateType":"add"`), core.CodeInvalidParameters, "GroupId OperateType Numbers"},
		{httpapi.RouteGroupDelete, body(), core.CodeInvalidParameters, "GroupId"},
	} {
		a := s.do(t, "POST", tc.route, tc.body)
		errs, _ := a.body["Errors"].([]any)
		var names []string
		for _, e := range errs {
			names = append(names, e.(map[string]any)["Field"].(string))
		}
		if a.status != 400 || a.str("Code") != string(tc.code) || strings.Join(names, " ") != tc.fields {
			t.Errorf("%s %s: %d %s, want 400 %s naming %s", tc.route, tc.body, a.status, a.raw, tc.code, tc.fields)
		}
	}
	if n := s.emu.Stats().Calls; len(n) != 0 {
		t.Errorf("invalid requests reached the upstream: %v", n)
	}
}

func TestUnbindResentAfterAHangAnswersOK(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{upstreamTimeout: 200 * time.Millisecond})
	subs, x := s.bound(t, "13800000041")
	// The first call unbinds, then hangs past the call timeout: its outcome
	// is unknown, and an unbind may go again.
	s.emu.Inject(emulator.Fault{Action: "UnbindSubscription", Acted: true, Delay: 2 * time.Second})
	a := s.do(t, "POST", httpapi.RouteUnbind, body(`"SubsId":"`+subs+`"`, `"SecretNo":"`+x+`"`))
	if a.status != 200 || a.str("Code") != "OK" {
		t.Fatalf("unbind: %d %s, want 200 OK", a.status, a.raw)
	}
	if n := s.emu.Stats().Calls["UnbindSubscription"]; n != 2 {
		t.Errorf("UnbindSubscription sent %d times, want 2", n)
	}
}

func TestUpdateResentAfterADroppedConnection(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	subs, x := s.bound(t, "13800000042")
	s.emu.Inject(emulator.Fault{Action: "UpdateSubscription", Drop: true})
	a := s.do(t, "POST", httpapi.RouteUpdate, body(`"SubsId":"`+subs+`"`, `"PhoneNoX":"`+x+`"`, `"OperateType":"updateOutId"`, `"OutId":"o-1"`))
	if a.status != 200 || s.emu.Stats().Calls["UpdateSubscription"] != 2 {
		t.Fatalf("update: %d %s after %d calls, want 200 after 2", a.status, a.raw, s.emu.Stats().Calls["UpdateSubscription"])
	}
}

func TestNotResentAfterAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, route, action, body string }{
		{"group/create", httpapi.RouteGroupCreate, "CreateAxgGroup", body(`"Name":"g"`)},
		{"group/operate addNumbers", httpapi.RouteGroupOperate, "OperateAxgGroup", body(`"GroupId":1234`, `"OperateType":"addNumbers"`, `"Numbers":"13900000051"`)},
		{"group/operate deleteNumbers", httpapi.RouteGroupOperate, "OperateAxgGroup", body(`"GroupId":1234`, `"OperateType":"deleteNumbers"`, `"Numbers":"13900000001"`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, options{upstreamTimeout: 200 * time.Millisecond})
			s.emu.Inject(emulator.Fault{Action: tc.action, Delay: 2 * time.Second})
			a := s.do(t, "POST", tc.route, tc.body)
			if a.status != 504 || a.str("Code") != string(core.CodeUpstreamTimeout) {
				t.Errorf("%d %s, want 504 UpstreamTimeout", a.status, a.raw)
			}
			if n := s.emu.Stats().Calls[tc.action]; n != 1 {
				t.Errorf("%s sent %d times, want once", tc.action, n)
			}
		})
	}
	// overwriteNumbers and group/delete may go again.
	s := newSetup(t, options{upstreamTimeout: 200 * time.Millisecond})
	s.emu.Inject(emulator.Fault{Action: "OperateAxgGroup", Acted: true, Delay: 2 * time.Second})
	if a := s.do(t, "POST", httpapi.RouteGroupOperate, body(`"GroupId":1234`, `"OperateType":"overwriteNumbers"`, `"Numbers":"13900000001"`)); a.status != 200 {
		t.Errorf("overwriteNumbers after a hang: %d %s, want 200", a.status, a.raw)
	}
	// group/delete is resent too, but the vendor documents no code for a
	// group it does not have: the resend's refusal is no proof the first
	// deleted it, so the outcome stays unknown (it read as OK before).
	s.emu.Inject(emulator.Fault{Action: "DeleteAxgGroup", Acted: true, Drop: true})
	if a := s.do(t, "POST", httpapi.RouteGroupDelete, body(`"GroupId":1235`)); a.status != 504 || s.emu.Stats().Calls["DeleteAxgGroup"] != 2 {
		t.Errorf("group/delete resent after a dropped answer: %d %s, want 504 after 2 calls", a.status, a.raw)
	}
}

func TestUpdateOfAnExpiredBinding(t *testing.T) {
	t.Parallel()
	clk := testclock.At(time.Now())
	s := newSetup(t, options{emu: []emulator.Option{emulator.WithClock(clk.Now)}})
	subs, x := s.bound(t, "13800000061", `"Expiration":"`+expIn(2*time.Minute)+`"`)
	clk.Add(3 * time.Minute)
	a := s.do(t, "POST", httpapi.RouteUpdate, body(`"SubsId":"`+subs+`"`, `"PhoneNoX":"`+x+`"`, `"OperateType":"updateExpire"`, `"Expiration":"`+expIn(time.Hour)+`"`))
	if a.status != 422 || a.str("Code") != "isv.FORBIDDEN_ACTION" {
		t.Errorf("update of an expired binding: %d %s, want 422 isv.FORBIDDEN_ACTION", a.status, a.raw)
	}
	q := s.do(t, "POST", httpapi.RouteQuery, body(`"SubsId":"`+subs+`"`, `"PhoneNoX":"`+x+`"`))
	if d, _ := q.body["SecretBindDetailDTO"].(map[string]any); d["Status"] != 0.0 {
		t.Errorf("query of an expired binding: %s, want Status 0", q.raw)
	}
}

// TestUpdateAsrAndRingConfig: updateAsr turns speech recognition on with a
// listed model and off again, and RingConfig may come with any update, as
// the vendor's UpdateSubscription page lists them (the binder refused both).
func TestUpdateAsrAndRingConfig(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	subs, x := s.bound(t, "13800000071")
	id := []string{`"SubsId":"` + subs + `"`, `"PhoneNoX":"` + x + `"`}
	on := s.do(t, "POST", httpapi.RouteUpdate, body(append(id, `"OperateType":"updateAsr"`, `"ASRStatus":true`, `"ASRModelId":"9b4afe3d224e4fa3bf963697113e2f77"`)...))
	q := s.do(t, "POST", httpapi.RouteQuery, body(id...))
	d, _ := q.body["SecretBindDetailDTO"].(map[string]any)
	if on.status != 200 || d["ASRStatus"] != true || d["ASRModelId"] != "9b4afe3d224e4fa3bf963697113e2f77" {
		t.Fatalf("updateAsr on: %d %s; query %s", on.status, on.raw, q.raw)
	}
	off := s.do(t, "POST", httpapi.RouteUpdate, body(append(id, `"OperateType":"updateAsr"`, `"ASRStatus":false`, `"RingConfig":{"AXGRing_A":"10000001"}`)...))
	q = s.do(t, "POST", httpapi.RouteQuery, body(id...))
	d, _ = q.body["SecretBindDetailDTO"].(map[string]any)
	if off.status != 200 || d["ASRStatus"] != false {
		t.Fatalf("updateAsr off, with a RingConfig: %d %s; query %s", off.status, off.raw, q.raw)
	}
}

// TestGroupLimitIsSaid: a group/create the upstream refuses as forbidden
// — what it answers a pool of 2,000 groups — names the vendor's limit.
func TestGroupLimitIsSaid(t *testing.T) {
	t.Parallel()
	s := newSetup(t, options{})
	s.emu.Inject(emulator.Fault{Action: "CreateAxgGroup", Code: "isv.FORBIDDEN_ACTION", Message: "the pool holds 2000 groups already"})
	a := s.do(t, "POST", httpapi.RouteGroupCreate, body(`"Name":"one too many"`, `"Numbers":["13900000031"]`))
	if a.status != 422 || a.str("Code") != "isv.FORBIDDEN_ACTION" || !strings.Contains(a.str("Message"), core.MaxGroupsNote) {
		t.Fatalf("%d %s", a.status, a.raw)
	}
}
