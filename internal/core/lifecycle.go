package core

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// The rest of a binding's life (docs/http-api.md): each
// request type carries its PoolKey and is described, field by field in the
// upstream's order, by a table like itemFields, from which internal/core/validate
// decodes and checks it and internal/core/dypls sends it.

// UnbindRequest is a validated UnbindSubscription request.
type UnbindRequest struct {
	PoolKey, SubsId, SecretNo string
}

// UpdateRequest is a validated UpdateSubscription request: OperateType and
// the one field it names.
type UpdateRequest struct {
	PoolKey, SubsId, PhoneNoX, OperateType  string
	PhoneNoA, PhoneNoB, Expiration, GroupId string
	CallRestrict                            string
	CallDisplayType                         *int
	OutId                                   string
	IsRecordingEnabled                      *bool
	// updateAsr's: ASRStatus, and ASRModelId when it is true. RingConfig
	// may come with any update.
	ASRStatus  *bool
	ASRModelId string
	RingConfig string
}

// QueryRequest is a validated QuerySubscriptionDetail request.
type QueryRequest struct {
	PoolKey, SubsId, PhoneNoX string
}

// GroupCreateRequest is a validated CreateAxgGroup request; Numbers are
// normalised and comma-separated, as the upstream takes them.
type GroupCreateRequest struct {
	PoolKey, Name, Remark, Numbers string
}

// GroupOperateRequest is a validated OperateAxgGroup request.
type GroupOperateRequest struct {
	PoolKey, GroupId, OperateType, Numbers string
}

// GroupDeleteRequest is a validated DeleteAxgGroup request.
type GroupDeleteRequest struct {
	PoolKey, GroupId string
}

// updateOperations maps each OperateType of UpdateSubscription to the one
// field it changes (docs/http-api.md, the vendor's page).
var updateOperations = map[string]string{
	"updateNoA":                "PhoneNoA",
	"updateNoB":                "PhoneNoB",
	"updateExpire":             "Expiration",
	"updateAxgGroup":           "GroupId",
	"updateCallRestrict":       "CallRestrict",
	"updateCallDisplayType":    "CallDisplayType",
	"updateOutId":              "OutId",
	"updateIsRecordingEnabled": "IsRecordingEnabled",
	"updateAsr":                "ASRStatus",
}

// operateTypes are updateOperations' keys, in the vendor's order.
var operateTypes = []string{"updateNoA", "updateNoB", "updateExpire", "updateAxgGroup", "updateCallRestrict",
	"updateCallDisplayType", "updateOutId", "updateIsRecordingEnabled", "updateAsr"}

// UpdateChanges is the field an OperateType changes: "" for none.
func UpdateChanges(operateType string) string { return updateOperations[operateType] }

// IsUpdateField reports whether some OperateType changes the field name.
func IsUpdateField(name string) bool {
	for _, f := range updateOperations {
		if f == name {
			return true
		}
	}
	return false
}

// MaxGroupNumbers is how many numbers a G group, and one group call, holds
// (the vendor's CreateAxgGroup and OperateAxgGroup pages).
const MaxGroupNumbers = 200

func text[T any](name string, norm Norm, rule Rule, at func(*T) *string) Field[T] {
	return Field[T]{Name: name, Norm: norm, Rule: rule, Str: at}
}

// Rules several tables share.
var (
	// subsRule: the vendor's SubsIds are digit strings of about 16; ours
	// allows up to 64 letters, digits, - _ and ., refusing only what
	// cannot be one.
	subsRule      = Rule{Required: true, Max: 64, Is: CheckSubsID}
	phoneRule     = Rule{Is: CheckPhone}
	needPhoneRule = Rule{Required: true, Is: CheckPhone}
	groupIDRule   = Rule{Required: true, Is: CheckGroupID}
)

// unbindFields are UnbindSubscription's fields but PoolKey.
var unbindFields = []Field[UnbindRequest]{
	text("SubsId", NormTrim, subsRule, func(r *UnbindRequest) *string { return &r.SubsId }),
	text("SecretNo", NormNumber, needPhoneRule, func(r *UnbindRequest) *string { return &r.SecretNo }),
}

// UnbindFields returns unbindFields (a copy: read it once).
func UnbindFields() []Field[UnbindRequest] { return slices.Clone(unbindFields) }

// updateFields are UpdateSubscription's fields but PoolKey: the three every
// update needs, then those an OperateType names, each with its bind rule
// (CallRestrict also takes CONTROL_CLEAR_DISABLE here).
var updateFields = []Field[UpdateRequest]{
	text("SubsId", NormTrim, subsRule, func(r *UpdateRequest) *string { return &r.SubsId }),
	text("PhoneNoX", NormNumber, needPhoneRule, func(r *UpdateRequest) *string { return &r.PhoneNoX }),
	text("OperateType", NormTrim, Rule{Required: true, OneOf: operateTypes},
		func(r *UpdateRequest) *string { return &r.OperateType }),
	text("PhoneNoA", NormNumber, phoneRule, func(r *UpdateRequest) *string { return &r.PhoneNoA }),
	text("PhoneNoB", NormNumber, phoneRule, func(r *UpdateRequest) *string { return &r.PhoneNoB }),
	text("Expiration", NormTrim, Rule{Is: CheckExpiration}, func(r *UpdateRequest) *string { return &r.Expiration }),
	text("GroupId", NormGroupID, Rule{Is: CheckGroupID}, func(r *UpdateRequest) *string { return &r.GroupId }),
	text("CallRestrict", NormTrim, Rule{OneOf: []string{"CONTROL_AX_DISABLE", "CONTROL_BX_DISABLE", "CONTROL_CLEAR_DISABLE"}}, func(r *UpdateRequest) *string { return &r.CallRestrict }),
	{Name: "CallDisplayType", Kind: KindInt, Rule: Rule{OneOf: []string{"1"}}, Int: func(r *UpdateRequest) **int { return &r.CallDisplayType }},
	text("OutId", NormNone, Rule{Max: 128}, func(r *UpdateRequest) *string { return &r.OutId }),
	{Name: "IsRecordingEnabled", Kind: KindBool, Bool: func(r *UpdateRequest) **bool { return &r.IsRecordingEnabled }},
	{Name: "ASRStatus", Kind: KindBool, Bool: func(r *UpdateRequest) **bool { return &r.ASRStatus }},
	text("ASRModelId", NormTrim, Rule{OneOf: asrModels}, func(r *UpdateRequest) *string { return &r.ASRModelId }),
	{Name: "RingConfig", Kind: KindObject, Norm: NormJSON, Rule: Rule{Max: 512, Is: CheckRingConfig}, Str: func(r *UpdateRequest) *string { return &r.RingConfig }},
}

// UpdateFields returns updateFields (a copy: read it once).
func UpdateFields() []Field[UpdateRequest] { return slices.Clone(updateFields) }

// queryFields are QuerySubscriptionDetail's fields but PoolKey.
var queryFields = []Field[QueryRequest]{
	text("SubsId", NormTrim, subsRule, func(r *QueryRequest) *string { return &r.SubsId }),
	text("PhoneNoX", NormNumber, needPhoneRule, func(r *QueryRequest) *string { return &r.PhoneNoX }),
}

// QueryFields returns queryFields (a copy: read it once).
func QueryFields() []Field[QueryRequest] { return slices.Clone(queryFields) }

// SubsIdRequest is a validated QuerySubsId request: the bindings on one X.
type SubsIdRequest struct {
	PoolKey, PhoneNoX string
}

// subsIdFields are QuerySubsId's fields but PoolKey.
var subsIdFields = []Field[SubsIdRequest]{
	text("PhoneNoX", NormNumber, needPhoneRule, func(r *SubsIdRequest) *string { return &r.PhoneNoX }),
}

// SubsIdFields returns subsIdFields (a copy: read it once).
func SubsIdFields() []Field[SubsIdRequest] { return slices.Clone(subsIdFields) }

// groupCreateFields are CreateAxgGroup's fields but PoolKey: Name at most
// 16 characters and Remark 50 (the vendor's current page; an older one said
// 128 and 256), Numbers at most MaxGroupNumbers.
var groupCreateFields = []Field[GroupCreateRequest]{
	text("Name", NormTrim, Rule{Max: 16}, func(r *GroupCreateRequest) *string { return &r.Name }),
	text("Remark", NormTrim, Rule{Max: 50}, func(r *GroupCreateRequest) *string { return &r.Remark }),
	{Name: "Numbers", Kind: KindList, Norm: NormNumbers, Rule: Rule{Is: CheckNumbers}, Str: func(r *GroupCreateRequest) *string { return &r.Numbers }},
}

// GroupCreateFields returns groupCreateFields (a copy: read it once).
func GroupCreateFields() []Field[GroupCreateRequest] { return slices.Clone(groupCreateFields) }

// groupOperateFields are OperateAxgGroup's fields but PoolKey.
var groupOperateFields = []Field[GroupOperateRequest]{
	text("GroupId", NormGroupID, groupIDRule, func(r *GroupOperateRequest) *string { return &r.GroupId }),
	text("OperateType", NormTrim, Rule{Required: true, OneOf: []string{"addNumbers", "deleteNumbers", "overwriteNumbers"}}, func(r *GroupOperateRequest) *string { return &r.OperateType }),
	{Name: "Numbers", Kind: KindList, Norm: NormNumbers, Rule: Rule{Required: true, Is: CheckNumbers}, Str: func(r *GroupOperateRequest) *string { return &r.Numbers }},
}

// GroupOperateFields returns groupOperateFields (a copy: read it once).
func GroupOperateFields() []Field[GroupOperateRequest] { return slices.Clone(groupOperateFields) }

// groupDeleteFields are DeleteAxgGroup's fields but PoolKey.
var groupDeleteFields = []Field[GroupDeleteRequest]{
	text("GroupId", NormGroupID, groupIDRule, func(r *GroupDeleteRequest) *string { return &r.GroupId }),
}

// GroupDeleteFields returns groupDeleteFields (a copy: read it once).
func GroupDeleteFields() []Field[GroupDeleteRequest] { return slices.Clone(groupDeleteFields) }

// BindingDetail is QuerySubscriptionDetail's SecretBindDetailDTO, in the
// upstream's shape (Status 1 active, 0 expired).
type BindingDetail struct {
	SubsId       string `json:"SubsId"`
	Status       int64  `json:"Status"`
	PhoneNoA     string `json:"PhoneNoA"`
	PhoneNoB     string `json:"PhoneNoB"`
	PhoneNoX     string `json:"PhoneNoX"`
	GroupId      int64  `json:"GroupId"`
	Extension    string `json:"Extension"`
	ExpireDate   string `json:"ExpireDate"`
	GmtCreate    string `json:"GmtCreate"`
	NeedRecord   bool   `json:"NeedRecord"`
	CallRestrict string `json:"CallRestrict"`
	ASRStatus    bool   `json:"ASRStatus"`
	ASRModelId   string `json:"ASRModelId"`
}

// Answer is the answer of a call that returns nothing but its code.
type Answer struct {
	Code      Code   `json:"Code"`
	Message   string `json:"Message"`
	RequestId string `json:"RequestId"`
}

// QueryAnswer is QuerySubscriptionDetail's answer.
type QueryAnswer struct {
	Code                Code          `json:"Code"`
	Message             string        `json:"Message"`
	RequestId           string        `json:"RequestId"`
	SecretBindDetailDTO BindingDetail `json:"SecretBindDetailDTO"`
}

// SubsIdAnswer is QuerySubsId's answer: the SubsIds of the bindings on X,
// comma-separated as the upstream writes them ("" for none).
type SubsIdAnswer struct {
	Code      Code   `json:"Code"`
	Message   string `json:"Message"`
	RequestId string `json:"RequestId"`
	SubsId    string `json:"SubsId"`
}

// GroupAnswer is CreateAxgGroup's answer.
type GroupAnswer struct {
	Code      Code   `json:"Code"`
	Message   string `json:"Message"`
	RequestId string `json:"RequestId"`
	GroupId   int64  `json:"GroupId"`
}

// Action names what a file row or a message asks for.
type Action string

// The actions files and messages carry; a row without one binds.
const (
	ActionBind   Action = "BindAxg"
	ActionUnbind Action = "UnbindSubscription"
	ActionUpdate Action = "UpdateSubscription"
)

// Task is one row's or message's operation, decoded and validated: Action
// says which of its requests holds it.
type Task struct {
	Action Action
	Bind   BindRequest
	Unbind UnbindRequest
	Update UpdateRequest
	// ByOrder: an unbind naming its order (PoolKey and OutOrderId) and no
	// SubsId unbinds every live binding of Order.
	ByOrder bool
	Order   OrderRequest
}

// op is an upstream operation's resend rule (docs/retries-and-rate-budget.md):
// every operation is resent when the upstream said it did not act;
// an idempotent one also after an unknown outcome, within the deadline.
type op struct {
	api        string
	idempotent bool
	// gone is the answer that, to a resend after an unknown outcome, means
	// the first call did it: the binding is gone. goneUnsaid: the first
	// call's doing would make a resend fail, with no documented code to
	// tell it by, so a resend's refusal leaves the outcome unknown.
	gone       Code
	goneUnsaid bool
}

// CodeSubsNotExist is the upstream's answer for a binding it does not have;
// CodeIllegalArgument its answer for, among others, a group it does not have.
const (
	CodeSubsNotExist    Code = "isv.SUBS_NOT_EXIST"
	CodeIllegalArgument Code = "isv.ILLEGAL_ARGUMENT"
)

var (
	opBind           = op{api: "BindAxg"}
	opUnbind         = op{api: "UnbindSubscription", idempotent: true, gone: CodeSubsNotExist}
	opUpdate         = op{api: "UpdateSubscription", idempotent: true}
	opQuery          = op{api: "QuerySubscriptionDetail", idempotent: true}
	opQuerySubsId    = op{api: "QuerySubsId", idempotent: true}
	opGroupCreate    = op{api: "CreateAxgGroup"}
	opGroupAddDelete = op{api: "OperateAxgGroup"}
	opGroupOverwrite = op{api: "OperateAxgGroup", idempotent: true}
	// No code is documented for a group the upstream does not have, so a
	// resend's refusal is not read as "gone": it stays the unknown outcome.
	opGroupDelete = op{api: "DeleteAxgGroup", idempotent: true, goneUnsaid: true}
)

// Unbind ends a binding; resent after an unknown outcome, a binding found
// gone is OK.
func (s *Service) Unbind(ctx context.Context, r UnbindRequest) error {
	err := s.run(ctx, opUnbind, func(ctx context.Context) error { return s.up.UnbindSubscription(ctx, &r) })
	if err == nil && s.opts.Recorder != nil {
		rctx, cancel := recordCtx(ctx)
		defer cancel()
		s.opts.Recorder.Unbound(rctx, r)
	}
	return err
}

// Update changes what r.OperateType names; resent after an unknown outcome.
func (s *Service) Update(ctx context.Context, r UpdateRequest) error {
	return s.run(ctx, opUpdate, func(ctx context.Context) error { return s.up.UpdateSubscription(ctx, &r) })
}

// Query reads a binding.
func (s *Service) Query(ctx context.Context, r QueryRequest) (BindingDetail, error) {
	var d BindingDetail
	err := s.run(ctx, opQuery, func(ctx context.Context) (err error) {
		d, err = s.up.QuerySubscriptionDetail(ctx, &r)
		return err
	})
	return d, err
}

// QuerySubsId lists the SubsIds of the bindings on an X number: where a
// bind of unknown outcome named its X, whether it was made.
func (s *Service) QuerySubsId(ctx context.Context, r SubsIdRequest) (string, error) {
	var ids string
	err := s.run(ctx, opQuerySubsId, func(ctx context.Context) (err error) {
		ids, err = s.up.QuerySubsId(ctx, &r)
		return err
	})
	return ids, err
}

// CreateGroup makes a G group; never resent after an unknown outcome (a
// second group would be made).
func (s *Service) CreateGroup(ctx context.Context, r GroupCreateRequest) (int64, error) {
	var id int64
	err := s.run(ctx, opGroupCreate, func(ctx context.Context) (err error) {
		id, err = s.up.CreateAxgGroup(ctx, &r)
		return err
	})
	var e *Error
	if errors.As(err, &e) && e.Code == CodeForbiddenAction && !strings.Contains(e.Message, MaxGroupsNote) {
		// The vendor documents the limit but no code for it: say it where
		// a refusal may be it.
		e.Message += " (" + MaxGroupsNote + ")"
	}
	return id, err
}

// MaxGroupsNote is what a refused group/create is told of the vendor's
// limit on groups.
const MaxGroupsNote = "a pool holds at most 2,000 groups: delete groups no binding uses, or use another pool"

// OperateGroup changes a group's numbers: overwriting is resent after an
// unknown outcome, adding and deleting are not.
func (s *Service) OperateGroup(ctx context.Context, r GroupOperateRequest) error {
	o := opGroupAddDelete
	if r.OperateType == "overwriteNumbers" {
		o = opGroupOverwrite
	}
	return s.run(ctx, o, func(ctx context.Context) error { return s.up.OperateAxgGroup(ctx, &r) })
}

// DeleteGroup deletes a group; resent after an unknown outcome, a group
// found gone is OK.
func (s *Service) DeleteGroup(ctx context.Context, r GroupDeleteRequest) error {
	return s.run(ctx, opGroupDelete, func(ctx context.Context) error { return s.up.DeleteAxgGroup(ctx, &r) })
}

type afterUnknownKey struct{}

// AfterUnknown marks ctx's calls as resends of a call whose outcome is
// unknown (a run or delivery died while it was in flight): to an unbind or a
// group delete, "gone" then means the first call did it, and a failure
// cannot say "not done". Only idempotent operations are resent so.
func AfterUnknown(ctx context.Context) context.Context {
	return context.WithValue(ctx, afterUnknownKey{}, true)
}

// run is retry with the contract's code for a throttled failure.
func (s *Service) run(ctx context.Context, o op, call func(context.Context) error) error {
	if e := s.retry(ctx, o, call); e != nil {
		return finalize(e)
	}
	return nil
}

// OrderRequest is an order/get or order/unbind request: the caller's own
// order ID in a pool.
type OrderRequest struct {
	PoolKey, OutOrderId string
}

// orderFields are an order request's fields but PoolKey.
var orderFields = []Field[OrderRequest]{
	text("OutOrderId", NormTrim, Rule{Required: true, Max: 128}, func(r *OrderRequest) *string { return &r.OutOrderId }),
}

// OrderFields returns orderFields (a copy: read it once).
func OrderFields() []Field[OrderRequest] { return slices.Clone(orderFields) }

// OrderResult is what an unbind by order did to one binding of the order.
type OrderResult struct {
	SubsId   string `json:"SubsId,omitempty"`
	SecretNo string `json:"SecretNo,omitempty"`
	PhoneNoA string `json:"PhoneNoA,omitempty"`
	State    string `json:"State"` // after
	Code     Code   `json:"Code"`
	Message  string `json:"Message"`
}

// Unbinder unbinds one binding (the Service).
type Unbinder interface {
	Unbind(ctx context.Context, r UnbindRequest) error
}

// OrderBook unbinds an order's bindings with u (internal/core/ledger.Bindings).
type OrderBook interface {
	UnbindOrder(ctx context.Context, u Unbinder, pool, order string) ([]OrderResult, error)
}

// UnbindOrder unbinds every live binding of an order, one result each
// (Options.Orders; CodeOrdersNotKept without it). Its error says the
// order could not be read: nothing was sent.
func (s *Service) UnbindOrder(ctx context.Context, r OrderRequest) ([]OrderResult, error) {
	if s.opts.Orders == nil {
		return nil, OrdersNotKept()
	}
	return s.opts.Orders.UnbindOrder(ctx, s, r.PoolKey, r.OutOrderId)
}

// OrdersNotKept is the answer of every order operation where the ledger
// keeps no bindings.
func OrdersNotKept() *Error {
	return Errorf(CodeOrdersNotKept, "this deployment keeps no bindings: its ledger is an instance's memory; "+
		"set AXG_LEDGER to a folder, Redis, DynamoDB or Tablestore to look orders up and unbind by order")
}
