package dypls

import (
	"context"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyplsapi"

	"github.com/axg-binder/binder/internal/core"
)

// The lifecycle calls: parameters from each request's field table (the same
// derivation as bindParams), answers parsed into the SDK's response types.

// opParams are a request's parameters under the upstream's names: PoolKey,
// then its table's fields; empty ones are left out when signing.
func opParams[T any](pool string, fields []core.Field[T], x *T) []param {
	params := make([]param, 1, 1+len(fields))
	params[0] = param{core.PoolKey, pool}
	for i := range fields {
		params = append(params, param{fields[i].Name, fields[i].Text(x)})
	}
	return params
}

// UnbindSubscription ends a binding.
func (c *Client) UnbindSubscription(ctx context.Context, r *core.UnbindRequest) error {
	resp := dyplsapi.CreateUnbindSubscriptionResponse()
	d, err := c.do(ctx, "UnbindSubscription", opParams(r.PoolKey, unbindFields, r), resp, 1)
	if err != nil {
		return err
	}
	return c.answered(ctx, "UnbindSubscription", resp.Code, resp.Message, resp.RequestId, 1, d)
}

// UpdateSubscription changes what OperateType names.
func (c *Client) UpdateSubscription(ctx context.Context, r *core.UpdateRequest) error {
	resp := dyplsapi.CreateUpdateSubscriptionResponse()
	d, err := c.do(ctx, "UpdateSubscription", opParams(r.PoolKey, updateFields, r), resp, 1)
	if err != nil {
		return err
	}
	return c.answered(ctx, "UpdateSubscription", resp.Code, resp.Message, resp.RequestId, 1, d)
}

// QuerySubsId lists the SubsIds on an X number, comma-separated.
func (c *Client) QuerySubsId(ctx context.Context, r *core.SubsIdRequest) (string, error) {
	resp := dyplsapi.CreateQuerySubsIdResponse()
	d, err := c.do(ctx, "QuerySubsId", opParams(r.PoolKey, subsIdFields, r), resp, 1)
	if err != nil {
		return "", err
	}
	if err := c.answered(ctx, "QuerySubsId", resp.Code, resp.Message, resp.RequestId, 1, d); err != nil {
		return "", err
	}
	return resp.SubsId, nil
}

// QuerySubscriptionDetail reads a binding.
func (c *Client) QuerySubscriptionDetail(ctx context.Context, r *core.QueryRequest) (core.BindingDetail, error) {
	resp := dyplsapi.CreateQuerySubscriptionDetailResponse()
	d, err := c.do(ctx, "QuerySubscriptionDetail", opParams(r.PoolKey, queryFields, r), resp, 1)
	if err != nil {
		return core.BindingDetail{}, err
	}
	if err := c.answered(ctx, "QuerySubscriptionDetail", resp.Code, resp.Message, resp.RequestId, 1, d); err != nil {
		return core.BindingDetail{}, err
	}
	dto := resp.SecretBindDetailDTO
	return core.BindingDetail{SubsId: dto.SubsId, Status: dto.Status, PhoneNoA: dto.PhoneNoA, PhoneNoB: dto.PhoneNoB,
		PhoneNoX: dto.PhoneNoX, GroupId: dto.GroupId, Extension: dto.Extension, ExpireDate: dto.ExpireDate,
		GmtCreate: dto.GmtCreate, NeedRecord: dto.NeedRecord, CallRestrict: dto.CallRestrict,
		ASRStatus: dto.ASRStatus, ASRModelId: dto.ASRModelId}, nil
}

// CreateAxgGroup makes a G group and answers its GroupId.
func (c *Client) CreateAxgGroup(ctx context.Context, r *core.GroupCreateRequest) (int64, error) {
	resp := dyplsapi.CreateCreateAxgGroupResponse()
	d, err := c.do(ctx, "CreateAxgGroup", opParams(r.PoolKey, groupCreateFields, r), resp, 1)
	if err != nil {
		return 0, err
	}
	if err := c.answered(ctx, "CreateAxgGroup", resp.Code, resp.Message, resp.RequestId, 1, d); err != nil {
		return 0, err
	}
	return resp.GroupId, nil
}

// OperateAxgGroup adds, deletes or overwrites a group's numbers.
func (c *Client) OperateAxgGroup(ctx context.Context, r *core.GroupOperateRequest) error {
	resp := dyplsapi.CreateOperateAxgGroupResponse()
	d, err := c.do(ctx, "OperateAxgGroup", opParams(r.PoolKey, groupOperateFields, r), resp, 1)
	if err != nil {
		return err
	}
	return c.answered(ctx, "OperateAxgGroup", resp.Code, resp.Message, resp.RequestId, 1, d)
}

// DeleteAxgGroup deletes a group no binding uses.
func (c *Client) DeleteAxgGroup(ctx context.Context, r *core.GroupDeleteRequest) error {
	resp := dyplsapi.CreateDeleteAxgGroupResponse()
	d, err := c.do(ctx, "DeleteAxgGroup", opParams(r.PoolKey, groupDeleteFields, r), resp, 1)
	if err != nil {
		return err
	}
	return c.answered(ctx, "DeleteAxgGroup", resp.Code, resp.Message, resp.RequestId, 1, d)
}
