package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/receipt"
)

func rcpt(t *testing.T, typ, body string) receipt.Receipt {
	t.Helper()
	rc, err := receipt.One([]byte(body), typ, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// TestReceiptsOnceJoined: a receipt is recorded once however often it
// comes, joined to its binding, and shown by the order under it.
func TestReceiptsOnceJoined(t *testing.T) {
	ctx := context.Background()
	l := ledger.New(ledger.NewMemory(0))
	b := ledger.NewBindings(l, time.Hour)
	r := ledger.NewReceipts(l, time.Hour, true)
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	b.Bound(ctx, "FC1", []core.Made{{Item: &core.Item{PhoneNoA: "13800000001", Expiration: exp, OutOrderId: "o1"},
		Binding: core.Binding{SubsId: "1001", SecretNo: "17100000001"}}})
	start := rcpt(t, "SecretStartReport", `{"pool_key":"FC1","sub_id":1001,"call_id":"c1","phone_no":"13800000001","secret_no":"17100000001"}`)
	end := rcpt(t, "SecretReport", `{"pool_key":"FC1","sub_id":"1001","call_id":"c1","release_cause":16}`)
	for i, x := range []receipt.Receipt{start, start, end, start} {
		got, err := r.Record(ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		if want := i == 1 || i == 3; got.Repeat != want || got.Binding == nil || got.Binding.SubsId != "1001" {
			t.Fatalf("delivery %d: %+v, want Repeat %v and its binding", i, got, want)
		}
	}
	bs, err := b.Order(ctx, "FC1", "o1")
	if err != nil || len(bs) != 1 {
		t.Fatalf("%+v %v", bs, err)
	}
	if rs := bs[0].Receipts; len(rs) != 2 || rs[0].Type != "SecretStartReport" || rs[1].Type != "SecretReport" || rs[0].PhoneNo != "138****0001" {
		t.Fatalf("the binding's receipts: %+v", rs)
	}
	// Unjoined (a ledger that keeps no bindings): recorded once all the same.
	u := ledger.NewReceipts(ledger.New(ledger.NewMemory(0)), time.Hour, false)
	first, _ := u.Record(ctx, end)
	again, _ := u.Record(ctx, end)
	if first.Repeat || !again.Repeat || first.Binding != nil {
		t.Fatalf("unjoined: %+v then %+v", first, again)
	}
}

// TestAReceiptSettlesAnUnknownBind: a bind of unknown outcome that a
// receipt shows made is live under the SubsId the receipt gives, in its
// order; one the receipt could be one of two of stays unknown.
func TestAReceiptSettlesAnUnknownBind(t *testing.T) {
	ctx := context.Background()
	l := ledger.New(ledger.NewMemory(0))
	b := ledger.NewBindings(l, time.Hour)
	r := ledger.NewReceipts(l, time.Hour, true)
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	b.Bound(ctx, "FC1", []core.Made{
		{Item: &core.Item{PhoneNoA: "13800000001", Expiration: exp, OutOrderId: "o1", OutId: "x1"}, Unknown: true},
		{Item: &core.Item{PhoneNoA: "13900000002", Expiration: exp, OutOrderId: "o2"}, Unknown: true},
		{Item: &core.Item{PhoneNoA: "13900000002", Expiration: exp, OutOrderId: "o3"}, Unknown: true},
	})
	got, err := r.Record(ctx, rcpt(t, "SecretStartReport", `{"pool_key":"FC1","sub_id":2001,"call_id":"c1","phone_no":"13800000001","secret_no":"17100000009","out_id":"x1"}`))
	if err != nil || !got.Settled || got.Binding.State != ledger.BindingLive {
		t.Fatalf("%+v %v", got, err)
	}
	bs, _ := b.Order(ctx, "FC1", "o1")
	if len(bs) != 1 || bs[0].State != ledger.BindingLive || bs[0].SubsId != "2001" || bs[0].SecretNo != "17100000009" || len(bs[0].Receipts) != 1 {
		t.Fatalf("order o1 after the receipt: %+v", bs)
	}
	// A second receipt of the binding finds it by its SubsId now.
	if got, err := r.Record(ctx, rcpt(t, "SecretReport", `{"pool_key":"FC1","sub_id":2001,"call_id":"c1"}`)); err != nil || got.Settled || got.Binding == nil {
		t.Fatalf("%+v %v", got, err)
	}
	// Two unknown binds of one masked A and no OutId: never guessed.
	got, err = r.Record(ctx, rcpt(t, "SecretStartReport", `{"pool_key":"FC1","sub_id":2002,"call_id":"c2","phone_no":"13900000002"}`))
	if err != nil || got.Settled || got.Binding != nil {
		t.Fatalf("ambiguous: %+v %v", got, err)
	}
	for _, o := range []string{"o2", "o3"} {
		if bs, _ := b.Order(ctx, "FC1", o); len(bs) != 1 || bs[0].State != ledger.BindingUnknown {
			t.Fatalf("order %s: %+v", o, bs)
		}
	}
}
