package emulator_test

import (
	"fmt"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyplsapi"

	"github.com/axg-binder/binder/core/dypls/emulator"
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
