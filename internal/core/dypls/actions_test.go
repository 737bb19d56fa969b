package dypls_test

import (
	"context"
	"slices"
	"testing"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
)

// TestActionsAreTheCallsMade: dypls.Actions, which the RAM policy is held
// to, names exactly the actions the client's methods send.
func TestActionsAreTheCallsMade(t *testing.T) {
	emu := emulator.New(emulator.Demo())
	c := newClient(t, "", emu, emulator.DemoAccessKeySecret)
	ctx, pool := context.Background(), emulator.DemoPoolKey
	_, _ = c.BindAxg(ctx, pool, &core.Item{})
	_, _ = c.BindBatchAxg(ctx, pool, []*core.Item{{}})
	_ = c.UnbindSubscription(ctx, &core.UnbindRequest{PoolKey: pool})
	_ = c.UpdateSubscription(ctx, &core.UpdateRequest{PoolKey: pool})
	_, _ = c.QuerySubscriptionDetail(ctx, &core.QueryRequest{PoolKey: pool})
	_, _ = c.QuerySubsId(ctx, &core.SubsIdRequest{PoolKey: pool})
	_, _ = c.CreateAxgGroup(ctx, &core.GroupCreateRequest{PoolKey: pool})
	_ = c.OperateAxgGroup(ctx, &core.GroupOperateRequest{PoolKey: pool})
	_ = c.DeleteAxgGroup(ctx, &core.GroupDeleteRequest{PoolKey: pool})
	var sent []string
	for a := range emu.Stats().Calls {
		sent = append(sent, a)
	}
	slices.Sort(sent)
	want := slices.Sorted(slices.Values(dypls.Actions))
	if !slices.Equal(sent, want) {
		t.Errorf("the client sent %v; dypls.Actions says %v", sent, want)
	}
}
