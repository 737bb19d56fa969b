package emulator

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// The controls, over the emulator's port, for tests in any language and for
// the console page:
//
//	GET    /_emulator/state   what it holds and saw (State, numbers masked)
//	POST   /_emulator/faults  queue a fault: a Fault as JSON, Delay as "2s"
//	DELETE /_emulator/faults  drop every queued fault
//	POST   /_emulator/reset   back to the seed: no bindings, calls or faults
//	POST   /_emulator/calls   place a call on a binding: a CallSpec as JSON;
//	                          its receipts pushed (WithReceiptsPush)
//
// A POST must say Content-Type: application/json, and no change is taken
// from another origin's page (Origin, Sec-Fetch-Site): a page can post
// text/plain anywhere without asking, JSON it cannot.

// State is what the emulator holds and has seen, numbers masked.
type State struct {
	Calls     []Call         `json:"Calls"` // newest first
	Counts    map[string]int `json:"Counts"`
	Throttled int            `json:"Throttled"`
	Bindings  []BindingView  `json:"Bindings"`
	Groups    []GroupView    `json:"Groups"`
	Faults    []FaultSpec    `json:"Faults"`
	// Pushes are the receipt pushes of the calls placed, newest first;
	// Queued the receipts waiting in each receipt queue.
	Pushes []Push         `json:"Pushes"`
	Queued map[string]int `json:"Queued"`
}

// BindingView is a binding as the console shows it.
type BindingView struct {
	SubsId, PoolKey, PhoneNoA, PhoneNoB, PhoneNoX string
	GroupId                                       int64
	// OutOrderId is the caller's order, as the bind gave it: the console
	// lists bindings by order.
	OutOrderId string `json:",omitempty"`
	Status     int    // 1 active, 0 expired
	Expiration string
}

// GroupView is a G group as the console shows it.
type GroupView struct {
	GroupId int64
	PoolKey string
	Numbers []string
}

// FaultSpec is a Fault as JSON carries it: Delay as a duration ("2s").
type FaultSpec struct {
	Action  string  `json:"Action,omitempty"`
	Times   int     `json:"Times,omitempty"`
	Share   float64 `json:"Share,omitempty"`
	Delay   string  `json:"Delay,omitempty"`
	Code    string  `json:"Code,omitempty"`
	Message string  `json:"Message,omitempty"`
	Status  int     `json:"Status,omitempty"`
	Items   bool    `json:"Items,omitempty"`
	Acted   bool    `json:"Acted,omitempty"`
	Drop    bool    `json:"Drop,omitempty"`
}

func (f FaultSpec) fault() (Fault, error) {
	var d time.Duration
	if f.Delay != "" {
		var err error
		if d, err = time.ParseDuration(f.Delay); err != nil {
			return Fault{}, err
		}
	}
	return Fault{Action: f.Action, Times: f.Times, Share: f.Share, Delay: d, Code: f.Code, Message: f.Message,
		Status: f.Status, Items: f.Items, Acted: f.Acted, Drop: f.Drop}, nil
}

func specOf(f Fault) FaultSpec {
	s := FaultSpec{Action: f.Action, Times: f.Times, Share: f.Share, Code: f.Code, Message: f.Message,
		Status: f.Status, Items: f.Items, Acted: f.Acted, Drop: f.Drop}
	if f.Delay > 0 {
		s.Delay = f.Delay.String()
	}
	return s
}

// State returns what the emulator holds and has seen.
func (e *Emulator) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	st := State{Counts: map[string]int{}, Throttled: e.throttle, Calls: make([]Call, 0, len(e.recent)),
		Bindings: []BindingView{}, Groups: []GroupView{}, Faults: []FaultSpec{}}
	for i := len(e.recent) - 1; i >= 0; i-- {
		st.Calls = append(st.Calls, e.recent[i])
	}
	for k, v := range e.calls {
		st.Counts[k] = v
	}
	for _, b := range e.subs {
		v := BindingView{SubsId: b.subsID, PoolKey: b.pool, PhoneNoA: mask(b.a), PhoneNoB: mask(b.b), PhoneNoX: mask(b.x),
			GroupId: b.group, Status: 1, Expiration: b.expires.In(cst).Format("2006-01-02 15:04:05"), OutOrderId: b.outOrderID}
		if !b.expires.After(now) {
			v.Status = 0
		}
		st.Bindings = append(st.Bindings, v)
	}
	// By order (bindings without one last), newest first within each.
	sort.Slice(st.Bindings, func(i, j int) bool {
		x, y := st.Bindings[i], st.Bindings[j]
		if (x.OutOrderId == "") != (y.OutOrderId == "") {
			return x.OutOrderId != ""
		}
		if x.OutOrderId != y.OutOrderId {
			return x.OutOrderId < y.OutOrderId
		}
		return x.SubsId > y.SubsId
	})
	for _, g := range e.groups {
		v := GroupView{GroupId: g.ID, PoolKey: g.PoolKey, Numbers: make([]string, len(g.Numbers))}
		for i, n := range g.Numbers {
			v.Numbers[i] = mask(n)
		}
		st.Groups = append(st.Groups, v)
	}
	sort.Slice(st.Groups, func(i, j int) bool { return st.Groups[i].GroupId < st.Groups[j].GroupId })
	for _, f := range e.faults {
		st.Faults = append(st.Faults, specOf(f))
	}
	st.Queued = map[string]int{}
	for k, q := range e.queues {
		st.Queued[k] = len(q)
	}
	st.Pushes = make([]Push, 0, len(e.pushes))
	for i := len(e.pushes) - 1; i >= 0; i-- {
		st.Pushes = append(st.Pushes, e.pushes[i])
	}
	return st
}

// crossSite says why a request that changes the emulator comes from
// another site's page ("" when it does not): a sandbox that any web page
// could drive would not be one.
func crossSite(r *http.Request) string {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return "a page of another site may not change the emulator"
	}
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			return "a page of another origin (" + o + ") may not change the emulator"
		}
	}
	return ""
}

func (e *Emulator) control(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path[len(ControlPrefix):]
	reply := func(status int, v any) {
		b, _ := json.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
	refuse := func(status int, msg string) { reply(status, map[string]string{"Error": msg}) }
	if r.Method != http.MethodGet {
		if msg := crossSite(r); msg != "" {
			refuse(http.StatusForbidden, msg)
			return
		}
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && ct != "application/json" {
			// A page can send text/plain to any origin without asking first;
			// application/json it cannot.
			refuse(http.StatusUnsupportedMediaType, "controls take Content-Type: application/json")
			return
		}
	}
	switch {
	case path == "state" && r.Method == http.MethodGet:
		reply(http.StatusOK, e.State())
	case path == "faults" && r.Method == http.MethodPost:
		var spec FaultSpec
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&spec); err != nil {
			refuse(http.StatusBadRequest, "a fault is a JSON object of Action, Times, Share, Delay, Code, Message, Status, Items, Acted, Drop: "+err.Error())
			return
		}
		f, err := spec.fault()
		if err != nil || f.Share < 0 || f.Share > 1 || f.Delay < 0 {
			refuse(http.StatusBadRequest, "Delay must be a duration (\"2s\") and Share between 0 and 1")
			return
		}
		e.Inject(f)
		reply(http.StatusOK, e.State().Faults)
	case path == "faults" && r.Method == http.MethodDelete:
		e.ClearFaults()
		reply(http.StatusOK, []FaultSpec{})
	case path == "calls" && r.Method == http.MethodPost:
		var spec CallSpec
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&spec); err != nil {
			refuse(http.StatusBadRequest, "a call is a JSON object of SubsId, Peer, Unanswered, Twice, Talk, Delay, AckLost: "+err.Error())
			return
		}
		call, err := e.PlaceCall(r.Context(), spec)
		if errors.Is(err, ErrNoBinding) {
			refuse(http.StatusNotFound, err.Error())
			return
		}
		if err != nil {
			refuse(http.StatusBadRequest, err.Error())
			return
		}
		reply(http.StatusOK, call)
	case path == "reset" && r.Method == http.MethodPost:
		e.Reset()
		reply(http.StatusOK, map[string]string{"Status": "reset"})
	default:
		refuse(http.StatusNotFound, "controls: GET "+ControlPrefix+"state, POST or DELETE "+ControlPrefix+"faults, POST "+ControlPrefix+"calls, POST "+ControlPrefix+"reset")
	}
}
