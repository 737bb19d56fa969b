package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// asrModels are the speech models BindAxg accepts.
var asrModels = map[string]bool{
	"7ee372834d2f4cc7ac0d0ab2d0ae1aac": true, // Mandarin
	"9b4afe3d224e4fa3bf963697113e2f77": true, // Cantonese
	"3655a6cb94764145a1f9a38a3c3b3b4b": true, // regional accents
}

var cst = time.FixedZone("CST", 8*60*60)

// bindParams are one binding's parameters as they arrive: strings, "" unset.
type bindParams struct {
	PoolKey, PhoneNoA, GroupId, PhoneNoB, PhoneNoX, ExpectCity, Expiration string
	IsRecordingEnabled, OutId, OutOrderId, CallDisplayType, RingConfig     string
	ASRStatus, ASRModelId, CallRestrict                                    string
}

type secretBindDTO struct {
	SecretNo  string `json:"SecretNo"`
	SubsId    string `json:"SubsId"`
	Extension string `json:"Extension"`
}

type bindAnswer struct {
	Code          string         `json:"Code"`
	Message       string         `json:"Message"`
	RequestId     string         `json:"RequestId"`
	SecretBindDTO *secretBindDTO `json:"SecretBindDTO,omitempty"`
}

type secretBind struct {
	SecretNo  string `json:"SecretNo"`
	SubsId    string `json:"SubsId"`
	Extension string `json:"Extension"`
	GroupId   string `json:"GroupId"`
	PhoneNoA  string `json:"PhoneNoA"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
}

type batchAnswer struct {
	Code           string `json:"Code"`
	Message        string `json:"Message"`
	RequestId      string `json:"RequestId"`
	SecretBindList struct {
		SecretBind []secretBind `json:"SecretBind"`
	} `json:"SecretBindList"`
}

func setRequestID(ans any, id string) {
	switch a := ans.(type) {
	case *bindAnswer:
		a.RequestId = id
	case *batchAnswer:
		a.RequestId = id
	case *answer:
		a.RequestId = id
	case *detailAnswer:
		a.RequestId = id
	case *groupAnswer:
		a.RequestId = id
	}
}

func (e *Emulator) bindAxg(p url.Values) any {
	bp := bindParams{
		PoolKey: p.Get("PoolKey"), PhoneNoA: p.Get("PhoneNoA"), GroupId: p.Get("GroupId"),
		PhoneNoB: p.Get("PhoneNoB"), PhoneNoX: p.Get("PhoneNoX"), ExpectCity: p.Get("ExpectCity"),
		Expiration: p.Get("Expiration"), IsRecordingEnabled: p.Get("IsRecordingEnabled"),
		OutId: p.Get("OutId"), OutOrderId: p.Get("OutOrderId"), CallDisplayType: p.Get("CallDisplayType"),
		RingConfig: p.Get("RingConfig"), ASRStatus: p.Get("ASRStatus"), ASRModelId: p.Get("ASRModelId"),
		CallRestrict: p.Get("CallRestrict"),
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	dto, code, msg := e.bind(bp)
	return &bindAnswer{Code: code, Message: msg, SecretBindDTO: dto}
}

func (e *Emulator) bindBatchAxg(p url.Values) any {
	var items []map[string]any
	if err := json.Unmarshal([]byte(p.Get("AxgBindList")), &items); err != nil || len(items) == 0 {
		return reply(codeInvalid, "AxgBindList must be a non-empty JSON array of objects")
	}
	if len(items) > e.maxItems {
		return reply(codeInvalid, "AxgBindList holds "+strconv.Itoa(len(items))+" items; at most "+strconv.Itoa(e.maxItems)+" are accepted")
	}
	poolKey := p.Get("PoolKey")
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.pools[poolKey]; !ok {
		// The pool is the whole call's: an unknown one fails it, not its items.
		return reply(codePool, "no number pool "+poolKey+" in this account")
	}
	a := &batchAnswer{Code: "OK", Message: "OK"}
	a.SecretBindList.SecretBind = make([]secretBind, len(items))
	for i, m := range items {
		var bad string
		s := func(k string) string {
			switch v := m[k].(type) {
			case string:
				return v
			case nil:
			default:
				// The SDK sends every field as a string; a hand-built list
				// with an object or a number is refused, not half read.
				if bad == "" {
					bad = k
				}
			}
			return ""
		}
		bp := bindParams{
			PoolKey: poolKey, PhoneNoA: s("PhoneNoA"), GroupId: s("GroupId"), PhoneNoB: s("PhoneNoB"),
			PhoneNoX: s("PhoneNoX"), ExpectCity: s("ExpectCity"), Expiration: s("Expiration"),
			IsRecordingEnabled: s("IsRecordingEnabled"), OutId: s("OutId"), OutOrderId: s("OutOrderId"),
			CallDisplayType: s("CallDisplayType"), RingConfig: s("RingConfig"), ASRStatus: s("ASRStatus"),
			ASRModelId: s("ASRModelId"), CallRestrict: s("CallRestrict"),
		}
		sb := secretBind{GroupId: bp.GroupId, PhoneNoA: bp.PhoneNoA}
		if bad != "" {
			sb.Code, sb.Message = codeInvalid, bad+" must be a string"
		} else {
			dto, code, msg := e.bind(bp)
			sb.Code, sb.Message = code, msg
			if dto != nil {
				sb.SecretNo, sb.SubsId = dto.SecretNo, dto.SubsId
			}
		}
		a.SecretBindList.SecretBind[i] = sb
	}
	return a
}

// bind applies BindAxg's rules to one binding; e.mu is held.
func (e *Emulator) bind(p bindParams) (*secretBindDTO, string, string) {
	const invalid = "isv.INVALID_PARAMETERS"
	pl, ok := e.pools[p.PoolKey]
	switch { // PoolKey is given: the gateway checked (a batch's is the call's)
	case !ok:
		return nil, codePool, "no number pool " + p.PoolKey + " in this account"
	case p.PhoneNoA == "":
		return nil, invalid, "PhoneNoA is mandatory"
	case !validNumber(p.PhoneNoA):
		return nil, "isv.MOBILE_NUMBER_ILLEGAL", "PhoneNoA " + p.PhoneNoA + " is illegal"
	case p.PhoneNoB != "" && !validNumber(p.PhoneNoB):
		return nil, "isv.MOBILE_NUMBER_ILLEGAL", "PhoneNoB " + p.PhoneNoB + " is illegal"
	case p.PhoneNoX != "" && !validNumber(p.PhoneNoX):
		return nil, "isv.MOBILE_NUMBER_ILLEGAL", "PhoneNoX " + p.PhoneNoX + " is illegal"
	}
	gid, code, msg := e.usableGroup(p.PoolKey, p.GroupId)
	if code != "" {
		return nil, code, msg
	}
	exp, err := time.ParseInLocation("2006-01-02 15:04:05", p.Expiration, cst)
	now := e.now()
	switch {
	case err != nil:
		return nil, "isv.EXPIRE_DATE_ILLEGAL", "Expiration must be yyyy-MM-dd HH:mm:ss"
	case exp.Sub(now) <= time.Minute:
		return nil, "isv.EXPIRE_DATE_ILLEGAL", "Expiration must be more than one minute from now"
	case p.CallDisplayType != "" && p.CallDisplayType != "1":
		return nil, invalid, "callDisplayType invalid"
	case p.RingConfig != "" && !validRing(p.RingConfig):
		return nil, invalid, "ringConfig invalid"
	case p.CallRestrict != "" && p.CallRestrict != "CONTROL_AX_DISABLE" && p.CallRestrict != "CONTROL_BX_DISABLE":
		return nil, invalid, "callRestrict invalid"
	case p.ASRModelId != "" && !asrModels[p.ASRModelId]:
		return nil, invalid, "asrModelId invalid"
	case !validBool(p.IsRecordingEnabled) || !validBool(p.ASRStatus):
		return nil, invalid, "boolean parameter invalid"
	}

	x := p.PhoneNoX
	if x != "" {
		if !pl.has(x) {
			return nil, codeForbidden, "createSubs: X号码不存在或X号码不属于此号池 (" + x + ")"
		}
		if pl.conflict(x, p.PhoneNoA, p.PhoneNoB, now) {
			return nil, "isv.BIND_CONFLICT", "A or B is already bound to this X"
		}
	} else if x = pl.pick(p.ExpectCity, p.PhoneNoA, p.PhoneNoB, now); x == "" {
		return nil, "isv.NO_AVAILABLE_NUMBER", "no X number available in the pool"
	}
	b := &binding{subsID: strconv.FormatInt(e.nextSubs, 10), pool: p.PoolKey, x: x, a: p.PhoneNoA, b: p.PhoneNoB, group: gid,
		expires: exp, created: now, record: p.IsRecordingEnabled == "true", asr: p.ASRStatus == "true",
		callRestrict: p.CallRestrict, asrModel: p.ASRModelId, outID: p.OutId, outOrderID: p.OutOrderId}
	e.nextSubs++
	e.made++
	e.subs[b.subsID] = b
	pl.record(b)
	return &secretBindDTO{SecretNo: x, SubsId: b.subsID}, "OK", "OK"
}

// itemFault answers a batch with every item carrying the fault's code.
func itemFault(p url.Values, f Fault) *batchAnswer {
	a := &batchAnswer{Code: "OK", Message: "OK"}
	var items []map[string]any
	_ = json.Unmarshal([]byte(p.Get("AxgBindList")), &items)
	a.SecretBindList.SecretBind = make([]secretBind, len(items))
	for i, m := range items {
		a.SecretBindList.SecretBind[i] = secretBind{PhoneNoA: fmt.Sprint(m["PhoneNoA"]), GroupId: fmt.Sprint(m["GroupId"]), Code: f.Code, Message: f.Message}
	}
	return a
}

// record indexes a new binding on its X.
func (p *pool) record(b *binding) {
	st := p.byX[b.x]
	if st == nil {
		st = &xState{until: map[string]time.Time{}, subs: map[string]*binding{}}
		p.byX[b.x] = st
	}
	st.count++
	st.subs[b.subsID] = b
	st.mark(b)
}

// mark extends the index of b's numbers on its X to b's expiration.
func (st *xState) mark(b *binding) {
	for _, n := range []string{b.a, b.b} {
		if n != "" && b.expires.After(st.until[n]) {
			st.until[n] = b.expires
		}
	}
}

// reindex rebuilds x's index after a binding on it was unbound or changed:
// the numbers it no longer holds are free on x again.
func (p *pool) reindex(x string) {
	st := p.byX[x]
	if st == nil {
		return
	}
	clear(st.until)
	for _, b := range st.subs {
		st.mark(b)
	}
}

func (p *pool) has(x string) bool {
	for _, n := range p.Numbers {
		if n.No == x {
			return true
		}
	}
	return false
}

// conflict: A or B already has a live binding on x, as A or as B.
func (p *pool) conflict(x, a, b string, now time.Time) bool {
	st := p.byX[x]
	if st == nil {
		return false
	}
	return st.until[a].After(now) || b != "" && st.until[b].After(now)
}

// pick chooses the least-used X free for A and B, in ExpectCity first; another
// city's X only when the pool is not strict.
func (p *pool) pick(city, a, b string, now time.Time) string {
	best, bestLoad := "", -1
	for pass := 0; pass < 2 && best == ""; pass++ {
		if pass == 1 && (city == "" || p.Strict) {
			break
		}
		for _, n := range p.Numbers {
			if pass == 0 && city != "" && n.City != city || p.conflict(n.No, a, b, now) {
				continue
			}
			load := 0
			if st := p.byX[n.No]; st != nil {
				load = st.count
			}
			if best == "" || load < bestLoad {
				best, bestLoad = n.No, load
			}
		}
	}
	return best
}

func validNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	switch {
	case len(s) == 11 && s[0] == '1':
		return s[1] >= '3'
	case len(s) >= 10 && len(s) <= 12 && s[0] == '0':
		return s[1] != '0'
	}
	return false
}

func validBool(s string) bool { return s == "" || s == "true" || s == "false" }

func validRing(s string) bool {
	var m map[string]string
	if json.Unmarshal([]byte(s), &m) != nil || len(m) == 0 {
		return false
	}
	for k, v := range m {
		if k != "AXGRing_AB" && k != "AXGRing_A" && k != "AXGRing_G" || strings.TrimSpace(v) == "" {
			return false
		}
	}
	return true
}
