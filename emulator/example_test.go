package emulator_test

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyplsapi"

	"github.com/axg-binder/binder/emulator"
)

// The vendor's own SDK, unchanged but for its transport, binds against the
// emulator in process. Over a port, set the request's domain and port instead.
func Example() {
	emu := emulator.New(emulator.Demo())

	cfg := sdk.NewConfig()
	cfg.Transport = emu.Transport()
	client, err := dyplsapi.NewClientWithOptions("cn-hangzhou", cfg,
		credentials.NewAccessKeyCredential(emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret))
	if err != nil {
		panic(err)
	}
	bind := func(x string) *dyplsapi.BindAxgResponse {
		req := dyplsapi.CreateBindAxgRequest()
		req.Domain = "dyplsapi.aliyuncs.com"
		req.PoolKey = emulator.DemoPoolKey
		req.PhoneNoA = "13800138000"
		req.GroupId = "1234"
		req.PhoneNoX = x
		req.ExpectCity = "上海"
		req.Expiration = time.Now().Add(24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
		resp, err := client.BindAxg(req)
		if err != nil {
			panic(err)
		}
		return resp
	}
	first := bind("") // the pool picks an X in 上海
	fmt.Println(first.Code, first.SecretBindDTO.SecretNo)
	// The same A on the same X again: a conflict, as upstream.
	fmt.Println(bind(first.SecretBindDTO.SecretNo).Code)
	// Output:
	// OK 17100010000
	// isv.BIND_CONFLICT
}

// Every action of a binding's life, through the vendor's own SDK: a group
// made and filled, a binding on it queried, extended and ended, the group
// deleted once nothing uses it.
func Example_lifecycle() {
	emu := emulator.New(emulator.Demo())
	cfg := sdk.NewConfig()
	cfg.Transport = emu.Transport()
	client, err := dyplsapi.NewClientWithOptions("cn-hangzhou", cfg,
		credentials.NewAccessKeyCredential(emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret))
	if err != nil {
		panic(err)
	}
	cst := time.FixedZone("CST", 8*3600)
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}

	create := dyplsapi.CreateCreateAxgGroupRequest()
	create.Domain, create.PoolKey, create.Name, create.Numbers = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, "recruiters", "13900000011"
	group, err := client.CreateAxgGroup(create)
	must(err)
	fmt.Println("CreateAxgGroup", group.Code, group.GroupId > 0)

	operate := dyplsapi.CreateOperateAxgGroupRequest()
	operate.Domain, operate.PoolKey, operate.OperateType, operate.Numbers = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, "addNumbers", "13900000012,13900000013"
	operate.GroupId = requests.NewInteger(int(group.GroupId))
	op, err := client.OperateAxgGroup(operate)
	must(err)
	fmt.Println("OperateAxgGroup", op.Code)

	bind := dyplsapi.CreateBindAxgRequest()
	bind.Domain, bind.PoolKey, bind.PhoneNoA = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, "13800138000"
	bind.GroupId = strconv.FormatInt(group.GroupId, 10)
	bind.Expiration = time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	bound, err := client.BindAxg(bind)
	must(err)
	subs, x := bound.SecretBindDTO.SubsId, bound.SecretBindDTO.SecretNo

	query := func() *dyplsapi.QuerySubscriptionDetailResponse {
		q := dyplsapi.CreateQuerySubscriptionDetailRequest()
		q.Domain, q.PoolKey, q.SubsId, q.PhoneNoX = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, subs, x
		resp, err := client.QuerySubscriptionDetail(q)
		must(err)
		return resp
	}
	d := query().SecretBindDetailDTO
	fmt.Println("QuerySubscriptionDetail", d.Status, d.PhoneNoA, d.GroupId == group.GroupId)

	update := dyplsapi.CreateUpdateSubscriptionRequest()
	update.Domain, update.PoolKey, update.SubsId, update.PhoneNoX = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, subs, x
	update.OperateType, update.Expiration = "updateExpire", time.Now().Add(48*time.Hour).In(cst).Format("2006-01-02 15:04:05")
	up, err := client.UpdateSubscription(update)
	must(err)
	fmt.Println("UpdateSubscription", up.Code, query().SecretBindDetailDTO.ExpireDate == update.Expiration)

	deleteGroup := func() *dyplsapi.DeleteAxgGroupResponse {
		del := dyplsapi.CreateDeleteAxgGroupRequest()
		del.Domain, del.PoolKey, del.GroupId = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, requests.NewInteger(int(group.GroupId))
		resp, err := client.DeleteAxgGroup(del)
		must(err)
		return resp
	}
	inUse := deleteGroup()
	fmt.Println("DeleteAxgGroup while bound", inUse.Code)

	unbind := dyplsapi.CreateUnbindSubscriptionRequest()
	unbind.Domain, unbind.PoolKey, unbind.SubsId, unbind.SecretNo = "dyplsapi.aliyuncs.com", emulator.DemoPoolKey, subs, x
	un, err := client.UnbindSubscription(unbind)
	must(err)
	fmt.Println("UnbindSubscription", un.Code, query().Code)

	fmt.Println("DeleteAxgGroup", deleteGroup().Code)
	// Output:
	// CreateAxgGroup OK true
	// OperateAxgGroup OK
	// QuerySubscriptionDetail 1 13800138000 true
	// UpdateSubscription OK true
	// DeleteAxgGroup while bound isv.FORBIDDEN_ACTION
	// UnbindSubscription OK isv.SUBS_NOT_EXIST
	// DeleteAxgGroup OK
}
