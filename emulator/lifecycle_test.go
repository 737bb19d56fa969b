package emulator_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/testkit/testclock"
)

func TestExpiredBindingReadsStatusZeroAndRefusesUpdates(t *testing.T) {
	clk := testclock.At(time.Now())
	emu := emulator.New(emulator.Demo(), emulator.WithClock(clk.Now))
	c, ctx := demo(t, emu), context.Background()
	b, err := c.BindAxg(ctx, emulator.DemoPoolKey, item("13800000001", 2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	q := &core.QueryRequest{PoolKey: emulator.DemoPoolKey, SubsId: b.SubsId, PhoneNoX: b.SecretNo}
	if d, err := c.QuerySubscriptionDetail(ctx, q); err != nil || d.Status != 1 {
		t.Fatalf("live binding: %+v, %v; want Status 1", d, err)
	}
	clk.Add(3 * time.Minute)
	if d, err := c.QuerySubscriptionDetail(ctx, q); err != nil || d.Status != 0 {
		t.Fatalf("expired binding: %+v, %v; want Status 0", d, err)
	}
	up := &core.UpdateRequest{PoolKey: emulator.DemoPoolKey, SubsId: b.SubsId, PhoneNoX: b.SecretNo, OperateType: "updateOutId", OutId: "x"}
	if got := code(c.UpdateSubscription(ctx, up)); got != "isv.FORBIDDEN_ACTION" {
		t.Errorf("update of an expired binding: %s, want isv.FORBIDDEN_ACTION", got)
	}
}

func TestUnbindFreesX(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	c, ctx := demo(t, emu), context.Background()
	// The strict pool has two X numbers: A takes both, then none is left for A.
	var subs []core.Binding
	for range 2 {
		it := item("13800000001", time.Hour)
		it.GroupId = "4321"
		b, err := c.BindAxg(ctx, emulator.DemoStrictPoolKey, it)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, b)
	}
	it := item("13800000001", time.Hour)
	it.GroupId = "4321"
	if _, err := c.BindAxg(ctx, emulator.DemoStrictPoolKey, it); code(err) != core.CodeNoAvailableNumber {
		t.Fatalf("third bind: %v, want isv.NO_AVAILABLE_NUMBER", err)
	}
	un := &core.UnbindRequest{PoolKey: emulator.DemoStrictPoolKey, SubsId: subs[0].SubsId, SecretNo: subs[0].SecretNo}
	if err := c.UnbindSubscription(ctx, un); err != nil {
		t.Fatal(err)
	}
	if got := code(c.UnbindSubscription(ctx, un)); got != "isv.SUBS_NOT_EXIST" {
		t.Errorf("second unbind: %s, want isv.SUBS_NOT_EXIST", got)
	}
	b, err := c.BindAxg(ctx, emulator.DemoStrictPoolKey, it)
	if err != nil || b.SecretNo != subs[0].SecretNo {
		t.Fatalf("bind after unbind: %+v, %v; want the freed X %s", b, err, subs[0].SecretNo)
	}
}

func TestUpdateRules(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	c, ctx := demo(t, emu), context.Background()
	b1, err := c.BindAxg(ctx, emulator.DemoPoolKey, &core.Item{PhoneNoA: "13800000001", PhoneNoX: "17100000000", GroupId: "1234", Expiration: item("", time.Hour).Expiration})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.BindAxg(ctx, emulator.DemoPoolKey, &core.Item{PhoneNoA: "13800000002", PhoneNoX: "17100000000", GroupId: "1234", Expiration: item("", time.Hour).Expiration}); err != nil {
		t.Fatal(err)
	}
	base := core.UpdateRequest{PoolKey: emulator.DemoPoolKey, SubsId: b1.SubsId, PhoneNoX: b1.SecretNo}
	for _, tc := range []struct {
		name string
		edit func(*core.UpdateRequest)
		want core.Code
	}{
		{"A taken on X by another binding", func(r *core.UpdateRequest) { r.OperateType, r.PhoneNoA = "updateNoA", "13800000002" }, core.CodeBindConflict},
		{"new A", func(r *core.UpdateRequest) { r.OperateType, r.PhoneNoA = "updateNoA", "13800000003" }, core.CodeOK},
		{"no such group", func(r *core.UpdateRequest) { r.OperateType, r.GroupId = "updateAxgGroup", "999" }, core.CodeIllegalArgument},
		{"empty group", func(r *core.UpdateRequest) { r.OperateType, r.GroupId = "updateAxgGroup", "1235" }, core.CodeIllegalArgument},
		{"clear the restriction", func(r *core.UpdateRequest) {
			r.OperateType, r.CallRestrict = "updateCallRestrict", "CONTROL_CLEAR_DISABLE"
		}, core.CodeOK},
		{"expiration too soon", func(r *core.UpdateRequest) { r.OperateType, r.Expiration = "updateExpire", item("", 0).Expiration }, core.CodeExpireDateIllegal},
		{"unknown operation", func(r *core.UpdateRequest) { r.OperateType = "updateAsr" }, core.CodeInvalidParameters},
		{"wrong X", func(r *core.UpdateRequest) { r.OperateType, r.OutId, r.PhoneNoX = "updateOutId", "o", "17100000001" }, "isv.SUBS_NOT_EXIST"}, // UpdateSubscription's page: a SubsId that does not match the X
		{"no such binding", func(r *core.UpdateRequest) { r.OperateType, r.OutId, r.SubsId = "updateOutId", "o", "42" }, "isv.SUBS_NOT_EXIST"},
	} {
		r := base
		tc.edit(&r)
		if got := code(c.UpdateSubscription(ctx, &r)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestGroupLimits(t *testing.T) {
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	c, ctx := demo(t, emu), context.Background()
	nums := func(from, n int) string {
		s := make([]string, n)
		for i := range s {
			s[i] = strconv.Itoa(13900100000 + from + i)
		}
		return strings.Join(s, ",")
	}
	id, err := c.CreateAxgGroup(ctx, &core.GroupCreateRequest{PoolKey: emulator.DemoPoolKey, Name: "g", Numbers: nums(0, 200)})
	if err != nil {
		t.Fatal(err)
	}
	gid := strconv.FormatInt(id, 10)
	op := func(kind, numbers string) core.Code {
		return code(c.OperateAxgGroup(ctx, &core.GroupOperateRequest{PoolKey: emulator.DemoPoolKey, GroupId: gid, OperateType: kind, Numbers: numbers}))
	}
	// OperateAxgGroup's page: at most 200 numbers a call, so a group grows
	// past 200 by several adds; overwriteNumbers only while it holds <= 200.
	if got := op("addNumbers", nums(200, 1)); got != "OK" {
		t.Errorf("a 201st number, added: %s, want OK", got)
	}
	if got := op("overwriteNumbers", nums(0, 2)); got != "isv.ILLEGAL_ARGUMENT" {
		t.Errorf("overwriteNumbers on a group of 201: %s, want isv.ILLEGAL_ARGUMENT", got)
	}
	if got := op("deleteNumbers", nums(0, 1)); got != "OK" {
		t.Fatal(got)
	}
	if got := op("overwriteNumbers", nums(0, 2)); got != "OK" {
		t.Errorf("overwriteNumbers on a group of 200: %s, want OK", got)
	}
	if _, err := c.CreateAxgGroup(ctx, &core.GroupCreateRequest{PoolKey: emulator.DemoPoolKey, Name: strings.Repeat("名", 17)}); code(err) != "isv.ILLEGAL_ARGUMENT" {
		t.Errorf("17-character name: %v", err)
	}
	// The demo pool holds 3 groups now (1234, 1235 and the one above).
	for i := 3; i < 2000; i++ {
		if _, err := c.CreateAxgGroup(ctx, &core.GroupCreateRequest{PoolKey: emulator.DemoPoolKey}); err != nil {
			t.Fatalf("group %d: %v", i+1, err)
		}
	}
	if _, err := c.CreateAxgGroup(ctx, &core.GroupCreateRequest{PoolKey: emulator.DemoPoolKey}); code(err) != "isv.FORBIDDEN_ACTION" {
		t.Errorf("group 2001: %v, want isv.FORBIDDEN_ACTION", err)
	}
	if _, err := c.CreateAxgGroup(ctx, &core.GroupCreateRequest{PoolKey: emulator.DemoStrictPoolKey}); err != nil {
		t.Errorf("another pool's first group: %v", err)
	}
}

func TestCeilingPerAction(t *testing.T) {
	clk := testclock.At(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
	emu := emulator.New(emulator.Demo(), emulator.WithClock(clk.Now))
	c, ctx := demo(t, emu), context.Background()
	q := &core.QueryRequest{PoolKey: emulator.DemoPoolKey, SubsId: "1", PhoneNoX: "17100000000"}
	for i := range 1000 {
		if got := code(func() error { _, err := c.QuerySubscriptionDetail(ctx, q); return err }()); got != "isv.SUBS_NOT_EXIST" {
			t.Fatalf("query %d: %s", i+1, got)
		}
	}
	if _, err := c.QuerySubscriptionDetail(ctx, q); code(err) != core.CodeFlowLimit {
		t.Errorf("query 1001 in one second: %v, want isv.FLOW_LIMIT", err)
	}
	// Another action keeps its own ceiling in the same second.
	if err := c.UnbindSubscription(ctx, &core.UnbindRequest{PoolKey: emulator.DemoPoolKey, SubsId: "1", SecretNo: "17100000000"}); code(err) != "isv.SUBS_NOT_EXIST" {
		t.Errorf("unbind in the same second: %v", err)
	}
}

// TestStateByOrder: the emulator keeps each binding's OutOrderId, and its
// state (the console's) lists bindings by order, newest first in each.
func TestStateByOrder(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	c, ctx := demo(t, emu), context.Background()
	for _, b := range []struct{ a, order string }{{"13800000191", "o-b"}, {"13800000192", ""}, {"13800000193", "o-a"}, {"13800000194", "o-b"}} {
		it := item(b.a, time.Hour)
		it.OutOrderId = b.order
		if _, err := c.BindAxg(ctx, emulator.DemoPoolKey, it); err != nil {
			t.Fatalf("bind %s: %v", b.a, err)
		}
	}
	var got []string
	for _, v := range emu.State().Bindings {
		got = append(got, v.OutOrderId+"="+v.PhoneNoA)
	}
	if want := "o-a=138****0193 o-b=138****0194 o-b=138****0191 =138****0192"; strings.Join(got, " ") != want {
		t.Fatalf("state by order: %s, want %s", strings.Join(got, " "), want)
	}
}
