package validate

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core"
)

// now is the injected clock: 2026-11-23 12:00:00 in China Standard Time.
var now = time.Date(2026, 11, 23, 12, 0, 0, 0, CST)

func clock() time.Time { return now }

func exp(d time.Duration) string { return now.Add(d).Format(ExpirationLayout) }

func TestNormalizeNumber(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"13900000000", "13900000000"},
		{"139 0000 0000", "13900000000"},
		{"139-0000-0000", "13900000000"},
		{"+86 139 0000 0000", "13900000000"},
		{"+8613900000000", "13900000000"},
		{"8613900000000", "13900000000"},
		{"+86 571 8888 8888", "057188888888"},
		{"+86-10-1234-5678", "01012345678"},
		{"0571-88888888", "057188888888"},
		{"+86 0571 88888888", "057188888888"},
		{"861390000000", "861390000000"}, // 12 digits: not an 86-prefixed mobile
		// After +86, a number starting with 1 is a mobile (Beijing's 10 aside):
		// a mobile short of a digit, or not 1[3-9], stays one and fails as one.
		{"+86 138 0013 800", "1380013800"},
		{"+86 12345678901", "12345678901"},
		{"+86 10 8888 8888", "01088888888"},
		{"+86 21 6666 6666", "02166666666"},
		{"", ""},
	} {
		if got := NormalizeNumber(c.in); got != c.want {
			t.Errorf("NormalizeNumber(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"13900000000": true, "19900000000": true, "15000000000": true,
		"12900000000": false, "1390000000": false, "139000000000": false, "1390000000a": false,
		"057188888888": true, "01012345678": true, "0101234567": true, "0571888888": true,
		"0012345678": false, "057188888": false, "0571888888888": false, "": false, "+8613900000000": false,
	} {
		if got := IsNumber(s); got != want {
			t.Errorf("IsNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

// valid is a BindAxg body with every field set and right.
func valid() map[string]any {
	return map[string]any{
		"PoolKey": "FC123456", "PhoneNoA": "15000000000", "GroupId": 1234, "PhoneNoB": "15800000000",
		"PhoneNoX": "17000000000", "ExpectCity": "北京", "Expiration": exp(time.Hour), "IsRecordingEnabled": false,
		"OutId": "abcdef", "OutOrderId": "20230427000677", "CallDisplayType": 1,
		"RingConfig": map[string]string{"AXGRing_A": "10000001"}, "ASRStatus": true,
		"ASRModelId": "7ee372834d2f4cc7ac0d0ab2d0ae1aac", "CallRestrict": "CONTROL_AX_DISABLE",
	}
}

func body(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBindRules(t *testing.T) {
	v := New(clock, 1000)
	for _, c := range []struct {
		name  string
		set   map[string]any // fields to change; nil value deletes
		code  core.Code      // "" means valid
		field string         // the first field named
	}{
		{"all fields valid", nil, "", ""},
		{"only required fields", map[string]any{"PhoneNoB": nil, "PhoneNoX": nil, "ExpectCity": nil, "IsRecordingEnabled": nil, "OutId": nil, "OutOrderId": nil, "CallDisplayType": nil, "RingConfig": nil, "ASRStatus": nil, "ASRModelId": nil, "CallRestrict": nil}, "", ""},
		{"PoolKey missing", map[string]any{"PoolKey": nil}, core.CodeInvalidParameters, "PoolKey"},
		{"PoolKey blank", map[string]any{"PoolKey": "  "}, core.CodeInvalidParameters, "PoolKey"},
		{"PoolKey not a string", map[string]any{"PoolKey": true}, core.CodeInvalidParameters, "PoolKey"},
		{"PhoneNoA missing", map[string]any{"PhoneNoA": nil}, core.CodeInvalidParameters, "PhoneNoA"},
		{"PhoneNoA malformed", map[string]any{"PhoneNoA": "1500000000"}, core.CodeMobileIllegal, "PhoneNoA"},
		{"PhoneNoA as a number", map[string]any{"PhoneNoA": 15000000000}, "", ""},
		{"PhoneNoA decorated", map[string]any{"PhoneNoA": "+86 150-0000-0000"}, "", ""},
		{"PhoneNoA fixed line", map[string]any{"PhoneNoA": "057188888888"}, "", ""},
		{"PhoneNoA wrong type", map[string]any{"PhoneNoA": []int{1}}, core.CodeInvalidParameters, "PhoneNoA"},
		{"GroupId missing", map[string]any{"GroupId": nil}, core.CodeInvalidParameters, "GroupId"},
		{"GroupId as string", map[string]any{"GroupId": "1234"}, "", ""},
		{"GroupId not digits", map[string]any{"GroupId": "12a4"}, core.CodeInvalidParameters, "GroupId"},
		{"GroupId zero", map[string]any{"GroupId": 0}, core.CodeInvalidParameters, "GroupId"},
		{"GroupId negative", map[string]any{"GroupId": -3}, core.CodeInvalidParameters, "GroupId"},
		{"GroupId fraction", map[string]any{"GroupId": 12.5}, core.CodeInvalidParameters, "GroupId"},
		{"GroupId past int64", map[string]any{"GroupId": "99999999999999999999"}, core.CodeInvalidParameters, "GroupId"},
		{"PhoneNoB malformed", map[string]any{"PhoneNoB": "158"}, core.CodeMobileIllegal, "PhoneNoB"},
		{"PhoneNoX malformed", map[string]any{"PhoneNoX": "0001234567"}, core.CodeMobileIllegal, "PhoneNoX"},
		{"ExpectCity with suffix is trimmed", map[string]any{"ExpectCity": "北京市"}, "", ""},
		{"ExpectCity with digits", map[string]any{"ExpectCity": "北京1"}, core.CodeInvalidParameters, "ExpectCity"},
		{"ExpectCity too long", map[string]any{"ExpectCity": strings.Repeat("京", 33)}, core.CodeInvalidParameters, "ExpectCity"},
		{"Expiration missing", map[string]any{"Expiration": nil}, core.CodeInvalidParameters, "Expiration"},
		{"Expiration malformed", map[string]any{"Expiration": "2026-12-01T12:00:00"}, core.CodeExpireDateIllegal, "Expiration"},
		{"Expiration date only", map[string]any{"Expiration": "2026-12-01"}, core.CodeExpireDateIllegal, "Expiration"},
		{"Expiration in the past", map[string]any{"Expiration": exp(-time.Hour)}, core.CodeExpireDateIllegal, "Expiration"},
		{"Expiration exactly one minute ahead", map[string]any{"Expiration": exp(time.Minute)}, core.CodeExpireDateIllegal, "Expiration"},
		{"Expiration one minute and a second ahead", map[string]any{"Expiration": exp(time.Minute + time.Second)}, "", ""},
		{"Expiration read in UTC+8, not UTC", map[string]any{"Expiration": now.UTC().Add(2 * time.Minute).Format(ExpirationLayout)}, core.CodeExpireDateIllegal, "Expiration"},
		{"IsRecordingEnabled not a boolean", map[string]any{"IsRecordingEnabled": "yes"}, core.CodeInvalidParameters, "IsRecordingEnabled"},
		{"IsRecordingEnabled as string true", map[string]any{"IsRecordingEnabled": "true"}, "", ""},
		{"OutId as a number", map[string]any{"OutId": 12345}, "", ""},
		{"OutOrderId wrong type", map[string]any{"OutOrderId": map[string]int{}}, core.CodeInvalidParameters, "OutOrderId"},
		{"CallDisplayType 2", map[string]any{"CallDisplayType": 2}, core.CodeInvalidParameters, "CallDisplayType"},
		{"CallDisplayType not a number", map[string]any{"CallDisplayType": true}, core.CodeInvalidParameters, "CallDisplayType"},
		{"RingConfig as a string", map[string]any{"RingConfig": `{"AXGRing_G": "10000002"}`}, "", ""},
		{"RingConfig unknown key", map[string]any{"RingConfig": map[string]string{"AXGRing_X": "1"}}, core.CodeInvalidParameters, "RingConfig"},
		{"RingConfig empty value", map[string]any{"RingConfig": map[string]string{"AXGRing_A": ""}}, core.CodeInvalidParameters, "RingConfig"},
		{"RingConfig value not a string", map[string]any{"RingConfig": map[string]int{"AXGRing_A": 1}}, core.CodeInvalidParameters, "RingConfig"},
		{"RingConfig empty object", map[string]any{"RingConfig": map[string]string{}}, core.CodeInvalidParameters, "RingConfig"},
		{"RingConfig string not JSON", map[string]any{"RingConfig": "AXGRing_A=1"}, core.CodeInvalidParameters, "RingConfig"},
		{"RingConfig an array", map[string]any{"RingConfig": []string{"a"}}, core.CodeInvalidParameters, "RingConfig"},
		{"ASRStatus wrong type", map[string]any{"ASRStatus": 1}, core.CodeInvalidParameters, "ASRStatus"},
		{"ASRModelId short", map[string]any{"ASRModelId": "7ee372834d2f"}, core.CodeInvalidParameters, "ASRModelId"},
		{"ASRModelId not hex", map[string]any{"ASRModelId": strings.Repeat("z", 32)}, core.CodeInvalidParameters, "ASRModelId"},
		{"CallRestrict unknown", map[string]any{"CallRestrict": "CONTROL_ALL"}, core.CodeInvalidParameters, "CallRestrict"},
		{"unknown field", map[string]any{"PhoneNoC": "15800000000"}, core.CodeInvalidParameters, "PhoneNoC"},
		{"field names match case-insensitively", map[string]any{"PhoneNoB": nil, "phonenob": "15800000000"}, "", ""},
		{"several broken: code of the first in upstream order", map[string]any{"CallRestrict": "x", "Expiration": "soon", "PhoneNoB": "1"}, core.CodeMobileIllegal, "PhoneNoB"},
		{"missing before malformed", map[string]any{"PhoneNoA": nil, "PhoneNoB": "1"}, core.CodeInvalidParameters, "PhoneNoA"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := valid()
			for k, val := range c.set {
				if val == nil {
					delete(m, k)
				} else {
					m[k] = val
				}
			}
			_, e := v.DecodeBind(body(t, m), "")
			if c.code == "" {
				if e != nil {
					t.Fatalf("want valid, got %v (%+v)", e, e.Fields)
				}
				return
			}
			if e == nil {
				t.Fatalf("want %s on %s, got valid", c.code, c.field)
			}
			if e.Code != c.code || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
				t.Fatalf("got %s %+v, want %s first on %s", e.Code, e.Fields, c.code, c.field)
			}
			if !strings.Contains(e.Message, c.field+": ") {
				t.Errorf("message %q does not name %s", e.Message, c.field)
			}
		})
	}
}

func TestBindNamesEveryBrokenField(t *testing.T) {
	m := valid()
	m["PhoneNoA"], m["GroupId"], m["CallRestrict"] = "1", "x", "y"
	_, e := New(clock, 10).DecodeBind(body(t, m), "")
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Field)
	}
	if strings.Join(got, ",") != "PhoneNoA,GroupId,CallRestrict" {
		t.Fatalf("fields = %v", got)
	}
}

func TestBindNormalises(t *testing.T) {
	m := valid()
	m["PhoneNoA"], m["PhoneNoB"], m["ExpectCity"], m["GroupId"] = "+86 571 8888 8888", "8615800000000", "上海市", " 1234 "
	m["RingConfig"] = "{ \"AXGRing_A\" : \"1\" }"
	req, e := New(clock, 10).DecodeBind(body(t, m), "")
	if e != nil {
		t.Fatal(e)
	}
	if req.PhoneNoA != "057188888888" || req.PhoneNoB != "15800000000" || req.ExpectCity != "上海" || req.GroupId != "1234" || req.RingConfig != `{"AXGRing_A":"1"}` {
		t.Fatalf("normalised = %+v", req)
	}
	if req.PoolKey != "FC123456" || *req.CallDisplayType != 1 || *req.ASRStatus != true || *req.IsRecordingEnabled != false {
		t.Fatalf("decoded = %+v", req)
	}
}

func TestBindRequestLevel(t *testing.T) {
	v := New(clock, 10)
	for name, b := range map[string]string{
		"not JSON":        `PoolKey=FC123456`,
		"an array":        `[{"PoolKey":"FC123456"}]`,
		"broken JSON":     `{"PoolKey":`,
		"trailing data":   `{"PoolKey":"FC"} {}`,
		"empty":           ``,
		"a JSON string":   `"hello"`,
		"a JSON null":     `null`,
		"object then not": `{"PoolKey":"x"`,
	} {
		_, e := v.DecodeBind([]byte(b), "")
		if e == nil || e.Code != core.CodeInvalidParameters || len(e.Fields) != 0 {
			t.Errorf("%s: got %+v, want a request-level isv.INVALID_PARAMETERS", name, e)
		}
	}
}

func TestBatch(t *testing.T) {
	v := New(clock, 3)
	good := func(a string) string {
		return `{"PhoneNoA":"` + a + `","GroupId":1234,"Expiration":"` + exp(time.Hour) + `"}`
	}
	req, e := v.DecodeBatch([]byte(`{"PoolKey":"FC123456","AxgBindList":[`+good("139 0000 0001")+`, 42, {"PhoneNoA":"1","GroupId":"x","Expiration":"`+exp(time.Hour)+`","PoolKey":"p"}]}`), "")
	if e != nil {
		t.Fatal(e)
	}
	if len(req.Items) != 3 || req.PoolKey != "FC123456" {
		t.Fatalf("items = %+v", req.Items)
	}
	if it := req.Items[0]; it.Err != nil || it.PhoneNoA != "13900000001" || it.GroupId != "1234" {
		t.Errorf("item 0 = %+v", it)
	}
	if it := req.Items[1]; it.Err == nil || it.Err.Fields[0].Field != "AxgBindList[1]" || it.PhoneNoA != "" {
		t.Errorf("item 1 = %+v", it)
	}
	it := req.Items[2]
	if it.Err == nil || it.Err.Code != core.CodeMobileIllegal || it.PhoneNoA != "1" || it.GroupId != "x" {
		t.Fatalf("item 2 = %+v", it)
	}
	for _, f := range []string{"AxgBindList[2].PoolKey", "AxgBindList[2].PhoneNoA", "AxgBindList[2].GroupId"} {
		if !strings.Contains(it.Err.Message, f) {
			t.Errorf("item 2 message %q does not name %s", it.Err.Message, f)
		}
	}

	// The upstream's own form: AxgBindList as a JSON-encoded string.
	inner, _ := json.Marshal("[" + good("13900000002") + "]")
	req, e = v.DecodeBatch([]byte(`{"PoolKey":"FC123456","AxgBindList":`+string(inner)+`}`), "")
	if e != nil || len(req.Items) != 1 || req.Items[0].Err != nil {
		t.Fatalf("string AxgBindList: %v %+v", e, req.Items)
	}
}

func TestBatchRequestLevel(t *testing.T) {
	v := New(clock, 2)
	item := `{"PhoneNoA":"13900000001","GroupId":1,"Expiration":"` + exp(time.Hour) + `"}`
	for name, c := range map[string]struct{ body, field, message string }{
		"not JSON":           {`nope`, "", ""},
		"an array":           {`[` + item + `]`, "", ""},
		"unknown field":      {`{"PoolKey":"FC","AxgBindList":[` + item + `],"Extra":1}`, "", ""},
		"no PoolKey":         {`{"AxgBindList":[` + item + `]}`, "PoolKey", msgRequired},
		"no AxgBindList":     {`{"PoolKey":"FC"}`, "AxgBindList", msgRequired},
		"AxgBindList null":   {`{"PoolKey":"FC","AxgBindList":null}`, "AxgBindList", msgRequired},
		"AxgBindList object": {`{"PoolKey":"FC","AxgBindList":` + item + `}`, "AxgBindList", "must be a JSON array of BindAxg items"},
		"no items":           {`{"PoolKey":"FC","AxgBindList":[]}`, "AxgBindList", "must hold at least one item"},
		"over the limit":     {`{"PoolKey":"FC","AxgBindList":[` + item + `,` + item + `,` + item + `]}`, "AxgBindList", "holds 3 items; at most 2 are accepted in one batch-bind"},
	} {
		_, e := v.DecodeBatch([]byte(c.body), "")
		if e == nil || e.Code != core.CodeInvalidParameters {
			t.Errorf("%s: got %+v, want isv.INVALID_PARAMETERS", name, e)
			continue
		}
		if c.field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != c.field) {
			t.Errorf("%s: fields %+v, want %s", name, e.Fields, c.field)
		}
		if c.message != "" && (len(e.Fields) == 0 || e.Fields[0].Message != c.message) {
			t.Errorf("%s: fields %+v, want the message %q", name, e.Fields, c.message)
		}
	}
}

func TestItemValidatesBuiltItems(t *testing.T) {
	it := core.Item{PhoneNoA: "139 0000 0000", GroupId: "1", Expiration: exp(2 * time.Minute), RingConfig: "{}"}
	e := New(clock, 1).Check(&it, "row 7.")
	if e == nil || e.Fields[0].Field != "row 7.RingConfig" || it.PhoneNoA != "13900000000" {
		t.Fatalf("got %+v, item %+v", e, it)
	}
}

// TestInvalidUTF8IsRefused: bytes that are not UTF-8 are a 400 wherever they
// stand, whatever else the string holds (an escape elsewhere in it sent the
// value down another decoding path, which replaced them; without one, they
// were forwarded raw).
func TestInvalidUTF8IsRefused(t *testing.T) {
	v := New(clock, 10)
	good := `"PhoneNoA":"13800000000","GroupId":1,"Expiration":"` + exp(time.Hour) + `"`
	for _, body := range []string{
		`{"PoolKey":"FC1",` + good + `,"OutId":"A` + "\xff\xfe" + `B"}`,
		`{"PoolKey":"FC1",` + good + `,"OutId":"A` + "\xff" + `\n"}`,
		`{"PoolKey":"FC1",` + good + `,"OutOrderId":"\u00e9` + "\xc3" + `"}`,
	} {
		if _, e := v.DecodeBind([]byte(body), ""); e == nil || !strings.Contains(e.Message, "not valid UTF-8") {
			t.Errorf("bind %q: %v", body, e)
		}
		batch := `{"PoolKey":"FC1","AxgBindList":[` + strings.TrimPrefix(body, `{"PoolKey":"FC1",`) + `]}`
		if _, e := v.DecodeBatch([]byte(batch), ""); e == nil || !strings.Contains(e.Message, "not valid UTF-8") {
			t.Errorf("batch %q: %v", batch, e)
		}
		if _, _, _, e := v.DecodeMessage([]byte(body), ""); e == nil {
			t.Errorf("message %q accepted", body)
		}
		if _, e := v.DecodeLine([]byte(body), ""); e == nil {
			t.Errorf("line %q accepted", body)
		}
	}
	if _, e := v.DecodeCells(map[string]string{"PhoneNoA": "13800000000", "GroupId": "1", "Expiration": exp(time.Hour), "OutId": "A\xffB"}, "FC1"); e == nil || !strings.Contains(e.Message, "OutId cell") {
		t.Errorf("cells: %v", e)
	}
}

// TestRepeatedKeysAreRefused: a body that gives a field twice is refused, as
// which value is meant cannot be told (the first AxgBindList was dropped).
func TestRepeatedKeysAreRefused(t *testing.T) {
	v := New(clock, 10)
	item := `{"PhoneNoA":"13800000000","GroupId":1,"Expiration":"` + exp(time.Hour) + `"}`
	for _, body := range []string{
		`{"PoolKey":"FC1","AxgBindList":[` + item + `],"AxgBindList":[` + item + `]}`,
		`{"PoolKey":"FC1","PoolKey":"FC2","AxgBindList":[` + item + `]}`,
		`{"PoolKey":"FC1","axgbindlist":[` + item + `],"AxgBindList":[` + item + `]}`,
	} {
		if _, e := v.DecodeBatch([]byte(body), ""); e == nil || !strings.Contains(e.Message, "more than once") {
			t.Errorf("%s: %v", body, e)
		}
	}
	req, e := v.DecodeBatch([]byte(`{"PoolKey":"FC1","AxgBindList":[{"PhoneNoA":"13800000000","PhoneNoA":"13900000000","GroupId":1,"Expiration":"`+exp(time.Hour)+`"},`+item+`]}`), "")
	if e != nil || req.Items[0].Err == nil || !strings.Contains(req.Items[0].Err.Message, "PhoneNoA: is given more than once") || req.Items[1].Err != nil {
		t.Errorf("a repeated field in an item: %+v %v", req, e)
	}
	if _, e := v.DecodeBind([]byte(`{"PoolKey":"FC1","PhoneNoA":"13800000000","phonenoa":"13900000000","GroupId":1,"Expiration":"`+exp(time.Hour)+`"}`), ""); e == nil {
		t.Error("a repeated field in a bind accepted")
	}
}

// TestTextThatIsNotText: a lone UTF-16 surrogate (which encoding/json turns
// into U+FFFD without a word) or a NUL is refused, naming the field, on
// every path; a surrogate pair and an escaped backslash are text.
func TestTextThatIsNotText(t *testing.T) {
	v := New(clock, 10)
	good := `"PhoneNoA":"13800000000","GroupId":1,"Expiration":"` + exp(time.Hour) + `"`
	for _, c := range []struct{ value, why string }{
		{`\ud800`, "lone UTF-16 surrogate (\\ud800)"},
		{`A\udc00B`, "lone UTF-16 surrogate (\\udc00)"},
		{`\ud800\u0041`, "lone UTF-16 surrogate (\\ud800)"},
		{`\uD83D`, "lone UTF-16 surrogate (\\uD83D)"},
		{`x\u0000`, "NUL"},
	} {
		body := `{"PoolKey":"FC1",` + good + `,"OutId":"` + c.value + `"}`
		_, e := v.DecodeBind([]byte(body), "")
		if e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "OutId" || !strings.Contains(e.Fields[0].Message, c.why) {
			t.Errorf("bind %s: %+v", c.value, e)
		}
		batch := `{"PoolKey":"FC1","AxgBindList":[{` + good + `,"OutOrderId":"` + c.value + `"}]}`
		if b, e := v.DecodeBatch([]byte(batch), ""); e != nil || b.Items[0].Err == nil || b.Items[0].Err.Fields[0].Field != "AxgBindList[0].OutOrderId" {
			t.Errorf("batch %s: %+v %+v", c.value, e, b.Items)
		}
		if _, _, _, e := v.DecodeMessage([]byte(body), ""); e == nil {
			t.Errorf("message %s accepted", c.value)
		}
		if _, e := v.DecodeLine([]byte(body), ""); e == nil {
			t.Errorf("line %s accepted", c.value)
		}
		if _, e := v.DecodeGroupCreate([]byte(`{"PoolKey":"FC1","Name":"g`+c.value+`"}`), ""); e == nil || e.Fields[0].Field != "Name" {
			t.Errorf("group name %s: %+v", c.value, e)
		}
		if _, e := v.DecodeBind([]byte(`{"PoolKey":"FC`+c.value+`",`+good+`}`), ""); e == nil || e.Fields[0].Field != "PoolKey" {
			t.Errorf("PoolKey %s: %+v", c.value, e)
		}
	}
	for value, want := range map[string]string{`\ud83d\ude00`: "😀", `a\\u0000`: `a\u0000`, `\u00e9`: "é"} {
		r, e := v.DecodeBind([]byte(`{"PoolKey":"FC1",`+good+`,"OutId":"`+value+`"}`), "")
		if e != nil || r.OutId != want {
			t.Errorf("%s: %q %v, want %q", value, r.OutId, e, want)
		}
	}
	if _, e := v.DecodeCells(map[string]string{"PhoneNoA": "13800000000", "GroupId": "1", "Expiration": exp(time.Hour), "OutId": "A\x00B"}, "FC1"); e == nil || e.Fields[0].Field != "OutId" || !strings.Contains(e.Fields[0].Message, "NUL") {
		t.Errorf("a cell with NUL: %+v", e)
	}
}

// TestDidYouMean: an unknown field close to one of the form's says which
// was likely meant; one near none says only that it is unknown.
func TestDidYouMean(t *testing.T) {
	v := New(nil, 1000)
	for name, want := range map[string]string{
		"PhoneB":     "did you mean PhoneNoB?",
		"phone_no_a": "did you mean PhoneNoA?",
		"Expiry":     "",
		"Colour":     "",
	} {
		_, e := v.DecodeBind([]byte(`{"PoolKey":"FC1","PhoneNoA":"13800000000","GroupId":1,"Expiration":"2099-01-01 00:00:00","`+name+`":"x"}`), "")
		if e == nil || len(e.Fields) == 0 || e.Fields[0].Field != name {
			t.Fatalf("%s: %+v", name, e)
		}
		msg := e.Fields[0].Message
		if want != "" && !strings.HasSuffix(msg, want) || want == "" && strings.Contains(msg, "did you mean") {
			t.Errorf("%s: %q, want %q", name, msg, want)
		}
	}
}
