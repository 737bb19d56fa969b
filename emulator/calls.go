package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Calls on bindings, and the receipts they make: the vendor reports each
// call by receipts (SecretStartReport when it starts, SecretRingReport,
// SecretPickUpReport when answered, SecretReport when it ends,
// SecretRecording once a recording is ready), pushed as a JSON array per
// type to the URL set for that type. The emulator places a call when told
// (PlaceCall, POST /_emulator/calls) and pushes its receipts to the URL
// WithReceiptsPush gives, each type's name put for {type} in it.

// WithReceiptsPush makes the receipts of the calls placed go to url by
// HTTP POST, "{type}" in it replaced by each receipt's type (without
// one, every type goes to url itself).
func WithReceiptsPush(url string) Option { return func(e *Emulator) { e.pushURL = url } }

// PushReceiptsTo sets where the receipts of calls go from now on, as
// WithReceiptsPush does: for a receiver whose address is known only once
// it listens.
func (e *Emulator) PushReceiptsTo(url string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pushURL = url
}

// maxPushes is how many pushes State shows.
const maxPushes = 50

// CallSpec is a call to place on a binding.
type CallSpec struct {
	// SubsId names the binding; the call is from the number of its group
	// (or B) Peer gives, else the group's first, to X, put through to A.
	SubsId string `json:"SubsId"`
	Peer   string `json:"Peer,omitempty"`
	// Unanswered: A does not pick up (no SecretPickUpReport; SecretReport
	// with no talk time).
	Unanswered bool `json:"Unanswered,omitempty"`
	// Twice pushes every receipt twice, as the vendor may.
	Twice bool `json:"Twice,omitempty"`
	// Talk is how long the call lasts once answered (default 30 s; the
	// receipts are dated as if it had).
	Talk string `json:"Talk,omitempty"`
	// Delay holds the pushes back this long ("2s"), as the vendor's may be.
	Delay string `json:"Delay,omitempty"`
	// AckLost: each push's acknowledgement is taken for lost (as when the
	// receiver answers past the vendor's 700 ms) and the push is made
	// again, as the vendor retries it.
	AckLost bool `json:"AckLost,omitempty"`
}

// PlacedCall is what a call made and where its receipts went.
type PlacedCall struct {
	CallId   string                     `json:"CallId"`
	Receipts map[string]json.RawMessage `json:"Receipts"`
	Pushes   []Push                     `json:"Pushes"`
}

// Push is one receipt push and how it was answered.
type Push struct {
	CallId string `json:"CallId"`
	Type   string `json:"Type"`
	Status int    `json:"Status"`
	Error  string `json:"Error,omitempty"`
	// Answer is the receiver's body, cut to 200 bytes.
	Answer string `json:"Answer,omitempty"`
}

// ErrNoBinding says a call names no binding the emulator holds.
var ErrNoBinding = errors.New("emulator: no live binding has that SubsId")

// pushTimeout is how long the vendor waits for a push to be acknowledged.
const pushTimeout = 700 * time.Millisecond

// PlaceCall places a call on a live binding and pushes its receipts (when
// a push URL is set). The receipts carry the numbers in full, as the
// vendor's do; the console shows them masked.
func (e *Emulator) PlaceCall(ctx context.Context, spec CallSpec) (PlacedCall, error) {
	talk, err := duration("Talk", spec.Talk, 30*time.Second)
	if err != nil {
		return PlacedCall{}, err
	}
	delay, err := duration("Delay", spec.Delay, 0)
	if err != nil {
		return PlacedCall{}, err
	}
	e.mu.Lock()
	b := e.subs[spec.SubsId]
	now := e.now()
	if b == nil || !b.expires.After(now) {
		e.mu.Unlock()
		return PlacedCall{}, ErrNoBinding
	}
	peer := spec.Peer
	if peer == "" {
		peer = b.b
		if g := e.groups[b.group]; g != nil && len(g.Numbers) > 0 {
			peer = g.Numbers[0]
		}
	}
	bind := *b
	pushURL := e.pushURL
	e.mu.Unlock()

	var id [8]byte
	_, _ = rand.Read(id[:])
	call := PlacedCall{CallId: hex.EncodeToString(id[:]), Receipts: map[string]json.RawMessage{}}
	types := receiptsOf(bind, peer, call.CallId, now, talk, !spec.Unanswered)
	e.mu.Lock()
	for _, t := range types {
		call.Receipts[t.typ] = t.body
		// The queue carries each record as a message of its own.
		var recs []json.RawMessage
		_ = json.Unmarshal(t.body, &recs)
		for _, r := range recs {
			for range 1 + boolInt(spec.Twice) {
				e.enqueue(t.typ, r, now)
			}
		}
	}
	e.mu.Unlock()
	if pushURL == "" {
		return call, nil
	}
	if !sleep(ctx, delay) {
		return call, ctx.Err()
	}
	for _, t := range types {
		for range 1 + boolInt(spec.Twice) + boolInt(spec.AckLost) {
			p := push(ctx, strings.ReplaceAll(pushURL, "{type}", t.typ), t.typ, t.body)
			p.CallId = call.CallId
			call.Pushes = append(call.Pushes, p)
		}
	}
	e.mu.Lock()
	e.pushes = append(e.pushes, call.Pushes...)
	if n := len(e.pushes); n > maxPushes {
		e.pushes = append([]Push(nil), e.pushes[n-maxPushes:]...)
	}
	e.mu.Unlock()
	return call, nil
}

// duration reads a spec's duration field ("" is def).
func duration(name, s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("emulator: %s %q is not a duration", name, s)
	}
	return d, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type typedBody struct {
	typ  string
	body json.RawMessage
}

// receiptsOf writes the receipts of one call from peer to X, put through
// to A, in the vendor's shapes: each type's own fields, sub_id a number in
// some and a string in others, call_time milliseconds in SecretRecording.
func receiptsOf(b binding, peer, callID string, at time.Time, talk time.Duration, answered bool) []typedBody {
	const layout = "2006-01-02 15:04:05"
	day := func(t time.Time) string { return t.In(cst).Format(layout) }
	subs, _ := strconv.ParseInt(b.subsID, 10, 64)
	ring := at.Add(3 * time.Second)
	start, release := ring.Add(4*time.Second), ring.Add(20*time.Second)
	if answered {
		release = start.Add(talk)
	} else {
		start = release
	}
	common := func(m map[string]any) map[string]any {
		m["pool_key"], m["partner_key"], m["call_id"], m["out_id"] = b.pool, b.pool, callID, b.outID
		m["phone_no"], m["secret_no"], m["peer_no"], m["call_time"] = b.a, b.x, peer, day(at)
		return m
	}
	var out []typedBody
	add := func(typ string, m map[string]any) {
		body, _ := json.Marshal([]any{m})
		out = append(out, typedBody{typ, body})
	}
	add("SecretStartReport", common(map[string]any{"sub_id": subs, "call_type": 1, "unconnected_cause": 0,
		"called_display_no": b.x, "control_type": "CONTINUE", "id": strconv.FormatInt(at.UnixNano()%1e12, 10)}))
	add("SecretRingReport", common(map[string]any{"sub_id": b.subsID, "call_type": "1", "ring_time": day(ring)}))
	if answered {
		add("SecretPickUpReport", common(map[string]any{"sub_id": b.subsID, "call_type": "1", "ring_time": day(ring), "start_time": day(start)}))
	}
	cause := 16 // a normal release
	if !answered {
		cause = 19 // no answer
	}
	add("SecretReport", common(map[string]any{"sub_id": subs, "call_type": 1, "call_out_time": day(at), "ring_time": day(ring),
		"free_ring_time": day(ring), "start_time": day(start), "release_time": day(release), "release_dir": 1,
		"release_cause": cause, "unconnected_cause": 0, "control_type": "CONTINUE", "control_msg": "OK",
		"called_display_no": b.x, "id": at.UnixNano() % 1e12}))
	if b.record && answered {
		add("SecretRecording", map[string]any{"pool_key": b.pool, "call_time": at.UnixMilli(), "sub_id": subs,
			"out_id": b.outID, "call_id": callID})
	}
	return out
}

// push posts one receipt batch as the vendor does, giving up after its
// time limit.
func push(ctx context.Context, url, typ string, body []byte) Push {
	ctx, cancel := context.WithTimeout(ctx, pushTimeout)
	defer cancel()
	p := Push{Type: typ}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		p.Error = err.Error()
		return p
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	p.Status, p.Answer = res.StatusCode, string(b)
	return p
}
