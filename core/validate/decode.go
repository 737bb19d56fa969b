package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/axg-binder/binder/core"
)

// rawItem holds each field's JSON as sent, so that a wrong type fails that
// field alone and every field's problem can be named at once.
type rawItem struct {
	PoolKey            json.RawMessage
	PhoneNoA           json.RawMessage
	GroupId            json.RawMessage
	PhoneNoB           json.RawMessage
	PhoneNoX           json.RawMessage
	ExpectCity         json.RawMessage
	Expiration         json.RawMessage
	IsRecordingEnabled json.RawMessage
	OutId              json.RawMessage
	OutOrderId         json.RawMessage
	CallDisplayType    json.RawMessage
	RingConfig         json.RawMessage
	ASRStatus          json.RawMessage
	ASRModelId         json.RawMessage
	CallRestrict       json.RawMessage
}

// Bind decodes and validates a BindAxg request body. A body that is not a JSON
// object is one error without fields; otherwise every broken field is named.
func (v *Validator) Bind(body []byte) (core.BindRequest, *core.Error) {
	var req core.BindRequest
	if !isObject(body) {
		return req, core.Errorf(core.CodeInvalidParameters, "body must be a JSON object (a BindAxg request)")
	}
	var raw rawItem
	issues, err := decodeRaw(body, &raw, "")
	if err != nil {
		return req, core.Errorf(core.CodeInvalidParameters, "body is not valid JSON: "+err.Error())
	}
	var pool string
	pool, issues = poolKey(raw.PoolKey, issues)
	req.PoolKey = pool
	issues = convert(&raw, &req.Item, "", issues)
	issues = v.check(&req.Item, "", issues)
	return req, finish(issues)
}

// Batch decodes a BindBatchAxg request body. Only a body that is not a JSON
// object, an AxgBindList that is not an array, a missing or broken PoolKey, no
// items or too many are request-level errors; every problem inside an element
// stays with that element, which is answered without being sent.
func (v *Validator) Batch(body []byte) (core.BatchRequest, *core.Error) {
	var req core.BatchRequest
	if !isObject(body) {
		return req, core.Errorf(core.CodeInvalidParameters, "body must be a JSON object: {\"PoolKey\": ..., \"AxgBindList\": [...]}")
	}
	var top struct {
		PoolKey     json.RawMessage
		AxgBindList json.RawMessage
	}
	if err := strictDecode(body, &top); err != nil {
		return req, core.Errorf(core.CodeInvalidParameters, "body: "+err.Error())
	}
	pool, issues := poolKey(top.PoolKey, nil)
	if e := finish(issues); e != nil {
		return req, e
	}
	req.PoolKey = pool
	list := bytes.TrimSpace(top.AxgBindList)
	if len(list) > 0 && list[0] == '"' {
		// The upstream takes AxgBindList as a JSON-encoded string; accept that too.
		var s string
		if json.Unmarshal(list, &s) == nil {
			list = bytes.TrimSpace([]byte(s))
		}
	}
	var elems []json.RawMessage
	if len(list) == 0 || string(list) == "null" {
		return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList", Message: msgRequired}})
	}
	if list[0] != '[' || json.Unmarshal(list, &elems) != nil {
		return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList", Message: "must be a JSON array of BindAxg items"}})
	}
	switch {
	case len(elems) == 0:
		return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList", Message: "must hold at least one item"}})
	case len(elems) > v.maxItems:
		return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList",
			Message: "holds " + strconv.Itoa(len(elems)) + " items; at most " + strconv.Itoa(v.maxItems) + " are accepted in one batch-bind"}})
	}
	req.Items = make([]core.BatchItem, len(elems))
	for i, el := range elems {
		req.Items[i] = v.batchItem(el, "AxgBindList["+strconv.Itoa(i)+"]")
	}
	return req, nil
}

func (v *Validator) batchItem(el json.RawMessage, path string) core.BatchItem {
	var bi core.BatchItem
	if !isObject(el) {
		bi.Err = core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: path, Message: "must be a JSON object (a BindAxg item)"}})
		return bi
	}
	var raw rawItem
	issues, _ := decodeRaw(el, &raw, path+".") // el is valid JSON: it came out of the array
	if raw.PoolKey != nil {
		issues = append(issues, issue{core.FieldError{Field: path + ".PoolKey", Message: "belongs to the request, not to an item"}, core.CodeInvalidParameters})
	}
	issues = convert(&raw, &bi.Item, path+".", issues)
	issues = v.check(&bi.Item, path+".", issues)
	bi.PhoneNoA, bi.GroupId = bi.Item.PhoneNoA, bi.Item.GroupId
	if bi.PhoneNoA == "" && len(raw.PhoneNoA) > 0 && string(raw.PhoneNoA) != "null" {
		bi.PhoneNoA = string(raw.PhoneNoA) // not a string: echoed as given
	}
	bi.Err = finish(issues)
	return bi
}

// decodeRaw decodes an object into raw. An unknown field becomes an issue and
// the rest is still decoded; anything else is a syntax error.
func decodeRaw(data []byte, raw *rawItem, prefix string) ([]issue, error) {
	err := strictDecode(data, raw)
	if err == nil {
		return nil, nil
	}
	name, unknown := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !unknown {
		return nil, err
	}
	*raw = rawItem{}
	if err := json.Unmarshal(data, raw); err != nil {
		return nil, err
	}
	name, _ = strconv.Unquote(name)
	return []issue{{core.FieldError{Field: prefix + name, Message: "is not a BindAxg field"}, core.CodeInvalidParameters}}, nil
}

// strictDecode decodes one JSON value, refusing unknown fields and trailing data.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) != 0 {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

func poolKey(raw json.RawMessage, issues []issue) (string, []issue) {
	s, ok := text(raw)
	s = strings.TrimSpace(s)
	switch {
	case !ok:
		return "", append(issues, issue{core.FieldError{Field: "PoolKey", Message: "must be a string"}, core.CodeInvalidParameters})
	case s == "":
		return "", append(issues, issue{core.FieldError{Field: "PoolKey", Message: msgRequired}, core.CodeInvalidParameters})
	}
	return s, issues
}

// convert moves raw into it, turning each JSON-type mismatch into an issue.
func convert(raw *rawItem, it *core.Item, prefix string, issues []issue) []issue {
	bad := func(field, msg string) {
		issues = append(issues, issue{core.FieldError{Field: prefix + field, Message: msg}, core.CodeInvalidParameters})
	}
	strs := []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{
		{"PhoneNoA", raw.PhoneNoA, &it.PhoneNoA}, {"GroupId", raw.GroupId, &it.GroupId},
		{"PhoneNoB", raw.PhoneNoB, &it.PhoneNoB}, {"PhoneNoX", raw.PhoneNoX, &it.PhoneNoX},
		{"ExpectCity", raw.ExpectCity, &it.ExpectCity}, {"Expiration", raw.Expiration, &it.Expiration},
		{"OutId", raw.OutId, &it.OutId}, {"OutOrderId", raw.OutOrderId, &it.OutOrderId},
		{"ASRModelId", raw.ASRModelId, &it.ASRModelId}, {"CallRestrict", raw.CallRestrict, &it.CallRestrict},
	}
	for _, f := range strs {
		s, ok := text(f.raw)
		if !ok {
			bad(f.name, "must be a string")
		}
		*f.dst = s
	}
	var ok bool
	if it.IsRecordingEnabled, ok = boolean(raw.IsRecordingEnabled); !ok {
		bad("IsRecordingEnabled", "must be true or false")
	}
	if it.ASRStatus, ok = boolean(raw.ASRStatus); !ok {
		bad("ASRStatus", "must be true or false")
	}
	if it.CallDisplayType, ok = integer(raw.CallDisplayType); !ok {
		bad("CallDisplayType", "must be a whole number (the only accepted value is 1)")
	}
	if it.RingConfig, ok = object(raw.RingConfig); !ok {
		bad("RingConfig", "must be a JSON object, or a string holding one")
	}
	return issues
}

func absent(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// text accepts a JSON string, or a number kept as written (people write phone
// numbers and group IDs as numbers).
func text(raw json.RawMessage) (string, bool) {
	switch {
	case absent(raw):
		return "", true
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err == nil
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return string(raw), true
	}
	return "", false
}

// boolean accepts a JSON boolean, or the strings "true" and "false".
func boolean(raw json.RawMessage) (*bool, bool) {
	var t bool
	switch string(raw) {
	case "", "null":
		return nil, true
	case "true", `"true"`:
		t = true
	case "false", `"false"`:
	default:
		return nil, false
	}
	return &t, true
}

// integer accepts a JSON whole number, or a string of digits.
func integer(raw json.RawMessage) (*int, bool) {
	if absent(raw) {
		return nil, true
	}
	s := string(raw)
	if raw[0] == '"' {
		s = strings.Trim(s, `"`)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, false
	}
	return &n, true
}

// object accepts a JSON object (kept as compact JSON text) or a string.
func object(raw json.RawMessage) (string, bool) {
	switch {
	case absent(raw):
		return "", true
	case raw[0] == '{':
		return string(raw), true // compacted by Normalize
	case raw[0] == '"':
		return text(raw)
	}
	return "", false
}
