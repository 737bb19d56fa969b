// Package emulator is Alibaba Cloud's Dyplsapi (Phone Number Privacy
// Protection) as far as AXG bindings go, speaking the upstream's RPC wire
// protocol: signed requests (signature version 1.0, HMAC-SHA1) in, the
// upstream's JSON answers and error bodies out. Any SDK — Go, Java, Python,
// Node — can point its endpoint at it. It can be told to throttle, fail or
// stall, so that clients' retry and timeout paths are exercised for real.
//
// Serve it on a port (Start, or httptest.NewServer(e)), or in process with
// Transport, an http.RoundTripper that calls ServeHTTP.
package emulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Version is the API version the emulator serves.
const Version = "2017-05-25"

// Fault is a failure the emulator plays instead of (or before) a normal answer.
type Fault struct {
	// Action is the action it hits ("BindAxg", "BindBatchAxg"); "" hits any.
	Action string
	// Times is how many calls it hits: 0 means once, a negative number every
	// call until ClearFaults.
	Times int
	// Delay stalls the answer (until the client gives up, at most Delay).
	// With no Code the call then goes on normally: it binds, late.
	Delay time.Duration
	// Code and Message are the answer. With Status 0 or 200 it is a business
	// answer (HTTP 200); otherwise an RPC error body with that HTTP status.
	// A Status with no Code answers a bare body, as a broken gateway does.
	Code    string
	Message string
	Status  int
	// Items, for BindBatchAxg: the call succeeds and every item carries Code.
	Items bool
	// Acted makes the call take effect first: then comes the Delay, or the
	// Drop, and its answer is what is lost, not its action.
	Acted bool
	// Drop closes the connection without an answer (after any Delay).
	Drop bool
}

// Option configures an Emulator.
type Option func(*Emulator)

// WithClock sets the clock that bindings (expirations) and throttling run on.
// Request timestamps are checked against the wall clock, which SDKs sign with.
func WithClock(now func() time.Time) Option { return func(e *Emulator) { e.now = now } }

// WithQPS sets the calls per second that one account may make of every
// action before isv.FLOW_LIMIT, in place of each action's own (Ceilings);
// 0 means no limit.
func WithQPS(n int) Option {
	return func(e *Emulator) {
		e.ceilings = map[string]int{}
		for a := range Ceilings {
			e.ceilings[a] = n
		}
	}
}

// Ceilings are the calls per second one account may make of each action.
// BindAxg, BindBatchAxg: 5,000 (their pages); UnbindSubscription 5,000,
// UpdateSubscription 10,000, QuerySubscriptionDetail 1,000 (each one's help
// page; its API overview once gave 5,000 for the last, the lower figure is
// kept). The group calls publish none: 1,000 is assumed.
var Ceilings = map[string]int{
	"BindAxg": 5000, "BindBatchAxg": 5000, "UnbindSubscription": 5000, "UpdateSubscription": 10000,
	"QuerySubscriptionDetail": 1000, "CreateAxgGroup": 1000, "OperateAxgGroup": 1000, "DeleteAxgGroup": 1000,
}

// WithLatency delays every answer by d, like a distant upstream.
func WithLatency(d time.Duration) Option { return func(e *Emulator) { e.latency = d } }

// Emulator is an in-memory Dyplsapi. It is safe for concurrent use.
type Emulator struct {
	now      func() time.Time
	ceilings map[string]int
	latency  time.Duration

	mu        sync.Mutex
	keys      map[string]Key
	pools     map[string]*pool
	groups    map[int64]*Group
	nextGroup int64
	subs      map[string]*binding // live and expired; unbound ones are gone
	made      int                 // bindings made, unbound ones included
	nextSubs  int64
	nonces    map[string]time.Time
	pruned    time.Time
	faults    []Fault
	window    map[string]*window // action → this second's count
	calls     map[string]int
	throttle  int
}

type pool struct {
	Pool
	byX map[string]*xState
}

// xState indexes the bindings on one X number.
type xState struct {
	// until maps each A or B number bound on X to its latest expiration.
	until map[string]time.Time
	// count is how many bindings X has had: the pool's load measure.
	count int
	// subs are X's bindings, to rebuild until when one is unbound or changed.
	subs map[string]*binding
}

type binding struct {
	subsID, pool, x, a, b  string
	group                  int64
	expires, created       time.Time
	record, asr            bool
	callRestrict, asrModel string
	outID                  string
}

type window struct {
	second int64
	count  int
}

// New returns an emulator seeded with s.
func New(s Seed, opts ...Option) *Emulator {
	e := &Emulator{
		now: time.Now, ceilings: Ceilings, nextGroup: 100001,
		keys: map[string]Key{}, pools: map[string]*pool{}, groups: map[int64]*Group{},
		subs: map[string]*binding{}, nextSubs: 1000000000000001, nonces: map[string]time.Time{},
		window: map[string]*window{}, calls: map[string]int{},
	}
	for _, o := range opts {
		o(e)
	}
	for _, k := range s.Keys {
		e.keys[k.ID] = k
	}
	for _, p := range s.Pools {
		e.pools[p.Key] = &pool{Pool: p, byX: map[string]*xState{}}
	}
	for _, g := range s.Groups {
		g.Numbers = append([]string(nil), g.Numbers...)
		e.groups[g.ID] = &g
		e.nextGroup = max(e.nextGroup, g.ID+1)
	}
	return e
}

// AddKey lets one more AccessKey in.
func (e *Emulator) AddKey(k Key) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.keys[k.ID] = k
}

// Inject queues faults; each call takes the first fault that matches its action.
func (e *Emulator) Inject(fs ...Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, fs...)
}

// ClearFaults drops every queued fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

// Stats is what the emulator has seen.
type Stats struct {
	// Calls counts authenticated calls per action.
	Calls map[string]int
	// Bindings counts bindings made (expired ones included).
	Bindings int
	// Throttled counts calls refused with isv.FLOW_LIMIT by the QPS limit.
	Throttled int
}

// Stats returns a snapshot of the counters.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	calls := make(map[string]int, len(e.calls))
	for k, v := range e.calls {
		calls[k] = v
	}
	return Stats{Calls: calls, Bindings: e.made, Throttled: e.throttle}
}

// BindingsOf returns the SubsIds bound to phone number a (as PhoneNoA).
func (e *Emulator) BindingsOf(a string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for id, b := range e.subs {
		if b.a == a {
			out = append(out, id)
		}
	}
	return out
}

// ServeHTTP answers one RPC call.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, reqID, "UnsupportedHTTPMethod", "Specified http method is not supported.")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, reqID, "InvalidParameter", "The request could not be parsed.")
		return
	}
	params := r.Form
	action := params.Get("Action")
	if !e.authenticate(w, r.Method, params, reqID) {
		return
	}
	if params.Get("Version") != Version {
		writeError(w, http.StatusBadRequest, reqID, "InvalidVersion", "Specified parameter Version is not valid.")
		return
	}
	var handle func(url.Values) any
	switch action {
	case "BindAxg":
		handle = e.bindAxg
	case "BindBatchAxg":
		handle = e.bindBatchAxg
	case "UnbindSubscription":
		handle = e.unbindSubscription
	case "UpdateSubscription":
		handle = e.updateSubscription
	case "QuerySubscriptionDetail":
		handle = e.querySubscriptionDetail
	case "CreateAxgGroup":
		handle = e.createAxgGroup
	case "OperateAxgGroup":
		handle = e.operateAxgGroup
	case "DeleteAxgGroup":
		handle = e.deleteAxgGroup
	default:
		writeError(w, http.StatusNotFound, reqID, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
		return
	}
	fault, throttled := e.admit(action)
	if fault.Message == "" && fault.Code != "" {
		fault.Message = defaultMessages[fault.Code]
		if fault.Message == "" {
			fault.Message = fault.Code
		}
	}
	var acted any
	if fault.Acted && !throttled {
		acted = handle(params)
	}
	if !sleep(r.Context(), e.latency+fault.Delay) {
		return // the client gave up; nobody reads an answer
	}
	if fault.Drop {
		panic(http.ErrAbortHandler) // net/http closes the connection, silently
	}
	switch {
	case throttled:
		writeJSON(w, http.StatusOK, rpcError{RequestId: reqID, Code: "isv.FLOW_LIMIT", Message: "Flow control triggered: more calls per second than allowed."})
		return
	case fault.Code != "" && !fault.Items || fault.Status != 0 && fault.Status != http.StatusOK:
		if fault.Status == 0 || fault.Status == http.StatusOK {
			writeJSON(w, http.StatusOK, rpcError{RequestId: reqID, Code: fault.Code, Message: fault.Message})
		} else if fault.Code == "" {
			w.WriteHeader(fault.Status)
			_, _ = w.Write([]byte("<html><body>" + http.StatusText(fault.Status) + "</body></html>"))
		} else {
			writeError(w, fault.Status, reqID, fault.Code, fault.Message)
		}
		return
	}
	answer := acted
	switch {
	case answer != nil:
	case fault.Items && action == "BindBatchAxg":
		answer = itemFault(params, fault) // nothing is bound
	default:
		answer = handle(params)
	}
	setRequestID(answer, reqID)
	writeJSON(w, http.StatusOK, answer)
}

// admit counts the call, takes its fault if one is queued, and applies the
// per-second limit.
func (e *Emulator) admit(action string) (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls[action]++
	var f Fault
	for i, q := range e.faults {
		if q.Action == "" || q.Action == action {
			f = q
			switch {
			case q.Times < 0:
			case q.Times > 1:
				e.faults[i].Times--
			default:
				e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
			}
			break
		}
	}
	if qps := e.ceilings[action]; qps > 0 {
		sec := e.now().Unix()
		w := e.window[action]
		if w == nil || w.second != sec {
			w = &window{second: sec}
			e.window[action] = w
		}
		w.count++
		if w.count > qps {
			e.throttle++
			return f, true
		}
	}
	return f, false
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// defaultMessages are the upstream's words for the codes a fault plays.
var defaultMessages = map[string]string{
	"isv.FLOW_LIMIT":          "Flow control triggered: more calls per second than allowed.",
	"isp.SYSTEM_ERROR":        "System error.",
	"isp.DAO_EXCEPTION":       "Database error.",
	"isp.GATEWAY_ERROR":       "Gateway error.",
	"isp.VENDOR_UNAVAILABLE":  "The carrier is degraded.",
	"isp.RAM_PERMISSION_DENY": "RAM permission denied.",
	"Throttling.User":         "Request was denied due to user flow control.",
	"Throttling":              "Request was denied due to flow control.",
}

// rpcError is the upstream's error body.
type rpcError struct {
	RequestId string `json:"RequestId"`
	HostId    string `json:"HostId,omitempty"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend,omitempty"`
}

func writeError(w http.ResponseWriter, status int, reqID, code, msg string) {
	writeJSON(w, status, rpcError{RequestId: reqID, HostId: "dyplsapi.aliyuncs.com", Code: code, Message: msg,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
