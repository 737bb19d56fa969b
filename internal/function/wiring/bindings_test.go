package wiring_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/core/message"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

// TestEveryPathRecordsItsBindings: a bind over HTTP, a batch-bind, a file's
// row and an unbind, all for one order, are each a record of the ledger,
// read back by order.
func TestEveryPathRecordsItsBindings(t *testing.T) {
	e, _ := wiringtest.Env(t, wiring.Deps{}, map[string]string{"AXG_LEDGER": "dir:" + t.TempDir()})
	h := e.HTTP()
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	post := func(path, body string) map[string]any {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+wiringtest.Token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var out map[string]any
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &out) != nil {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		return out
	}
	one := post("/v1/axg/bind", `{"PoolKey":"FC123456","PhoneNoA":"13800000161","GroupId":1234,"OutOrderId":"o-9","Expiration":"`+exp+`"}`)
	post("/v1/axg/batch-bind", `{"PoolKey":"FC123456","AxgBindList":[{"PhoneNoA":"13800000162","GroupId":"1234","OutOrderId":"o-9","Expiration":"`+exp+`"}]}`)
	file := "PoolKey,PhoneNoA,GroupId,OutOrderId,Expiration\nFC123456,13800000163,1234,o-9," + exp + "\n"
	if _, err := batchfile.Bind(context.Background(), e.Service, e.Validator, batchfile.File{Name: "o.csv", ETag: "x", Body: strings.NewReader(file)},
		batchfile.DirStore{Base: t.TempDir() + "/o.csv"}, batchfile.Options{Ledger: e.Ledger}); err != nil {
		t.Fatal(err)
	}
	dto := one["SecretBindDTO"].(map[string]any)
	post("/v1/axg/unbind", `{"PoolKey":"FC123456","SubsId":"`+dto["SubsId"].(string)+`","SecretNo":"`+dto["SecretNo"].(string)+`"}`)
	got, err := e.Bindings.Order(context.Background(), "FC123456", "o-9")
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, b := range got {
		seen = append(seen, b.PhoneNoA+"="+b.State)
	}
	if want := "138****0163=live 138****0162=live 138****0161=unbound"; strings.Join(seen, " ") != want {
		t.Fatalf("order o-9: %s, want %s", strings.Join(seen, " "), want)
	}
}

// TestNoBindingsInAMemoryLedger: a ledger in the instance's memory records
// no bindings (they would fill it, and no other instance would see them);
// its bound is a quarter of the function's memory at most.
func TestNoBindingsInAMemoryLedger(t *testing.T) {
	e, _ := wiringtest.Env(t, wiring.Deps{}, map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"})
	if e.Bindings != nil {
		t.Fatal("a memory ledger records bindings")
	}
	if got := e.Config.Core.LedgerMemoryBytes; got != 32<<20 {
		t.Fatalf("a 128 MB function's memory ledger is bounded at %d bytes, want 32 MiB", got)
	}
}

// TestReuseOrderBindings: AXG_ORDER_BINDINGS=reuse on two instances sharing
// a ledger: eight binds of one order and number at once make one binding,
// the others answer it (Reused) and send nothing; another number of the
// order, or the number once the order is closed, binds anew.
func TestReuseOrderBindings(t *testing.T) {
	vars := map[string]string{"AXG_LEDGER": "dir:" + t.TempDir(), "AXG_ORDER_BINDINGS": "reuse"}
	a, emu := wiringtest.Env(t, wiring.Deps{}, vars)
	b, _ := wiringtest.Env(t, wiring.Deps{Transport: emu.Transport()}, vars)
	hs := []http.Handler{a.HTTP(), b.HTTP()}
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	bind := func(h http.Handler, phone string) map[string]any {
		r := httptest.NewRequest("POST", "/v1/axg/bind", strings.NewReader(`{"PoolKey":"FC123456","PhoneNoA":"`+phone+`","GroupId":1234,"OutOrderId":"o-7","Expiration":"`+exp+`"}`))
		r.Header.Set("Authorization", "Bearer "+wiringtest.Token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var out map[string]any
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &out) != nil {
			t.Errorf("bind: %d %s", w.Code, w.Body)
			return nil
		}
		return out["SecretBindDTO"].(map[string]any)
	}
	emu.Inject(emulator.Fault{Action: "BindAxg", Delay: 100 * time.Millisecond, Times: 1}) // the first stays in flight
	var mu sync.Mutex
	subs, reused := map[any]int{}, 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			dto := bind(hs[i%2], "13800000171")
			mu.Lock()
			defer mu.Unlock()
			if dto != nil {
				subs[dto["SubsId"]]++
				if dto["Reused"] == true {
					reused++
				}
			}
		})
	}
	wg.Wait()
	if n := emu.Stats().Calls["BindAxg"]; n != 1 || len(subs) != 1 || reused != 7 {
		t.Fatalf("8 binds at once: %d BindAxg calls, SubsIds %v, %d reused", n, subs, reused)
	}
	if dto := bind(hs[0], "13800000172"); dto == nil || dto["Reused"] == true || emu.Stats().Calls["BindAxg"] != 2 {
		t.Fatalf("another number of the order: %v", dto)
	}
	if n := wiringtest.Do(hs[1], "POST", "/v1/axg/order/unbind", `{"PoolKey":"FC123456","OutOrderId":"o-7"}`); n != 200 {
		t.Fatalf("order/unbind: %d", n)
	}
	if dto := bind(hs[1], "13800000171"); dto == nil || dto["Reused"] == true || emu.Stats().Calls["BindAxg"] != 3 {
		t.Fatalf("after the order was closed: %v", dto)
	}
}

// TestReuseNeedsBindings: reuse on a ledger that keeps no bindings stops
// start-up, naming what to set.
func TestReuseNeedsBindings(t *testing.T) {
	cfg, err := wiring.Load(func(k string) string {
		return map[string]string{"AXG_ORDER_BINDINGS": "reuse", "ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"}[k]
	}, wiring.HTTP, wiring.AuthToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wiring.Build(cfg, wiring.Deps{Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}); err == nil || !strings.Contains(err.Error(), "AXG_LEDGER") {
		t.Fatalf("reuse on memory: %v", err)
	}
}

// TestUnbindByOrderFromFilesAndMessages: a file row and a message with
// Action UnbindSubscription, PoolKey and OutOrderId and no SubsId unbind
// every live binding of the order.
func TestUnbindByOrderFromFilesAndMessages(t *testing.T) {
	e, emu := wiringtest.Env(t, wiring.Deps{}, map[string]string{"AXG_LEDGER": "dir:" + t.TempDir()})
	h := e.HTTP()
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	for _, b := range []string{"13800000181,o-file", "13800000182,o-file", "13800000183,o-msg"} {
		phone, order, _ := strings.Cut(b, ",")
		if n := wiringtest.Do(h, "POST", "/v1/axg/bind", `{"PoolKey":"FC123456","PhoneNoA":"`+phone+`","GroupId":1234,"OutOrderId":"`+order+`","Expiration":"`+exp+`"}`); n != 200 {
			t.Fatalf("bind: %d", n)
		}
	}
	states := func(order string) string {
		bs, err := e.Bindings.Order(context.Background(), "FC123456", order)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, b := range bs {
			s = append(s, b.State)
		}
		return strings.Join(s, " ")
	}

	file := "Action,PoolKey,OutOrderId\nUnbindSubscription,FC123456,o-file\nUnbindSubscription,FC123456,o-never\n"
	sum, err := batchfile.Bind(context.Background(), e.Service, e.Validator, batchfile.File{Name: "close.csv", ETag: "c", Body: strings.NewReader(file)},
		batchfile.DirStore{Base: t.TempDir() + "/close.csv"}, batchfile.Options{Ledger: e.Ledger})
	if err != nil || sum.Counts[core.CodeOK] != 2 || states("o-file") != "unbound unbound" || emu.Stats().Calls["UnbindSubscription"] != 2 {
		t.Fatalf("file: %+v %v; o-file %s; %d unbinds", sum, err, states("o-file"), emu.Stats().Calls["UnbindSubscription"])
	}

	mh := &message.Handler{Service: e.Service, Validator: e.Validator, Ledger: e.Ledger, Scope: "q"}
	res, err := mh.Handle(context.Background(), "m-1", []byte(`{"Action":"UnbindSubscription","PoolKey":"FC123456","OutOrderId":"o-msg"}`))
	if err != nil || res.Code != core.CodeOK || res.Kind != "unbind" || len(res.Results) != 1 || res.Results[0].State != "unbound" || states("o-msg") != "unbound" {
		t.Fatalf("message: %+v %v; o-msg %s", res, err, states("o-msg"))
	}
	bad, _ := mh.Handle(context.Background(), "m-2", []byte(`{"Action":"UnbindSubscription","PoolKey":"FC123456","OutOrderId":"o-msg","SecretNo":"17100000000"}`))
	if bad.Code != core.CodeInvalidParameters || !strings.Contains(bad.Message+fmt.Sprint(bad.Errors), "SecretNo") {
		t.Fatalf("an unbind by order with a stray field: %+v", bad)
	}
}
