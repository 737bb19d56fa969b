package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/axg-binder/binder/core"
)

// rawItem is one BindAxg object as sent; each field converts itself.
type rawItem struct {
	PoolKey            textField
	PhoneNoA           textField
	GroupId            textField
	PhoneNoB           textField
	PhoneNoX           textField
	ExpectCity         textField
	Expiration         textField
	IsRecordingEnabled boolField
	OutId              textField
	OutOrderId         textField
	CallDisplayType    intField
	RingConfig         objectField
	ASRStatus          boolField
	ASRModelId         textField
	CallRestrict       textField
}

// empty reports whether no field was given: {} or null.
func (r *rawItem) empty() bool { return *r == rawItem{} }

// Bind decodes and validates a BindAxg request body. A body that is not a JSON
// object is one error without fields; otherwise every broken field is named.
func (v *Validator) Bind(body []byte) (core.BindRequest, *core.Error) { return v.bind(body, true) }

// bind is Bind, with or without the scanner (FuzzBind compares the two).
func (v *Validator) bind(body []byte, tryScan bool) (core.BindRequest, *core.Error) {
	var req core.BindRequest
	if !isObject(body) {
		return req, core.Errorf(core.CodeInvalidParameters, "body must be a JSON object (a BindAxg request)")
	}
	var raw rawItem
	var issues []issue
	if !tryScan || !scanBind(body, &raw) {
		raw = rawItem{}
		var err error
		if issues, err = decodeRaw(body, &raw, ""); err != nil {
			return req, core.Errorf(core.CodeInvalidParameters, "body is not valid JSON: "+err.Error())
		}
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
func (v *Validator) Batch(body []byte) (core.BatchRequest, *core.Error) { return v.batch(body, true) }

// batch is Batch, with or without its fast path (FuzzBatch compares the two).
func (v *Validator) batch(body []byte, tryFast bool) (core.BatchRequest, *core.Error) {
	var req core.BatchRequest
	if !isObject(body) {
		return req, core.Errorf(core.CodeInvalidParameters, "body must be a JSON object: {\"PoolKey\": ..., \"AxgBindList\": [...]}")
	}
	// The fast path is the scanner (scan.go), for the plain shape; a list
	// the scanner gives up on is decoded by encoding/json in one pass, and
	// anything unusual (AxgBindList missing, empty, a string or not an array,
	// an element that is not an object, an unknown field, {} or null) again,
	// element by element, for exact messages.
	// Sized from a count of objects (capped at the limit): growing a slice of
	// rawItems element by element costs more than decoding them.
	raws := make([]rawItem, 0, max(0, min(bytes.Count(body, []byte("{"))-1, v.maxItems+1)))
	var pool textField
	fast := false
	if tryFast {
		raws, fast = scanBatch(body, &pool, raws)
		fast = fast && allSet(raws)
	}
	var elems []json.RawMessage
	if !fast {
		// AxgBindList as raw JSON, not decoded into raws: encoding/json would
		// decode a repeated key's array over the first one's items.
		var top struct {
			PoolKey     textField
			AxgBindList json.RawMessage
		}
		if err := strictDecode(body, &top); err != nil {
			return req, core.Errorf(core.CodeInvalidParameters, "body: "+err.Error())
		}
		pool = top.PoolKey
		list := bytes.TrimSpace(top.AxgBindList)
		if len(list) > 0 && list[0] == '"' {
			// The upstream takes AxgBindList as a JSON-encoded string; accept that too.
			var s string
			if json.Unmarshal(list, &s) == nil {
				list = bytes.TrimSpace([]byte(s))
			}
		}
		if _, issues := poolKey(pool, nil); len(issues) > 0 {
			return req, finish(issues) // the PoolKey is named before the list
		}
		if len(list) == 0 || string(list) == "null" {
			return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList", Message: msgRequired}})
		}
		// encoding/json decodes into the elements already there, without
		// zeroing them: clear what the scanner left.
		raws = raws[:cap(raws)]
		clear(raws)
		raws = raws[:0]
		fast = tryFast && list[0] == '[' && strictDecode(list, &raws) == nil && allSet(raws)
		if !fast {
			if list[0] != '[' || json.Unmarshal(list, &elems) != nil {
				return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList", Message: "must be a JSON array of BindAxg items"}})
			}
		}
	}
	p, issues := poolKey(pool, nil)
	if len(issues) > 0 {
		return req, finish(issues)
	}
	req.PoolKey = p
	n := len(elems)
	if fast {
		n = len(raws)
	}
	switch {
	case n == 0:
		return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList", Message: "must hold at least one item"}})
	case n > v.maxItems:
		return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList",
			Message: "holds " + strconv.Itoa(n) + " items; at most " + strconv.Itoa(v.maxItems) + " are accepted in one batch-bind"}})
	}
	req.Items = make([]core.BatchItem, n)
	for i := range req.Items {
		if fast {
			req.Items[i] = v.batchRaw(&raws[i], nil, i)
		} else {
			req.Items[i] = v.batchItem(elems[i], i)
		}
	}
	return req, nil
}

// allSet reports whether raws is not empty and no element is {} or null.
func allSet(raws []rawItem) bool {
	for i := range raws {
		if raws[i].empty() {
			return false
		}
	}
	return len(raws) > 0
}

// itemPath names element i; built only when there is something to report.
func itemPath(i int) string { return "AxgBindList[" + strconv.Itoa(i) + "]" }

func (v *Validator) batchItem(el json.RawMessage, i int) core.BatchItem {
	var bi core.BatchItem
	if !isObject(el) {
		bi.Err = core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: itemPath(i), Message: "must be a JSON object (a BindAxg item)"}})
		return bi
	}
	var raw rawItem
	issues, _ := decodeRaw(el, &raw, "") // el is valid JSON: it came out of the array
	return v.batchRaw(&raw, issues, i)
}

// batchRaw converts and checks element i, decoded.
func (v *Validator) batchRaw(raw *rawItem, issues []issue, i int) core.BatchItem {
	var bi core.BatchItem
	if raw.PoolKey.set {
		issues = append(issues, issue{core.FieldError{Field: "PoolKey", Message: "belongs to the request, not to an item"}, core.CodeInvalidParameters})
	}
	issues = convert(raw, &bi.Item, "", issues)
	issues = v.check(&bi.Item, "", issues)
	bi.PhoneNoA, bi.GroupId = bi.Item.PhoneNoA, bi.Item.GroupId
	if raw.PhoneNoA.bad {
		bi.PhoneNoA = raw.PhoneNoA.s // not a string: echoed as given
	}
	if len(issues) > 0 {
		p := itemPath(i) + "."
		for k := range issues {
			issues[k].Field = p + issues[k].Field
		}
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

func poolKey(raw textField, issues []issue) (string, []issue) {
	s := strings.TrimSpace(raw.s)
	switch {
	case raw.bad:
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
	strs := [...]struct {
		name string
		f    *textField
		dst  *string
	}{
		{"PhoneNoA", &raw.PhoneNoA, &it.PhoneNoA}, {"GroupId", &raw.GroupId, &it.GroupId},
		{"PhoneNoB", &raw.PhoneNoB, &it.PhoneNoB}, {"PhoneNoX", &raw.PhoneNoX, &it.PhoneNoX},
		{"ExpectCity", &raw.ExpectCity, &it.ExpectCity}, {"Expiration", &raw.Expiration, &it.Expiration},
		{"OutId", &raw.OutId, &it.OutId}, {"OutOrderId", &raw.OutOrderId, &it.OutOrderId},
		{"ASRModelId", &raw.ASRModelId, &it.ASRModelId}, {"CallRestrict", &raw.CallRestrict, &it.CallRestrict},
	}
	for _, f := range strs {
		if f.f.bad {
			bad(f.name, "must be a string")
			continue
		}
		*f.dst = f.f.s
	}
	if it.IsRecordingEnabled = raw.IsRecordingEnabled.v; raw.IsRecordingEnabled.bad {
		bad("IsRecordingEnabled", "must be true or false")
	}
	if it.ASRStatus = raw.ASRStatus.v; raw.ASRStatus.bad {
		bad("ASRStatus", "must be true or false")
	}
	if it.CallDisplayType = raw.CallDisplayType.v; raw.CallDisplayType.bad {
		bad("CallDisplayType", "must be a whole number (the only accepted value is 1)")
	}
	if it.RingConfig = raw.RingConfig.s; raw.RingConfig.bad {
		bad("RingConfig", "must be a JSON object, or a string holding one")
	}
	return issues
}
