package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/validate"
)

const receiptSecret = "s3cret-of-the-push-route"

// receiptsSetup is a binder that keeps its bindings and takes receipts,
// served on a port, the emulator pushing its calls' receipts to it.
func receiptsSetup(t *testing.T) *setup {
	var h http.Handler
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(front.Close)
	l := ledger.New(ledger.NewMemory(0))
	b := ledger.NewBindings(l, 0)
	opt := options{emu: []emulator.Option{emulator.WithReceiptsPush(front.URL + httpapi.RouteReceipts + receiptSecret + "/{type}")}}
	opt.svc.Recorder, opt.svc.Orders, opt.http.Orders = b, b, b
	opt.http.Receipts, opt.http.ReceiptsSecret = ledger.NewReceipts(l, 0, true), receiptSecret
	s := newSetup(t, opt)
	h = s.h
	return s
}

// TestReceiptsPushedOnceJoined: a call placed on a binding has its
// receipts pushed, each twice as the vendor may; every push is
// acknowledged in the vendor's form, each receipt recorded once, and
// order/get shows them under the binding, numbers masked.
func TestReceiptsPushedOnceJoined(t *testing.T) {
	t.Parallel()
	s := receiptsSetup(t)
	subs, _ := s.bound(t, "13800000401", `"OutOrderId":"o-r"`)
	call, err := s.emu.PlaceCall(context.Background(), emulator.CallSpec{SubsId: subs, Twice: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(call.Pushes) != 2*len(call.Receipts) || len(call.Receipts) < 4 {
		t.Fatalf("%d pushes of %d receipts", len(call.Pushes), len(call.Receipts))
	}
	for _, p := range call.Pushes {
		var ack map[string]any
		if p.Status != 200 || json.Unmarshal([]byte(p.Answer), &ack) != nil || ack["code"] != float64(0) {
			t.Fatalf("push of %s: %+v", p.Type, p)
		}
	}
	got := s.do(t, "POST", httpapi.RouteOrderGet, order("o-r"))
	bs := bindings(got)
	if got.status != 200 || len(bs) != 1 {
		t.Fatalf("order/get: %d %s", got.status, got.raw)
	}
	rs, _ := bs[0]["Receipts"].([]any)
	if len(rs) != len(call.Receipts) {
		t.Fatalf("%d receipts under the binding, want %d once each: %s", len(rs), len(call.Receipts), got.raw)
	}
	types := map[string]bool{}
	for _, x := range rs {
		r := x.(map[string]any)
		types[r["Type"].(string)] = true
		if r["CallId"] != call.CallId || r["SubsId"] != subs || r["PhoneNo"] != "138****0401" {
			t.Errorf("receipt %v", r)
		}
	}
	for typ := range call.Receipts {
		if !types[typ] {
			t.Errorf("no %s under the binding", typ)
		}
	}
	if strings.Contains(got.raw, "13800000401") {
		t.Error("order/get shows A in clear")
	}
	if strings.Contains(s.logs.String(), receiptSecret) {
		t.Error("the push route's secret was logged")
	}
	if !strings.Contains(s.logs.String(), `"route":"/v1/receipts/{secret}"`) {
		t.Error("the push's log line does not name its route")
	}
}

// TestReceiptRouteRefuses: a wrong secret is no route at all; an unknown
// type, another method and a body that is no batch are refused; a batch
// of one bad record and one good one is acknowledged, the good one kept.
func TestReceiptRouteRefuses(t *testing.T) {
	t.Parallel()
	s := receiptsSetup(t)
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", httpapi.RouteReceipts + "wrong-secret-of-the-route/SecretReport", "[]", 404},
		{"POST", httpapi.RouteReceipts + receiptSecret + "x", "[]", 404},
		{"POST", httpapi.RouteReceipts, "[]", 404},
		{"POST", httpapi.RouteReceipts + receiptSecret + "/SecretReports", "[]", 404},
		{"GET", httpapi.RouteReceipts + receiptSecret, "", 405},
		{"POST", httpapi.RouteReceipts + receiptSecret + "/SecretReport", `{"call_id":"c"}`, 400},
		{"POST", httpapi.RouteReceipts + receiptSecret + "/SecretReport", `[7,{"call_id":"c9","sub_id":9,"pool_key":"FC1"}]`, 200},
		{"POST", httpapi.RouteReceipts + receiptSecret, `[{"call_id":"c9","sub_id":9,"pool_key":"FC1","release_time":"2026-12-06 10:00:00"}]`, 200},
	} {
		a := s.do(t, c.method, c.path, c.body)
		if a.status != c.status || strings.Contains(a.raw, receiptSecret) {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, a.status, a.raw, c.status)
		}
	}
	if n := strings.Count(s.logs.String(), `"message":"receipt not read"`); n != 1 {
		t.Errorf("%d unreadable records logged, want 1", n)
	}
	// Without a secret configured there is no route.
	plain := newSetup(t, options{})
	if a := plain.do(t, "POST", httpapi.RouteReceipts+receiptSecret, "[]"); a.status != 404 {
		t.Fatalf("no secret: %d %s", a.status, a.raw)
	}
}

// BenchmarkReceiptPush100 is a 100-record push (each a new SecretReport,
// half of them a second delivery) through the whole handler to its
// acknowledgement, on a memory ledger that keeps bindings: what the
// binder adds to the vendor's 700 ms.
func BenchmarkReceiptPush100(b *testing.B) {
	svc, _ := core.NewService(nil, core.Options{QPS: 1e9})
	l := ledger.New(ledger.NewMemory(1 << 30))
	h := httpapi.NewHandler(svc, validate.New(nil, 1000), slog.New(slog.NewJSONHandler(io.Discard, nil)),
		httpapi.Config{Receipts: ledger.NewReceipts(l, 0, true), ReceiptsSecret: receiptSecret})
	batch := func(n int) []byte {
		var sb strings.Builder
		sb.WriteByte('[')
		for i := range 100 {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"pool_key":"FC123456","sub_id":%d,"call_id":"c%d-%d","phone_no":"13800000001","secret_no":"17100000001","peer_no":"13900000002","call_time":"2026-12-06 10:00:00","release_time":"2026-12-06 10:01:00","release_cause":16}`,
				1000000000000001+i, n, i%50)
		}
		sb.WriteByte(']')
		return []byte(sb.String())
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := httptest.NewRequest("POST", httpapi.RouteReceipts+receiptSecret+"/SecretReport", bytes.NewReader(batch(i)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// TestReceiptsPushedAgainAfterALostAck: a push whose acknowledgement the
// vendor takes for lost is pushed again; the receipts are kept once.
func TestReceiptsPushedAgainAfterALostAck(t *testing.T) {
	t.Parallel()
	s := receiptsSetup(t)
	subs, _ := s.bound(t, "13800000402", `"OutOrderId":"o-ack"`)
	call, err := s.emu.PlaceCall(context.Background(), emulator.CallSpec{SubsId: subs, AckLost: true, Delay: "10ms"})
	if err != nil {
		t.Fatal(err)
	}
	if len(call.Pushes) != 2*len(call.Receipts) {
		t.Fatalf("%d pushes of %d receipts, want each twice", len(call.Pushes), len(call.Receipts))
	}
	bs := bindings(s.do(t, "POST", httpapi.RouteOrderGet, order("o-ack")))
	if rs, _ := bs[0]["Receipts"].([]any); len(rs) != len(call.Receipts) {
		t.Fatalf("%d receipts under the binding, want %d", len(rs), len(call.Receipts))
	}
	if _, err := s.emu.PlaceCall(context.Background(), emulator.CallSpec{SubsId: subs, Delay: "soon"}); err == nil {
		t.Fatal("a Delay that is no duration was taken")
	}
}
