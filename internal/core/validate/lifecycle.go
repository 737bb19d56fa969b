package validate

import (
	"strconv"
	"strings"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/redact"
)

// The forms of the lifecycle requests (internal/core/lifecycle.go): each reads its
// PoolKey and its table's fields, and update adds the rule that ties
// OperateType to the field it names.
var (
	unbinds       = newForm("UnbindSubscription", core.UnbindFields())
	updates       = newForm("UpdateSubscription", core.UpdateFields())
	queries       = newForm("QuerySubscriptionDetail", core.QueryFields())
	groupCreates  = newForm("CreateAxgGroup", core.GroupCreateFields())
	groupOperates = newForm("OperateAxgGroup", core.GroupOperateFields())
	groupDeletes  = newForm("DeleteAxgGroup", core.GroupDeleteFields())
	orders        = newForm("order", core.OrderFields())
	subsIds       = newForm("QuerySubsId", core.SubsIdFields())
)

// DecodeSubsId decodes and validates a QuerySubsId body.
func (v *Validator) DecodeSubsId(body []byte, defaultPool string) (core.SubsIdRequest, *core.Error) {
	var r core.SubsIdRequest
	return r, decodeOp(v, subsIds, body, defaultPool, &r, &r.PoolKey, nil, true)
}

// DecodeOrder decodes and validates an order/get or order/unbind body.
func (v *Validator) DecodeOrder(body []byte, defaultPool string) (core.OrderRequest, *core.Error) {
	var r core.OrderRequest
	return r, decodeOp(v, orders, body, defaultPool, &r, &r.PoolKey, nil, true)
}

// DecodeUnbind decodes and validates an UnbindSubscription body.
func (v *Validator) DecodeUnbind(body []byte, defaultPool string) (core.UnbindRequest, *core.Error) {
	var r core.UnbindRequest
	return r, decodeOp(v, unbinds, body, defaultPool, &r, &r.PoolKey, nil, true)
}

// DecodeUpdate decodes and validates an UpdateSubscription body.
func (v *Validator) DecodeUpdate(body []byte, defaultPool string) (core.UpdateRequest, *core.Error) {
	var r core.UpdateRequest
	return r, decodeOp(v, updates, body, defaultPool, &r, &r.PoolKey, updateRule, true)
}

// DecodeQuery decodes and validates a QuerySubscriptionDetail body.
func (v *Validator) DecodeQuery(body []byte, defaultPool string) (core.QueryRequest, *core.Error) {
	var r core.QueryRequest
	return r, decodeOp(v, queries, body, defaultPool, &r, &r.PoolKey, nil, true)
}

// DecodeGroupCreate decodes and validates a CreateAxgGroup body.
func (v *Validator) DecodeGroupCreate(body []byte, defaultPool string) (core.GroupCreateRequest, *core.Error) {
	var r core.GroupCreateRequest
	return r, decodeOp(v, groupCreates, body, defaultPool, &r, &r.PoolKey, nil, true)
}

// DecodeGroupOperate decodes and validates an OperateAxgGroup body.
func (v *Validator) DecodeGroupOperate(body []byte, defaultPool string) (core.GroupOperateRequest, *core.Error) {
	var r core.GroupOperateRequest
	return r, decodeOp(v, groupOperates, body, defaultPool, &r, &r.PoolKey, nil, true)
}

// DecodeGroupDelete decodes and validates a DeleteAxgGroup body.
func (v *Validator) DecodeGroupDelete(body []byte, defaultPool string) (core.GroupDeleteRequest, *core.Error) {
	var r core.GroupDeleteRequest
	return r, decodeOp(v, groupDeletes, body, defaultPool, &r, &r.PoolKey, nil, true)
}

// decodeOp decodes body into x with form f, its PoolKey into pool (or
// defaultPool), checks every rule and then extra's, and names every broken
// field at once; the scanner first where tryScan (FuzzLifecycle compares
// the two paths).
func decodeOp[T any](v *Validator, f *form[T], body []byte, defaultPool string, x *T, pool *string, extra func(*T, []issue) []issue, tryScan bool) *core.Error {
	if !isObject(body) {
		return core.Errorf(core.CodeInvalidParameters, "body must be a JSON object (a "+f.what+" request)")
	}
	if e := validUTF8(body, "body"); e != nil {
		return e
	}
	r := f.newRaws(1)
	if !tryScan || !scanBind(f, body, &r[0]) {
		r = f.newRaws(1)
		if err := f.decodeObject(body, &r[0]); err != nil {
			return core.Errorf(core.CodeInvalidParameters, "body is not valid JSON: "+err.Error())
		}
	}
	return opFrom(v, f, &r[0], defaultPool, x, pool, extra)
}

// opFrom converts and checks a decoded request.
func opFrom[T any](v *Validator, f *form[T], r *rawItem, defaultPool string, x *T, pool *string, extra func(*T, []issue) []issue) *core.Error {
	var issues []issue
	*pool, issues = poolKey(r.pool, defaultPool, nil)
	issues = f.convert(r, x, issues)
	issues = check(v, f, x, "", issues)
	if extra != nil && len(issues) == 0 {
		issues = extra(x, issues)
	}
	return finish(f, issues)
}

// updateRule: the field OperateType names is required, and no other field
// it could name is given (the upstream would ignore it silently);
// ASRModelId goes with updateAsr when ASRStatus is true, and only then.
func updateRule(r *core.UpdateRequest, issues []issue) []issue {
	asrOn := r.OperateType == "updateAsr" && r.ASRStatus != nil && *r.ASRStatus
	switch {
	case asrOn && r.ASRModelId == "":
		issues = append(issues, issue{core.FieldError{Field: "ASRModelId", Message: "is required when OperateType is updateAsr and ASRStatus is true"}, core.CodeInvalidParameters})
	case !asrOn && r.ASRModelId != "":
		issues = append(issues, issue{core.FieldError{Field: "ASRModelId", Message: "goes only with OperateType updateAsr and ASRStatus true"}, core.CodeInvalidParameters})
	}
	named := core.UpdateChanges(r.OperateType)
	for i := range updates.fields {
		fd := &updates.fields[i]
		if !core.IsUpdateField(fd.Name) {
			continue
		}
		switch set := fd.Set(r); {
		case fd.Name == named && !set:
			issues = append(issues, issue{core.FieldError{Field: fd.Name, Message: "is required when OperateType is " + r.OperateType}, core.CodeInvalidParameters})
		case fd.Name != named && set:
			issues = append(issues, issue{core.FieldError{Field: fd.Name, Message: "is not changed by OperateType " + r.OperateType +
				" (it changes " + named + "): send it in an update of its own"}, core.CodeInvalidParameters})
		}
	}
	return issues
}

// actionField is the member of a row or message that names its Action.
const actionField = "Action"

// actionOf reads an Action member's value: "" when absent (BindAxg).
func actionOf(value []byte) (core.Action, *core.Error) {
	var r raw
	r.decode(core.KindText, value)
	a := core.Action(strings.TrimSpace(r.s))
	switch {
	case r.bad:
		return "", core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: actionField, Message: r.badMessage(core.KindText)}})
	case a == "" || a == core.ActionBind || a == core.ActionUnbind || a == core.ActionUpdate:
		return a, nil
	}
	return "", core.Invalid(core.CodeInvalidParameters, []core.FieldError{{Field: actionField,
		Message: "must be one of BindAxg, UnbindSubscription, UpdateSubscription (not " + strconv.Quote(redact.Clip(string(a), 40)) + ")"}})
}
