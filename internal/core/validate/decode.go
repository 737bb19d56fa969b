package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/axg-binder/binder/internal/core"
)

// items is BindAxg's form: its fields come from core.ItemFields.
var items = newForm("BindAxg", core.ItemFields())

// member is one member of a JSON object, as sent.
type member struct {
	name  string
	value []byte
}

// members walks a JSON object once, keeping its members in order.
func members(body []byte) ([]member, error) {
	var ms []member
	err := walkObject(body, func(name string, value []byte) { ms = append(ms, member{name, value}) })
	return ms, err
}

// DecodeBind decodes and validates a BindAxg request body whose PoolKey may
// be left to defaultPool ("" when it must be given). A body that is not a
// JSON object is one error without fields; otherwise every broken field is
// named.
func (v *Validator) DecodeBind(body []byte, defaultPool string) (core.BindRequest, *core.Error) {
	return v.decodeBind(body, defaultPool, true)
}

// decodeBind is DecodeBind, with or without the scanner (FuzzBind compares
// the two).
func (v *Validator) decodeBind(body []byte, defaultPool string, tryScan bool) (core.BindRequest, *core.Error) {
	if !isObject(body) {
		return core.BindRequest{}, core.Errorf(core.CodeInvalidParameters, "body must be a JSON object (a BindAxg request)")
	}
	if e := validUTF8(body, "body"); e != nil {
		return core.BindRequest{}, e
	}
	r := items.newRaws(1)
	if tryScan && scanBind(items, body, &r[0]) {
		return v.bindFrom(&r[0], defaultPool)
	}
	ms, err := members(body)
	if err != nil {
		return core.BindRequest{}, core.Errorf(core.CodeInvalidParameters, "body is not valid JSON: "+err.Error())
	}
	return v.bindMembers(ms, defaultPool)
}

func (v *Validator) bindMembers(ms []member, defaultPool string) (core.BindRequest, *core.Error) {
	r := items.newRaws(1)
	for _, m := range ms {
		items.member(&r[0], m.name, m.value)
	}
	return v.bindFrom(&r[0], defaultPool)
}

// bindFrom converts and checks a decoded BindAxg body.
func (v *Validator) bindFrom(r *rawItem, defaultPool string) (core.BindRequest, *core.Error) {
	var req core.BindRequest
	var issues []issue
	req.PoolKey, issues = poolKey(r.pool, defaultPool, nil)
	issues = items.convert(r, &req.Item, issues)
	issues = check(v, items, &req.Item, "", issues)
	return req, finish(items, issues)
}

// DecodeBatch decodes a BindBatchAxg request body whose PoolKey may be left
// to defaultPool. Only a body that is not a JSON object, an AxgBindList that
// is not an array, a missing or broken PoolKey, no items or too many are
// request-level errors; every problem inside an element stays with that
// element, which is answered without being sent.
func (v *Validator) DecodeBatch(body []byte, defaultPool string) (core.BatchRequest, *core.Error) {
	return v.decodeBatch(body, defaultPool, true)
}

// decodeBatch is DecodeBatch, with or without the scanner (FuzzBatch
// compares the two).
func (v *Validator) decodeBatch(body []byte, defaultPool string, tryScan bool) (core.BatchRequest, *core.Error) {
	if !isObject(body) {
		return core.BatchRequest{}, core.Errorf(core.CodeInvalidParameters, "body must be a JSON object: {\"PoolKey\": ..., \"AxgBindList\": [...]}")
	}
	if e := validUTF8(body, "body"); e != nil {
		return core.BatchRequest{}, e
	}
	if tryScan {
		if req, e, ok := v.scanBatch(body, defaultPool); ok {
			return req, e
		}
	}
	ms, err := members(body)
	if err != nil {
		return core.BatchRequest{}, core.Errorf(core.CodeInvalidParameters, "body: "+err.Error())
	}
	return v.batchMembers(ms, defaultPool)
}

// scanBatch is the fast path for the plain shape: the scanner, sized from a
// count of objects (capped at the limit), since growing the items one by one
// costs more than decoding them.
func (v *Validator) scanBatch(body []byte, defaultPool string) (core.BatchRequest, *core.Error, bool) {
	var pool raw
	raws, ok := scanBatch(items, body, &pool, items.newRaws(max(0, min(bytes.Count(body, []byte("{"))-1, v.maxItems+1))))
	if !ok || len(raws) == 0 {
		return core.BatchRequest{}, nil, false
	}
	for i := range raws {
		if raws[i].empty() {
			return core.BatchRequest{}, nil, false // {} or null: the slow path words it
		}
	}
	req, e := v.batchOf(pool, defaultPool, len(raws), func(i int) core.BatchItem { return v.batchRaw(&raws[i], nil, i) })
	return req, e, true
}

// batchMembers is the slow path: AxgBindList element by element, for
// exact messages about anything unusual.
func (v *Validator) batchMembers(ms []member, defaultPool string) (core.BatchRequest, *core.Error) {
	var pool raw
	var list []byte
	seen := map[string]bool{}
	for _, m := range ms {
		key := strings.ToLower(m.name)
		if seen[key] && (key == "poolkey" || key == "axgbindlist") {
			// Which one is meant cannot be told: the first list was dropped.
			return core.BatchRequest{}, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: m.name, Message: "is given more than once"}})
		}
		seen[key] = true
		switch {
		case strings.EqualFold(m.name, core.PoolKey):
			pool.decode(core.KindText, m.value)
		case strings.EqualFold(m.name, "AxgBindList"):
			list = m.value
		default:
			return core.BatchRequest{}, core.Errorf(core.CodeInvalidParameters, "body: json: unknown field "+strconv.Quote(m.name))
		}
	}
	list = bytes.TrimSpace(list)
	if len(list) > 0 && list[0] == '"' {
		// The upstream takes AxgBindList as a JSON-encoded string; accept that too.
		var s string
		if json.Unmarshal(list, &s) == nil {
			list = bytes.TrimSpace([]byte(s))
		}
	}
	if _, issues := poolKey(pool, defaultPool, nil); len(issues) > 0 {
		return core.BatchRequest{}, finish(items, issues) // the PoolKey is named before the list
	}
	if len(list) == 0 || string(list) == "null" {
		return core.BatchRequest{}, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList", Message: msgRequired}})
	}
	var elems []json.RawMessage
	if list[0] != '[' || json.Unmarshal(list, &elems) != nil {
		return core.BatchRequest{}, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList", Message: "must be a JSON array of BindAxg items"}})
	}
	return v.batchOf(pool, defaultPool, len(elems), func(i int) core.BatchItem { return v.batchElem(elems[i], i) })
}

// batchOf checks a batch's PoolKey and size, then answers each of its n
// elements with item(i).
func (v *Validator) batchOf(pool raw, defaultPool string, n int, item func(i int) core.BatchItem) (core.BatchRequest, *core.Error) {
	var req core.BatchRequest
	p, issues := poolKey(pool, defaultPool, nil)
	if len(issues) > 0 {
		return req, finish(items, issues)
	}
	req.PoolKey = p
	switch {
	case n == 0:
		return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList", Message: "must hold at least one item"}})
	case n > v.maxItems:
		return req, core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: "AxgBindList",
			Message: "holds " + strconv.Itoa(n) + " items; at most " + strconv.Itoa(v.maxItems) + " are accepted in one batch-bind"}})
	}
	req.Items = make([]core.BatchItem, n)
	for i := range req.Items {
		req.Items[i] = item(i)
	}
	return req, nil
}

// itemPath names element i; built only when there is something to report.
func itemPath(i int) string { return "AxgBindList[" + strconv.Itoa(i) + "]" }

func (v *Validator) batchElem(el json.RawMessage, i int) core.BatchItem {
	var bi core.BatchItem
	if !isObject(el) {
		bi.Err = core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: itemPath(i), Message: "must be a JSON object (a BindAxg item)"}})
		return bi
	}
	r := items.newRaws(1)
	_ = items.decodeObject(el, &r[0]) // el is valid JSON: it came out of the array
	return v.batchRaw(&r[0], nil, i)
}

// batchRaw converts and checks element i, decoded.
func (v *Validator) batchRaw(r *rawItem, issues []issue, i int) core.BatchItem {
	var bi core.BatchItem
	if r.pool.set || r.pool.bad {
		issues = append(issues, issue{core.FieldError{Field: core.PoolKey, Message: "belongs to the request, not to an item"}, core.CodeInvalidParameters})
	}
	issues = items.convert(r, &bi.Item, issues)
	issues = check(v, items, &bi.Item, "", issues)
	bi.PhoneNoA, bi.GroupId = bi.Item.PhoneNoA, bi.Item.GroupId
	if a := &r.vals[0]; a.bad {
		bi.PhoneNoA = a.s // not a string: echoed as given
	}
	if len(issues) > 0 {
		p := itemPath(i) + "."
		for k := range issues {
			issues[k].Field = p + issues[k].Field
		}
	}
	bi.Err = finish(items, issues)
	return bi
}

// DecodeMessage decodes a message body, parsed once: a BindBatchAxg request
// when it holds AxgBindList, else one operation (a BindAxg request unless
// its Action names another); PoolKey may be left to defaultPool.
func (v *Validator) DecodeMessage(body []byte, defaultPool string) (task core.Task, batch core.BatchRequest, isBatch bool, e *core.Error) {
	task.Action = core.ActionBind
	if !isObject(body) {
		return task, batch, false, core.Errorf(core.CodeInvalidParameters, "the message is not a JSON object (a BindAxg, BindBatchAxg, UnbindSubscription or UpdateSubscription request)")
	}
	if e := validUTF8(body, "the message"); e != nil {
		return task, batch, false, e
	}
	r := items.newRaws(1)
	if scanBind(items, body, &r[0]) {
		task.Bind, e = v.bindFrom(&r[0], defaultPool)
		return task, batch, false, e
	}
	if batch, e, ok := v.scanBatch(body, defaultPool); ok {
		return task, batch, true, e
	}
	ms, err := members(body)
	if err != nil {
		return task, batch, false, core.Errorf(core.CodeInvalidParameters, "the message is not valid JSON: "+err.Error())
	}
	for _, m := range ms {
		if strings.EqualFold(m.name, "AxgBindList") {
			batch, e = v.batchMembers(ms, defaultPool)
			return task, batch, true, e
		}
	}
	task, e = v.taskMembers(ms, defaultPool)
	return task, batch, false, e
}

// validUTF8 refuses text that is not UTF-8 anywhere, naming where: such
// bytes are never forwarded, and never replaced by a guess.
func validUTF8(b []byte, what string) *core.Error {
	if utf8.Valid(b) {
		return nil
	}
	return core.Errorf(core.CodeInvalidParameters, fmt.Sprintf("%s is not valid UTF-8 (at byte %d)", what, invalidAt(b)))
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// maxPoolKey is the longest PoolKey: the vendor publishes none; its keys
// are a dozen or two characters.
const maxPoolKey = 64

// poolKey is the request's PoolKey: as sent, else defaultPool.
func poolKey(r raw, defaultPool string, issues []issue) (string, []issue) {
	s := strings.TrimSpace(r.s)
	switch {
	case len(s) > maxPoolKey:
		return "", append(issues, issue{core.FieldError{Field: core.PoolKey, Message: "must be at most " + strconv.Itoa(maxPoolKey) + " characters long"}, core.CodeInvalidParameters})
	case r.bad:
		return "", append(issues, issue{core.FieldError{Field: core.PoolKey, Message: r.badMessage(core.KindText)}, core.CodeInvalidParameters})
	case !r.set && defaultPool != "":
		return defaultPool, issues
	case s == "":
		return "", append(issues, issue{core.FieldError{Field: core.PoolKey, Message: msgRequired}, core.CodeInvalidParameters})
	}
	return s, issues
}
