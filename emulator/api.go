package emulator

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ControlPrefix is where the emulator's own controls live (control.go):
// the API is served at / only, so no API path can be taken for one.
const ControlPrefix = "/_emulator/"

// DefaultMaxBatchItems and DefaultMaxRequestBytes are the emulator's
// limits on one call. The vendor publishes neither for Dyplsapi, so both are
// stated here, not found: 1,000 items in an AxgBindList (ten times the
// chunk the SDK's users are told to keep to), and 128 KiB of URL and body
// together (the SDK puts every parameter in the URL; gateways commonly cap
// a request line well under a megabyte). A call past either is refused
// whole: the list with isv.INVALID_PARAMETERS, the URL with HTTP 414.
const (
	DefaultMaxBatchItems   = 1000
	DefaultMaxRequestBytes = 128 << 10
)

// action is one API the emulator serves: its handler; its mandatory
// parameters, from the vendor's API reference for each (the "required"
// column), which the gateway checks before the product sees the call
// (HTTP 400 Missing<Name>); and the calls per second one account may make
// of it before isv.FLOW_LIMIT. Ceilings: BindAxg, BindBatchAxg 5,000 (their
// pages); UnbindSubscription 5,000, UpdateSubscription 10,000,
// QuerySubscriptionDetail and QuerySubsId 1,000 (each one's help page; the first's API overview once
// gave 5,000, the lower figure is kept); CreateAxgGroup, OperateAxgGroup
// and DeleteAxgGroup 5,000 each (their pages).
type action struct {
	handle   func(*Emulator, url.Values) any
	required []string
	ceiling  int
}

var actions = map[string]action{
	"BindAxg":                 {(*Emulator).bindAxg, []string{"PoolKey", "PhoneNoA", "GroupId", "Expiration"}, 5000},
	"BindBatchAxg":            {(*Emulator).bindBatchAxg, []string{"PoolKey", "AxgBindList"}, 5000},
	"UnbindSubscription":      {(*Emulator).unbindSubscription, []string{"PoolKey", "SubsId", "SecretNo"}, 5000},
	"UpdateSubscription":      {(*Emulator).updateSubscription, []string{"PoolKey", "SubsId", "PhoneNoX", "OperateType"}, 10000},
	"QuerySubscriptionDetail": {(*Emulator).querySubscriptionDetail, []string{"PoolKey", "SubsId", "PhoneNoX"}, 1000},
	"QuerySubsId":             {(*Emulator).querySubsId, []string{"PoolKey", "PhoneNoX"}, 1000},
	"CreateAxgGroup":          {(*Emulator).createAxgGroup, []string{"PoolKey"}, 5000},
	"OperateAxgGroup":         {(*Emulator).operateAxgGroup, []string{"PoolKey", "GroupId", "OperateType", "Numbers"}, 5000},
	"DeleteAxgGroup":          {(*Emulator).deleteAxgGroup, []string{"PoolKey", "GroupId"}, 5000},
	// Dybaseapi's, at the same endpoint and version: the token that reads
	// a receipt queue (queues.go).
	"QueryTokenForMnsQueue": {(*Emulator).queryTokenForMnsQueue, []string{"QueueName", "MessageType"}, 1000},
}

// ServeHTTP serves the API at /, the console page at / without a query,
// and the controls under ControlPrefix.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, ControlPrefix):
		e.control(w, r)
	case strings.HasPrefix(r.URL.Path, "/queues/"):
		e.mns(w, r)
	case r.URL.Path == "/" && r.Method == http.MethodGet && r.URL.RawQuery == "":
		e.console(w, r)
	default:
		e.api(w, r)
	}
}

// api answers one RPC call, and records it.
func (e *Emulator) api(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rs := &responder{w: w, reqID: newRequestID(), xml: !strings.EqualFold(r.URL.Query().Get("Format"), "JSON")}
	var params url.Values
	defer func() { e.record(rs, params, start) }()
	if r.URL.Path != "/" {
		rs.fail(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		rs.fail(http.StatusMethodNotAllowed, "UnsupportedHTTPMethod", "Specified http method is not supported.")
		return
	}
	if len(r.URL.RawQuery)+int(max(r.ContentLength, 0)) > e.maxBytes {
		rs.bare(http.StatusRequestURITooLong)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(e.maxBytes)))
	if err != nil {
		rs.fail(http.StatusBadRequest, "InvalidParameter", "The request could not be parsed.")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body)) // the V3 signature hashes it; the form is read from it
	if err := r.ParseForm(); err != nil {
		rs.fail(http.StatusBadRequest, "InvalidParameter", "The request could not be parsed.")
		return
	}
	params = r.Form
	rs.action = params.Get("Action")
	if f := params.Get("Format"); f != "" {
		rs.xml = !strings.EqualFold(f, "JSON")
	}
	if isV3(r) {
		// The V3 SDKs ask for JSON (Accept), and name the action in headers.
		rs.xml = false
		if !e.authenticateV3(rs, r, body, params) {
			return
		}
	} else if !e.authenticate(rs, r.Method, params) {
		return
	}
	if params.Get("Version") != Version {
		rs.fail(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.")
		return
	}
	act, ok := actions[rs.action]
	if !ok {
		rs.fail(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
		return
	}
	e.mu.Lock()
	e.calls[rs.action]++
	e.mu.Unlock()
	for _, name := range act.required {
		if params.Get(name) == "" {
			rs.fail(http.StatusBadRequest, "Missing"+name, name+" is mandatory for this action.")
			return
		}
	}
	fault, throttled := e.admit(rs.action)
	if fault.Message == "" && fault.Code != "" {
		fault.Message = defaultMessages[fault.Code]
		if fault.Message == "" {
			fault.Message = fault.Code
		}
	}
	var acted any
	if fault.Acted && !throttled {
		acted = act.handle(e, params)
	}
	if !sleep(r.Context(), e.latency+fault.Delay) {
		rs.status, rs.code = 0, "(client gave up)"
		return // nobody reads an answer
	}
	if fault.Drop {
		rs.status, rs.code = 0, "(connection dropped)"
		panic(http.ErrAbortHandler) // net/http closes the connection, silently
	}
	switch {
	case throttled:
		rs.business("isv.FLOW_LIMIT", "Flow control triggered: more calls per second than allowed.")
		return
	case fault.Code != "" && !fault.Items || fault.Status != 0 && fault.Status != http.StatusOK:
		switch {
		case fault.Status == 0 || fault.Status == http.StatusOK:
			rs.business(fault.Code, fault.Message)
		case fault.Code == "":
			rs.bare(fault.Status)
		default:
			rs.fail(fault.Status, fault.Code, fault.Message)
		}
		return
	}
	ans := acted
	switch {
	case ans != nil:
	case fault.Items && rs.action == "BindBatchAxg":
		ans = itemFault(params, fault) // nothing is bound
	default:
		ans = act.handle(e, params)
	}
	rs.answer(ans)
}

// Call is one API call as the emulator saw it: numbers masked.
type Call struct {
	Time      time.Time `json:"Time"`
	Action    string    `json:"Action"`
	Status    int       `json:"Status"` // 0: no answer was written
	Code      string    `json:"Code"`
	RequestId string    `json:"RequestId"`
	// Numbers are the call's phone numbers, masked as the vendor's console
	// shows them (139****0000); Items counts an AxgBindList or Numbers.
	Numbers []string `json:"Numbers,omitempty"`
	Items   int      `json:"Items,omitempty"`
	Ms      float64  `json:"Ms"`
}

// maxRecent is how many calls the emulator keeps for its console.
const maxRecent = 200

// record keeps a call for the console and logs its line.
func (e *Emulator) record(rs *responder, p url.Values, start time.Time) {
	c := Call{Time: start, Action: rs.action, Status: rs.status, Code: rs.code, RequestId: rs.reqID,
		Ms: float64(time.Since(start).Microseconds()) / 1000}
	for _, name := range []string{"PhoneNoA", "PhoneNoB", "PhoneNoX", "SecretNo"} {
		if n := p.Get(name); n != "" {
			c.Numbers = append(c.Numbers, mask(n))
		}
	}
	if l := p.Get("AxgBindList"); l != "" {
		c.Items = strings.Count(l, "{")
	} else if n := p.Get("Numbers"); n != "" {
		c.Items = strings.Count(n, ",") + 1
	}
	e.mu.Lock()
	if len(e.recent) == maxRecent {
		e.recent = append(e.recent[:0], e.recent[1:]...)
	}
	e.recent = append(e.recent, c)
	e.mu.Unlock()
	if e.log != nil {
		e.log.LogAttrs(context.Background(), slog.LevelInfo, "call", slog.String("action", c.Action), slog.String("code", c.Code),
			slog.Int("status", c.Status), slog.Any("numbers", c.Numbers), slog.Int("items", c.Items),
			slog.Float64("ms", c.Ms), slog.String("request_id", c.RequestId))
	}
}

// mask keeps a number's first three and last four digits, as the vendor's
// console shows them; anything shorter than eight is all stars.
func mask(n string) string {
	if len(n) < 8 {
		return strings.Repeat("*", len(n))
	}
	return n[:3] + strings.Repeat("*", len(n)-7) + n[len(n)-4:]
}
