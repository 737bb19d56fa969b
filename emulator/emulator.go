// Package emulator is Alibaba Cloud's Dyplsapi (Phone Number Privacy
// Protection) as far as AXG bindings and their groups go, speaking the
// upstream's RPC wire protocol: signed requests (signature version 1.0,
// HMAC-SHA1) at /, the upstream's JSON or XML answers and error bodies out.
// Any SDK — Go, Java, Python, Node — can point its endpoint at it. It can be
// told to throttle, fail, stall or drop calls, in code (Inject) or over its
// port (ControlPrefix), and shows what it saw on a console page at /.
//
// Serve it on a port (Start, or httptest.NewServer(e)), or in process with
// Transport, an http.RoundTripper that calls ServeHTTP.
package emulator

import (
	"context"
	"log/slog"
	"math/rand/v2"
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
	// Share, between 0 and 1, hits only that share of the calls it could
	// (each drawn at random); 0 hits every one.
	Share float64
}

// Option configures an Emulator.
type Option func(*Emulator)

// WithClock sets the clock that bindings (expirations) and throttling run on.
// Request timestamps are checked against the wall clock, which SDKs sign with.
func WithClock(now func() time.Time) Option { return func(e *Emulator) { e.now = now } }

// WithQPS sets the calls per second that one account may make of every
// action before isv.FLOW_LIMIT, in place of each action's own ceiling
// (actions); 0 means no limit.
func WithQPS(n int) Option { return func(e *Emulator) { e.qps = n } }

// WithLogger writes one line per API call to log: action, code, HTTP
// status, masked numbers, duration. None by default.
func WithLogger(log *slog.Logger) Option { return func(e *Emulator) { e.log = log } }

// WithLimits sets the longest AxgBindList (items) and the longest request
// (URL and body, bytes) the emulator takes: DefaultMaxBatchItems and
// DefaultMaxRequestBytes unless set; 0 keeps a default.
func WithLimits(items, bytes int) Option {
	return func(e *Emulator) {
		if items > 0 {
			e.maxItems = items
		}
		if bytes > 0 {
			e.maxBytes = bytes
		}
	}
}

// WithLatency delays every answer by d, like a distant upstream.
func WithLatency(d time.Duration) Option { return func(e *Emulator) { e.latency = d } }

// Emulator is an in-memory Dyplsapi. It is safe for concurrent use.
type Emulator struct {
	now      func() time.Time
	qps      int // every action's ceiling; < 0: each its own (actions)
	latency  time.Duration
	log      *slog.Logger
	maxItems int
	maxBytes int
	seed     Seed
	pushURL  string // where the receipts of calls go (WithReceiptsPush)

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
	recent    []Call               // the last maxRecent calls, oldest first
	pushes    []Push               // the last maxPushes receipt pushes, oldest first
	queues    map[string][]*queued // the receipt queues, by name (queues.go)
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
	outID, outOrderID      string
}

type window struct {
	second int64
	count  int
}

// New returns an emulator seeded with s.
func New(s Seed, opts ...Option) *Emulator {
	e := &Emulator{now: time.Now, qps: -1, maxItems: DefaultMaxBatchItems, maxBytes: DefaultMaxRequestBytes,
		seed: s, nonces: map[string]time.Time{}}
	for _, o := range opts {
		o(e)
	}
	e.reset()
	return e
}

// Reset forgets every binding, group change, call, count and fault: the
// emulator is as New made it, with its seed (keys added since stay).
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reset()
}

// reset seeds the state; e.mu is held (or e is new).
func (e *Emulator) reset() {
	s := e.seed
	if e.keys == nil {
		e.keys = map[string]Key{}
	}
	e.pools, e.groups, e.subs = map[string]*pool{}, map[int64]*Group{}, map[string]*binding{}
	e.nextGroup, e.nextSubs, e.made = 100001, 1000000000000001, 0
	e.window, e.calls, e.throttle, e.faults, e.recent, e.pushes, e.queues = map[string]*window{}, map[string]int{}, 0, nil, nil, nil, nil
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

// admit takes the call's fault if one is queued, and applies the
// per-second limit.
func (e *Emulator) admit(action string) (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var f Fault
	for i, q := range e.faults {
		if (q.Action == "" || q.Action == action) && (q.Share <= 0 || rand.Float64() < q.Share) {
			f = q
			e.spend(i)
			break
		}
	}
	qps := e.qps
	if qps < 0 {
		qps = actions[action].ceiling
	}
	if qps > 0 {
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

// spend counts one hit of fault i, dropping it once its Times are spent;
// e.mu is held.
func (e *Emulator) spend(i int) {
	switch q := e.faults[i]; {
	case q.Times < 0:
	case q.Times > 1:
		e.faults[i].Times--
	default:
		e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
	}
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
