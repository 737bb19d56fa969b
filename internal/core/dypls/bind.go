package dypls

import (
	"context"
	"encoding/json"
	"reflect"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyplsapi"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/redact"
)

// BindAxg makes one binding.
func (c *Client) BindAxg(ctx context.Context, pool string, it *core.Item) (core.Binding, error) {
	params := bindParams(pool, it)
	resp := dyplsapi.CreateBindAxgResponse()
	d, err := c.do(ctx, "BindAxg", params, resp, 1)
	if err != nil {
		return core.Binding{}, err
	}
	if err := c.answered(ctx, "BindAxg", resp.Code, resp.Message, resp.RequestId, 1, d); err != nil {
		return core.Binding{}, err
	}
	dto := resp.SecretBindDTO
	return core.Binding{SecretNo: dto.SecretNo, SubsId: dto.SubsId, Extension: dto.Extension}, nil
}

// bindParams are BindAxg's parameters under the upstream's names, from the
// field table; empty ones are left out of the request.
// The field tables, read once: each request's parameters in the upstream's
// order.
var (
	itemFields         = core.ItemFields()
	unbindFields       = core.UnbindFields()
	updateFields       = core.UpdateFields()
	subsIdFields       = core.SubsIdFields()
	queryFields        = core.QueryFields()
	groupCreateFields  = core.GroupCreateFields()
	groupOperateFields = core.GroupOperateFields()
	groupDeleteFields  = core.GroupDeleteFields()
)

func bindParams(pool string, it *core.Item) []param { return opParams(pool, itemFields, it) }

// BindBatchAxg sends items in one call and returns the item answers as they came.
func (c *Client) BindBatchAxg(ctx context.Context, pool string, items []*core.Item) ([]core.ItemResult, error) {
	params, err := batchParams(pool, items)
	if err != nil {
		return nil, &core.Error{Code: core.CodeInternal, Origin: core.OriginBinder, Outcome: core.NotSent, Message: "encoding AxgBindList: " + err.Error()}
	}
	resp := dyplsapi.CreateBindBatchAxgResponse()
	d, err := c.do(ctx, "BindBatchAxg", params, resp, len(items))
	if err != nil {
		return nil, err
	}
	if err := c.answered(ctx, "BindBatchAxg", resp.Code, resp.Message, resp.RequestId, len(items), d); err != nil {
		return nil, err
	}
	out := make([]core.ItemResult, len(resp.SecretBindList.SecretBind))
	for i, b := range resp.SecretBindList.SecretBind {
		out[i] = core.ItemResult{SecretNo: b.SecretNo, SubsId: b.SubsId, Extension: b.Extension,
			GroupId: b.GroupId, PhoneNoA: b.PhoneNoA, Code: core.Code(b.Code), Message: redact.Text(b.Message)}
	}
	return out, nil
}

// batchParams are BindBatchAxg's parameters. AxgBindList is one parameter,
// the JSON of the SDK's own item type (every field, empty ones too, in its
// order), as the SDK encodes it.
func batchParams(pool string, items []*core.Item) ([]param, error) {
	js, err := json.Marshal(axgBindList(items))
	if err != nil {
		return nil, err
	}
	return []param{{"PoolKey", pool}, {"AxgBindList", string(js)}}, nil
}

// sdkItemFields maps each field of the SDK's BindBatchAxg item type, by its
// name, to the field table: the item list is encoded as the SDK encodes it,
// and a field either lacks stops the program at start (any test).
var sdkItemFields = func() []int {
	t := reflect.TypeFor[dyplsapi.BindBatchAxgAxgBindList]()
	idx := make([]int, t.NumField())
	for i := range idx {
		idx[i] = -1
		for k := range itemFields {
			if itemFields[k].Name == t.Field(i).Name {
				idx[i] = k
			}
		}
		if idx[i] < 0 {
			panic("dypls: the SDK's AxgBindList item has " + t.Field(i).Name + ", which core.ItemFields() has not")
		}
	}
	if len(idx) != len(itemFields) {
		panic("dypls: core.ItemFields() has a field the SDK's AxgBindList item has not: it would not be sent in a batch")
	}
	return idx
}()

// axgBindList is items as the SDK's BindBatchAxg item type.
func axgBindList(items []*core.Item) []dyplsapi.BindBatchAxgAxgBindList {
	list := make([]dyplsapi.BindBatchAxgAxgBindList, len(items))
	for i, it := range items {
		v := reflect.ValueOf(&list[i]).Elem()
		for j, k := range sdkItemFields {
			v.Field(j).SetString(itemFields[k].Text(it))
		}
	}
	return list
}

// answered records an HTTP 200 answer and turns a business code into an error.
func (c *Client) answered(ctx context.Context, action, code, msg, reqID string, items int, d time.Duration) error {
	err := answerError(code, msg, reqID)
	c.observe(ctx, action, err, reqID, core.Code(code), items, d)
	if err != nil {
		return err
	}
	return nil // not err: a nil *core.Error in an error is no nil error
}

// answerError is what an HTTP 200 answer's code says: nil for OK.
func answerError(code, msg, reqID string) *core.Error {
	if code == string(core.CodeOK) {
		return nil
	}
	if code == "" {
		// HTTP 200 with no code is no answer we can trust either way.
		return &core.Error{Code: core.CodeUpstreamTimeout, Message: "upstream answered without a code: the outcome is unknown, not resent",
			Origin: core.OriginTransport, Outcome: core.Unknown, HTTPStatus: 200, RequestID: reqID}
	}
	if msg == "" {
		msg = "upstream answered " + code
	}
	return &core.Error{Code: core.Code(code), Message: redact.Text(msg), Origin: core.OriginUpstream,
		Outcome: core.Answered, HTTPStatus: 200, RequestID: reqID}
}
