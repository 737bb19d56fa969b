package wiring_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core/forward"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
	"github.com/axg-binder/binder/webhook"
)

// TestReceiptsReachTheWebhook: configured as a user would, the wired
// binder takes a call's receipts pushed twice each by the emulator,
// records them once, and forwards each once, signed, with its binding and
// order, before it acknowledges; the replay route answers, token-guarded.
func TestReceiptsReachTheWebhook(t *testing.T) {
	const signing, secret = "webhook-signing-key-0123", "push-secret-0123456789"
	var mu sync.Mutex
	got := map[string][]forward.Envelope{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify([]byte(signing), r.Header, body, time.Now(), time.Minute); err != nil {
			t.Errorf("delivery: %v", err)
			w.WriteHeader(401)
			return
		}
		var env forward.Envelope
		_ = json.Unmarshal(body, &env)
		mu.Lock()
		got[env.Id] = append(got[env.Id], env)
		mu.Unlock()
	}))
	defer hook.Close()
	e, emu := wiringtest.Env(t, wiring.Deps{}, map[string]string{"AXG_LEDGER": "dir:" + t.TempDir(), "AXG_RECEIPTS_SECRET": secret,
		"AXG_RECEIPTS_TO": hook.URL, "AXG_RECEIPTS_SIGNING_KEY": signing})
	front := httptest.NewServer(e.HTTP())
	defer front.Close()
	emu.PushReceiptsTo(front.URL + "/v1/receipts/" + secret + "/{type}")

	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	r, _ := http.NewRequest("POST", front.URL+"/v1/axg/bind", strings.NewReader(`{"PoolKey":"FC123456","PhoneNoA":"13800000501","GroupId":1234,"OutOrderId":"o-hook","Expiration":"`+exp+`"}`))
	r.Header.Set("Authorization", "Bearer "+wiringtest.Token)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	var bound struct{ SecretBindDTO struct{ SubsId string } }
	_ = json.NewDecoder(res.Body).Decode(&bound)
	res.Body.Close()
	call, err := emu.PlaceCall(context.Background(), emulator.CallSpec{SubsId: bound.SecretBindDTO.SubsId, Twice: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range call.Pushes {
		if p.Status != 200 {
			t.Fatalf("push: %+v", p)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(call.Receipts) {
		t.Fatalf("%d receipts at the webhook, want %d", len(got), len(call.Receipts))
	}
	for id, envs := range got {
		if len(envs) != 1 || envs[0].Binding == nil || envs[0].Binding.OutOrderId != "o-hook" || envs[0].Receipt.PhoneNo != "138****0501" {
			t.Errorf("%s: %+v", id, envs)
		}
	}
	replay := func(token string) int {
		r, _ := http.NewRequest("POST", front.URL+"/v1/axg/receipts/replay", strings.NewReader(`{}`))
		r.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := replay("wrong"); s != 401 {
		t.Errorf("replay without the token: %d", s)
	}
	if s := replay(wiringtest.Token); s != 200 {
		t.Errorf("replay: %d", s)
	}
}
