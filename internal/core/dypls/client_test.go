package dypls_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/request"
)

func future() string {
	return time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
}

func newClient(t *testing.T, endpoint string, e *emulator.Emulator, secret string) *dypls.Client {
	t.Helper()
	cfg := dypls.Config{Endpoint: endpoint, AccessKeyID: emulator.DemoAccessKeyID, AccessKeySecret: secret, Timeout: 2 * time.Second}
	if e != nil {
		cfg.Transport = e.Transport()
	}
	c, err := dypls.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBindOverLoopbackAndInProcess(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	srv := httptest.NewServer(emu)
	defer srv.Close()
	for name, c := range map[string]*dypls.Client{
		"loopback":   newClient(t, srv.URL, nil, emulator.DemoAccessKeySecret),
		"in-process": newClient(t, "http://dyplsapi.aliyuncs.com", emu, emulator.DemoAccessKeySecret),
	} {
		t.Run(name, func(t *testing.T) {
			b, err := c.BindAxg(context.Background(), emulator.DemoPoolKey, &core.Item{PhoneNoA: "13800000001", GroupId: "1234", Expiration: future(), ExpectCity: "杭州"})
			if err != nil {
				t.Fatal(err)
			}
			if b.SecretNo[:7] != "1710002" || b.SubsId == "" {
				t.Errorf("binding = %+v, want an X of 杭州 (1710002...) and a SubsId", b)
			}
			res, err := c.BindBatchAxg(context.Background(), emulator.DemoPoolKey, []*core.Item{
				{PhoneNoA: "13800000002", GroupId: "1234", Expiration: future()},
				{PhoneNoA: "13800000003", GroupId: "1235", Expiration: future()},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 2 || res[0].Code != core.CodeOK || res[1].Code != core.CodeIllegalArgument || res[1].PhoneNoA != "13800000003" {
				t.Errorf("batch = %+v", res)
			}
		})
	}
}

func TestContextCredentials(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	emu.AddKey(emulator.Key{ID: "STS.invocation", Secret: "sts-secret", SecurityToken: "sts-token"})
	c, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", ContextCredentials: true, Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	it := &core.Item{PhoneNoA: "13800000001", GroupId: "1234", Expiration: future()}
	if _, err := c.BindAxg(context.Background(), emulator.DemoPoolKey, it); err == nil || err.(*core.Error).Code != core.CodeInternal || err.(*core.Error).Retryable() {
		t.Fatalf("no credentials anywhere: %v", err)
	}
	ctx := request.With(context.Background(), request.Info{Credentials: request.Credentials{AccessKeyID: "STS.invocation", AccessKeySecret: "sts-secret", SecurityToken: "sts-token"}})
	if _, err := c.BindAxg(ctx, emulator.DemoPoolKey, it); err != nil {
		t.Fatalf("the invocation's credentials: %v", err)
	}
	if _, err := dypls.New(dypls.Config{}); err == nil {
		t.Fatal("a client with no credentials and none expected from the context")
	}
}
