package dypls

import (
	"strconv"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyplsapi"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/request"
)

// Each lifecycle call, built by the SDK's own request type from the same
// input, must be the request we sign: same parameters, same signature.

func sdkUnbind(r *core.UnbindRequest) requests.AcsRequest {
	req := dyplsapi.CreateUnbindSubscriptionRequest()
	req.PoolKey, req.SubsId, req.SecretNo = r.PoolKey, r.SubsId, r.SecretNo
	return req
}

func sdkUpdate(r *core.UpdateRequest) requests.AcsRequest {
	req := dyplsapi.CreateUpdateSubscriptionRequest()
	req.PoolKey, req.SubsId, req.PhoneNoX, req.OperateType = r.PoolKey, r.SubsId, r.PhoneNoX, r.OperateType
	req.PhoneNoA, req.PhoneNoB, req.Expiration, req.GroupId = r.PhoneNoA, r.PhoneNoB, r.Expiration, r.GroupId
	req.CallRestrict, req.OutId = r.CallRestrict, r.OutId
	if r.CallDisplayType != nil {
		req.CallDisplayType = requests.NewInteger(*r.CallDisplayType)
	}
	if r.IsRecordingEnabled != nil {
		req.IsRecordingEnabled = requests.NewBoolean(*r.IsRecordingEnabled)
	}
	if r.ASRStatus != nil {
		req.ASRStatus = requests.NewBoolean(*r.ASRStatus)
	}
	req.ASRModelId, req.RingConfig = r.ASRModelId, r.RingConfig
	return req
}

func sdkQuery(r *core.QueryRequest) requests.AcsRequest {
	req := dyplsapi.CreateQuerySubscriptionDetailRequest()
	req.PoolKey, req.SubsId, req.PhoneNoX = r.PoolKey, r.SubsId, r.PhoneNoX
	return req
}

func sdkSubsId(r *core.SubsIdRequest) requests.AcsRequest {
	req := dyplsapi.CreateQuerySubsIdRequest()
	req.PoolKey, req.PhoneNoX = r.PoolKey, r.PhoneNoX
	return req
}

func sdkGroupCreate(r *core.GroupCreateRequest) requests.AcsRequest {
	req := dyplsapi.CreateCreateAxgGroupRequest()
	req.PoolKey, req.Name, req.Remark, req.Numbers = r.PoolKey, r.Name, r.Remark, r.Numbers
	return req
}

func sdkGroupOperate(r *core.GroupOperateRequest) requests.AcsRequest {
	req := dyplsapi.CreateOperateAxgGroupRequest()
	req.PoolKey, req.OperateType, req.Numbers = r.PoolKey, r.OperateType, r.Numbers
	if n, err := strconv.Atoi(r.GroupId); err == nil {
		req.GroupId = requests.NewInteger(n)
	}
	return req
}

func sdkGroupDelete(r *core.GroupDeleteRequest) requests.AcsRequest {
	req := dyplsapi.CreateDeleteAxgGroupRequest()
	req.PoolKey = r.PoolKey
	if n, err := strconv.Atoi(r.GroupId); err == nil {
		req.GroupId = requests.NewInteger(n)
	}
	return req
}

// compareLifecycle checks every lifecycle action for one set of values.
func compareLifecycle(t *testing.T, creds request.Credentials, pool, subs, x, a, text, gid string, n *int, b *bool) {
	t.Helper()
	un := core.UnbindRequest{PoolKey: pool, SubsId: subs, SecretNo: x}
	compare(t, "UnbindSubscription", sdkUnbind(&un), opParams(pool, core.UnbindFields(), &un), "cn-hangzhou", creds)
	up := core.UpdateRequest{PoolKey: pool, SubsId: subs, PhoneNoX: x, OperateType: "updateNoA", PhoneNoA: a, PhoneNoB: a,
		Expiration: text, GroupId: gid, CallRestrict: text, OutId: text, CallDisplayType: n, IsRecordingEnabled: b,
		ASRStatus: b, ASRModelId: text, RingConfig: text}
	compare(t, "UpdateSubscription", sdkUpdate(&up), opParams(pool, core.UpdateFields(), &up), "cn-hangzhou", creds)
	q := core.QueryRequest{PoolKey: pool, SubsId: subs, PhoneNoX: x}
	compare(t, "QuerySubscriptionDetail", sdkQuery(&q), opParams(pool, core.QueryFields(), &q), "cn-hangzhou", creds)
	si := core.SubsIdRequest{PoolKey: pool, PhoneNoX: x}
	compare(t, "QuerySubsId", sdkSubsId(&si), opParams(pool, core.SubsIdFields(), &si), "cn-hangzhou", creds)
	gc := core.GroupCreateRequest{PoolKey: pool, Name: text, Remark: subs, Numbers: a + "," + x}
	compare(t, "CreateAxgGroup", sdkGroupCreate(&gc), opParams(pool, core.GroupCreateFields(), &gc), "cn-hangzhou", creds)
	if _, err := strconv.Atoi(gid); err != nil {
		return // the SDK's GroupId is an integer: only whole numbers are comparable (validation refuses the rest)
	}
	gov := core.GroupOperateRequest{PoolKey: pool, GroupId: gid, OperateType: "overwriteNumbers", Numbers: a}
	compare(t, "OperateAxgGroup", sdkGroupOperate(&gov), opParams(pool, core.GroupOperateFields(), &gov), "cn-hangzhou", creds)
	gd := core.GroupDeleteRequest{PoolKey: pool, GroupId: gid}
	compare(t, "DeleteAxgGroup", sdkGroupDelete(&gd), opParams(pool, core.GroupDeleteFields(), &gd), "cn-hangzhou", creds)
}

func TestLifecycleMatchesSDK(t *testing.T) {
	compareLifecycle(t, cred("LTAI5tTest", "secret", ""), "FC123456", "1000000000000001", "17100000003",
		"13800000001", "2026-12-01 10:00:00", "1234", ptr(1), ptr(true))
	compareLifecycle(t, cred("STS.abc", "s/e+c=r&e t", "token/with+odd=chars&"), "池 key", "a b~c", "",
		"", "CONTROL_CLEAR_DISABLE", "9007199254740993", nil, ptr(false))
}

func FuzzLifecycleMatchesSDK(f *testing.F) {
	f.Add("secret", "", "FC123456", "1000000000000001", "17100000003", "13800000001", "2026-12-01 10:00:00", "1234", 1, true)
	f.Add("s&=", "tok", "p", "", "", "<&>\u2028", "\xff", "0", 0, false)
	f.Fuzz(func(t *testing.T, secret, token, pool, subs, x, a, text, gid string, n int, b bool) {
		if len(gid) > 1 && (gid[0] < '1' || gid[0] > '9') {
			return // "+1", "-1", "01": strconv reads them, the SDK would send 1; validation makes GroupId canonical first
		}
		compareLifecycle(t, cred("LTAI5tFuzz", secret, token), pool, subs, x, a, text, gid, &n, &b)
	})
}
