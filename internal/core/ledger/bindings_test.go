package ledger_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
)

var cst = time.FixedZone("CST", 8*3600)

// TestBindings: bindings made, one of unknown outcome and one unmade, all
// of one order, read back newest first; numbers never kept in clear.
func TestBindings(t *testing.T) {
	mem := ledger.NewMemory(0)
	b := ledger.NewBindings(ledger.New(mem), time.Hour)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	past := time.Now().Add(-time.Minute).In(cst).Format("2006-01-02 15:04:05")
	item := func(a, e string) *core.Item {
		return &core.Item{PhoneNoA: a, PhoneNoB: "15800000000", GroupId: "1234", Expiration: e, OutOrderId: "order-1", OutId: "out"}
	}
	b.Bound(ctx, "FC1", []core.Made{{Item: item("13800000001", exp), Binding: core.Binding{SubsId: "s1", SecretNo: "17100000001"}}})
	time.Sleep(2 * time.Millisecond) // newest first is by time
	b.Bound(ctx, "FC1", []core.Made{
		{Item: item("13800000002", past), Binding: core.Binding{SubsId: "s2", SecretNo: "17100000002"}},
		{Item: &core.Item{PhoneNoA: "13800000005", Expiration: exp}, Unknown: true}, // no order: nothing could find it
	})
	time.Sleep(2 * time.Millisecond)
	b.Bound(ctx, "FC1", []core.Made{{Item: item("13800000003", exp), Unknown: true}})
	time.Sleep(2 * time.Millisecond)
	b.Bound(ctx, "FC1", []core.Made{{Item: item("13800000004", exp), Binding: core.Binding{SubsId: "s4", SecretNo: "17100000004"}}})
	b.Unbound(ctx, core.UnbindRequest{PoolKey: "FC1", SubsId: "s4", SecretNo: "17100000004"})
	got, err := b.Order(ctx, "FC1", "order-1")
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, g := range got {
		states = append(states, g.SubsId+"="+g.State)
	}
	if want := "s4=unbound =unknown s2=expired s1=live"; strings.Join(states, " ") != want {
		t.Fatalf("order: %s, want %s\n%+v", strings.Join(states, " "), want, got)
	}
	if got[3].PhoneNoA != "138****0001" || got[3].PhoneNoB != "158****0000" || got[3].SecretNo != "17100000001" || got[3].OutId != "out" {
		t.Fatalf("the live binding: %+v", got[3])
	}
	if got[0].PhoneNoA != "138****0004" || got[0].Made.IsZero() {
		t.Fatalf("the unbound binding kept what was known of it: %+v", got[0])
	}
	if other, err := b.Order(ctx, "FC1", "order-2"); err != nil || len(other) != 0 {
		t.Fatalf("an order never seen: %+v %v", other, err)
	}
	// Nothing at rest holds a number in clear.
	for _, k := range []string{"binding:FC1:s1", "binding:FC1:s4"} {
		r, _ := mem.Get(ctx, k)
		raw, _ := json.Marshal(r)
		body := ""
		if r != nil {
			body = string(r.Body)
		}
		if r == nil || strings.Contains(body, "13800000001") || strings.Contains(body, "13800000004") || strings.Contains(body, "15800000000") {
			t.Fatalf("%s: %s", k, raw)
		}
	}
}

// BenchmarkBound is what recording a batch's bindings costs, in memory
// (the folder's and Redis's cost is their drivers' PutBatch).
func BenchmarkBound(b *testing.B) {
	bs := ledger.NewBindings(ledger.New(ledger.NewMemory(1<<40)), time.Hour)
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	made := make([]core.Made, 100)
	for i := range made {
		made[i] = core.Made{Item: &core.Item{PhoneNoA: "13800000001", GroupId: "1234", Expiration: exp},
			Binding: core.Binding{SecretNo: "17100000001"}}
	}
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i := range made {
			n++
			made[i].Binding.SubsId = strconv.Itoa(n)
			made[i].Item.OutOrderId = strconv.Itoa(n)
		}
		bs.Bound(context.Background(), "FC1", made)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/binding")
}

// TestBindingRecordsExpire: a binding's record is kept until its
// Expiration and the retention (AXG_LEDGER_RETENTION), then gone.
func TestBindingRecordsExpire(t *testing.T) {
	t.Parallel()
	mem := ledger.NewMemory(0)
	b := ledger.NewBindings(ledger.New(mem), 1500*time.Millisecond)
	ctx := context.Background()
	exp := time.Now().Truncate(time.Second) // whole seconds, as the upstream writes it: under a second past
	b.Bound(ctx, "FC1", []core.Made{{Item: &core.Item{PhoneNoA: "13800000001", Expiration: exp.In(cst).Format("2006-01-02 15:04:05"),
		OutOrderId: "o"}, Binding: core.Binding{SubsId: "s1", SecretNo: "17100000001"}}})
	if got, err := b.Order(ctx, "FC1", "o"); err != nil || len(got) != 1 || got[0].State != "expired" {
		t.Fatalf("within the retention: %+v %v", got, err)
	}
	mem.SetClock(func() time.Time { return exp.Add(1600 * time.Millisecond) }) // the store's clock past the retention
	if got, err := b.Order(ctx, "FC1", "o"); err != nil || len(got) != 0 {
		t.Fatalf("past Expiration and the retention: %+v %v", got, err)
	}
	mem.SetClock(func() time.Time { return exp.Add(1400 * time.Millisecond) })
	b.Bound(ctx, "FC1", []core.Made{{Item: &core.Item{PhoneNoA: "13800000001", Expiration: exp.In(cst).Format("2006-01-02 15:04:05"),
		OutOrderId: "o2"}, Binding: core.Binding{SubsId: "s2", SecretNo: "17100000001"}}})
	if got, err := b.Order(ctx, "FC1", "o2"); err != nil || len(got) != 1 {
		t.Fatalf("a store's clock short of the retention still keeps it: %+v %v", got, err)
	}
}
