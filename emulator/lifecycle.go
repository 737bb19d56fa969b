package emulator

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The rest of a binding's life and the G groups, with the rules of the
// vendor's pages for each action: UnbindSubscription, UpdateSubscription,
// QuerySubscriptionDetail, CreateAxgGroup, OperateAxgGroup, DeleteAxgGroup.
//
// Every code answered is one the vendor's error lists carry (the BindAxg
// and BindBatchAxg pages' status codes, and its error-code page); which
// rule earns which:
//   - isv.POOLKEY_NOT_EXISTS: a PoolKey the account has not (the vendor's
//     error-code page; isv.PARTNER_NOT_EXIST is "unknown partner, retry
//     later", and no rule here answers it);
//   - isv.SUBS_NOT_EXIST: a SubsId the pool has not, or one that does not
//     match the X given (the list: "no such binding");
//   - isv.FORBIDDEN_ACTION: a PhoneNoX not in the pool ("X号码不存在或X号码不属于
//     此号池"), an update of an expired binding, a delete of a group a live
//     binding uses, a 2,001st group (the list: "not allowed");
//   - isv.ILLEGAL_ARGUMENT: a group the pool has not, or with no number, or
//     past 200 numbers; a name or remark too long (the list: "illegal
//     argument"; the group pages name no code of their own);
//   - isv.MOBILE_NUMBER_ILLEGAL, isv.EXPIRE_DATE_ILLEGAL, isv.BIND_CONFLICT:
//     as their names say, as for BindAxg;
//   - isv.INVALID_PARAMETERS: any other parameter's value (the list's
//     item-level example, "ringConfig invalid").

const (
	codeOK        = "OK"
	codeInvalid   = "isv.INVALID_PARAMETERS"
	codeIllegal   = "isv.ILLEGAL_ARGUMENT"
	codeForbidden = "isv.FORBIDDEN_ACTION"
	codeNoSubs    = "isv.SUBS_NOT_EXIST"
	codeMobile    = "isv.MOBILE_NUMBER_ILLEGAL"
	codeExpire    = "isv.EXPIRE_DATE_ILLEGAL"
	codePool      = "isv.POOLKEY_NOT_EXISTS"

	// maxGroupNumbers and maxGroups are the vendor's: at most 200 numbers a
	// group call (and overwriteNumbers only while the group holds at most
	// 200), at most 2,000 groups a pool.
	maxGroupNumbers = 200
	maxGroups       = 2000
)

// answer is a call's answer with no data of its own.
type answer struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	RequestId string `json:"RequestId"`
}

type detailAnswer struct {
	answer
	SecretBindDetailDTO *bindDetail `json:"SecretBindDetailDTO,omitempty"`
}

type bindDetail struct {
	SubsId       string `json:"SubsId"`
	Status       int64  `json:"Status"`
	PhoneNoA     string `json:"PhoneNoA"`
	PhoneNoB     string `json:"PhoneNoB"`
	PhoneNoX     string `json:"PhoneNoX"`
	GroupId      int64  `json:"GroupId"`
	Extension    string `json:"Extension"`
	ExpireDate   string `json:"ExpireDate"`
	GmtCreate    string `json:"GmtCreate"`
	NeedRecord   bool   `json:"NeedRecord"`
	CallRestrict string `json:"CallRestrict"`
	ASRStatus    bool   `json:"ASRStatus"`
	ASRModelId   string `json:"ASRModelId"`
}

type groupAnswer struct {
	answer
	GroupId int64 `json:"GroupId,omitempty"`
}

func reply(code, msg string) *answer { return &answer{Code: code, Message: msg} }

// pooled checks PoolKey (the gateway saw that it is given); e.mu is held.
func (e *Emulator) pooled(p url.Values) (*pool, *answer) {
	key := p.Get("PoolKey")
	pl, ok := e.pools[key]
	if !ok {
		return nil, reply(codePool, "no number pool "+key+" in this account")
	}
	return pl, nil
}

// subscription finds the binding p names by SubsId and its X (given as
// xParam); e.mu is held.
func (e *Emulator) subscription(p url.Values, xParam string) (*pool, *binding, *answer) {
	pl, a := e.pooled(p)
	if a != nil {
		return nil, nil, a
	}
	id, x := p.Get("SubsId"), p.Get(xParam) // both given: the gateway checked
	b := e.subs[id]
	switch {
	case b == nil || b.pool != pl.Key:
		return nil, nil, reply(codeNoSubs, "subscription "+id+" does not exist")
	case b.x != x:
		return nil, nil, reply(codeNoSubs, "subscription "+id+" is not on X number "+x)
	}
	return pl, b, nil
}

func (e *Emulator) unbindSubscription(p url.Values) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	pl, b, a := e.subscription(p, "SecretNo")
	if a != nil {
		return a
	}
	delete(e.subs, b.subsID)
	if st := pl.byX[b.x]; st != nil {
		delete(st.subs, b.subsID)
	}
	pl.reindex(b.x) // A and B are free on X again
	return reply(codeOK, "OK")
}

func (e *Emulator) updateSubscription(p url.Values) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	pl, b, a := e.subscription(p, "PhoneNoX")
	if a != nil {
		return a
	}
	now := e.now()
	if !b.expires.After(now) {
		return reply(codeForbidden, "the subscription has expired and cannot be updated")
	}
	op := p.Get("OperateType")
	if rc := p.Get("RingConfig"); rc != "" && !validRing(rc) { // any update may carry it
		return reply(codeInvalid, "ringConfig invalid")
	}
	switch op {
	case "updateNoA", "updateNoB":
		name, n := "PhoneNoA", p.Get("PhoneNoA")
		if op == "updateNoB" {
			name, n = "PhoneNoB", p.Get("PhoneNoB")
		}
		switch {
		case n == "":
			return reply(codeInvalid, name+" is mandatory for "+op)
		case !validNumber(n):
			return reply(codeMobile, name+" "+n+" is illegal")
		case conflictExcept(pl, b, n, now):
			return reply("isv.BIND_CONFLICT", name+" is already bound to this X")
		}
		if op == "updateNoA" {
			b.a = n
		} else {
			b.b = n
		}
	case "updateExpire":
		exp, err := time.ParseInLocation("2006-01-02 15:04:05", p.Get("Expiration"), cst)
		switch {
		case err != nil:
			return reply(codeExpire, "Expiration must be yyyy-MM-dd HH:mm:ss")
		case exp.Sub(now) <= time.Minute:
			return reply(codeExpire, "Expiration must be more than one minute from now")
		}
		b.expires = exp
	case "updateAxgGroup":
		gid, code, msg := e.usableGroup(pl.Key, p.Get("GroupId"))
		if code != "" {
			return reply(code, msg)
		}
		b.group = gid
	case "updateCallRestrict":
		switch v := p.Get("CallRestrict"); v {
		case "CONTROL_AX_DISABLE", "CONTROL_BX_DISABLE":
			b.callRestrict = v
		case "CONTROL_CLEAR_DISABLE":
			b.callRestrict = ""
		default:
			return reply(codeInvalid, "callRestrict invalid")
		}
	case "updateCallDisplayType":
		if p.Get("CallDisplayType") != "1" {
			return reply(codeInvalid, "callDisplayType invalid")
		}
	case "updateOutId":
		b.outID = p.Get("OutId")
	case "updateIsRecordingEnabled":
		v := p.Get("IsRecordingEnabled")
		if v == "" || !validBool(v) {
			return reply(codeInvalid, "isRecordingEnabled invalid")
		}
		b.record = v == "true"
	case "updateAsr": // ASRStatus, and ASRModelId when it is true (the UpdateSubscription page)
		v, model := p.Get("ASRStatus"), p.Get("ASRModelId")
		switch {
		case v == "" || !validBool(v):
			return reply(codeInvalid, "asrStatus invalid")
		case v == "true" && !asrModels[model]:
			return reply(codeInvalid, "asrModelId invalid")
		}
		b.asr, b.asrModel = v == "true", model
		if !b.asr {
			b.asrModel = ""
		}
	default:
		return reply(codeInvalid, "operateType invalid")
	}
	pl.reindex(b.x)
	return reply(codeOK, "OK")
}

// conflictExcept: n has a live binding on b's X other than b.
func conflictExcept(pl *pool, b *binding, n string, now time.Time) bool {
	for _, o := range pl.byX[b.x].subs {
		if o != b && o.expires.After(now) && (o.a == n || o.b == n) {
			return true
		}
	}
	return false
}

func (e *Emulator) querySubscriptionDetail(p url.Values) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, b, a := e.subscription(p, "PhoneNoX")
	if a != nil {
		return &detailAnswer{answer: *a}
	}
	status := int64(1)
	if !b.expires.After(e.now()) {
		status = 0 // expired: the upstream keeps it, as inactive
	}
	return &detailAnswer{answer: answer{Code: codeOK, Message: "OK"}, SecretBindDetailDTO: &bindDetail{
		SubsId: b.subsID, Status: status, PhoneNoA: b.a, PhoneNoB: b.b, PhoneNoX: b.x, GroupId: b.group,
		ExpireDate: b.expires.In(cst).Format("2006-01-02 15:04:05"), GmtCreate: b.created.In(cst).Format("2006-01-02 15:04:05"),
		NeedRecord: b.record, CallRestrict: b.callRestrict, ASRStatus: b.asr, ASRModelId: b.asrModel}}
}

// subsIdAnswer is QuerySubsId's answer.
type subsIdAnswer struct {
	answer
	SubsId string `json:"SubsId"`
}

// querySubsId lists the bindings on X, as the vendor's page says: their
// SubsIds comma-separated, "" for none (an expired binding the upstream
// still keeps, as QuerySubscriptionDetail does, until it is unbound).
func (e *Emulator) querySubsId(p url.Values) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	pl, a := e.pooled(p)
	if a != nil {
		return &subsIdAnswer{answer: *a}
	}
	var ids []string
	if st := pl.byX[p.Get("PhoneNoX")]; st != nil {
		for id := range st.subs {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return &subsIdAnswer{answer: answer{Code: codeOK, Message: "OK"}, SubsId: strings.Join(ids, ",")}
}

// numbers parses a group call's comma-separated Numbers.
func numbers(s string) ([]string, *answer) {
	if s == "" {
		return nil, nil
	}
	ns := strings.Split(s, ",")
	if len(ns) > maxGroupNumbers {
		return nil, reply(codeIllegal, "numbers: at most 200 in one call")
	}
	for _, n := range ns {
		if !validNumber(n) {
			return nil, reply(codeMobile, "number "+n+" is illegal")
		}
	}
	return ns, nil
}

func (e *Emulator) createAxgGroup(p url.Values) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	pl, a := e.pooled(p)
	if a != nil {
		return &groupAnswer{answer: *a}
	}
	name, remark := p.Get("Name"), p.Get("Remark")
	switch {
	case utf8.RuneCountInString(name) > 16:
		return &groupAnswer{answer: *reply(codeIllegal, "name: at most 16 characters")}
	case utf8.RuneCountInString(remark) > 50:
		return &groupAnswer{answer: *reply(codeIllegal, "remark: at most 50 characters")}
	}
	ns, a := numbers(p.Get("Numbers"))
	if a != nil {
		return &groupAnswer{answer: *a}
	}
	count := 0
	for _, g := range e.groups {
		if g.PoolKey == pl.Key {
			count++
		}
	}
	if count >= maxGroups {
		return &groupAnswer{answer: *reply(codeForbidden, "the pool holds 2000 groups already")}
	}
	g := &Group{ID: e.nextGroup, PoolKey: pl.Key, Numbers: dedupe(ns)}
	e.nextGroup++
	e.groups[g.ID] = g
	return &groupAnswer{answer: answer{Code: codeOK, Message: "OK"}, GroupId: g.ID}
}

// group finds the group p names in its pool; e.mu is held.
func (e *Emulator) group(p url.Values) (*Group, *answer) {
	pl, a := e.pooled(p)
	if a != nil {
		return nil, a
	}
	s := p.Get("GroupId") // given: the gateway checked
	id, err := strconv.ParseInt(s, 10, 64)
	g := e.groups[id]
	switch {
	case err != nil:
		return nil, reply(codeIllegal, "GroupId must be a number")
	case g == nil || g.PoolKey != pl.Key:
		return nil, reply(codeIllegal, "group "+s+" does not exist in this pool")
	}
	return g, nil
}

func (e *Emulator) operateAxgGroup(p url.Values) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, a := e.group(p)
	if a != nil {
		return a
	}
	ns, a := numbers(p.Get("Numbers")) // given: the gateway checked
	if a != nil {
		return a
	}
	var next []string
	switch op := p.Get("OperateType"); op {
	case "addNumbers":
		next = dedupe(append(append([]string(nil), g.Numbers...), ns...))
	case "deleteNumbers":
		drop := map[string]bool{}
		for _, n := range ns {
			drop[n] = true
		}
		for _, n := range g.Numbers {
			if !drop[n] {
				next = append(next, n)
			}
		}
	case "overwriteNumbers":
		// Only while the group holds at most 200 (OperateAxgGroup's page);
		// a group grows past 200 by several adds of at most 200 each.
		if len(g.Numbers) > maxGroupNumbers {
			return reply(codeIllegal, "overwriteNumbers: the group holds more than 200 numbers; add and delete instead")
		}
		next = dedupe(ns)
	default:
		return reply(codeInvalid, "operateType invalid")
	}
	g.Numbers = next
	return reply(codeOK, "OK")
}

func (e *Emulator) deleteAxgGroup(p url.Values) any {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, a := e.group(p)
	if a != nil {
		return a
	}
	now := e.now()
	for _, b := range e.subs {
		if b.group == g.ID && b.expires.After(now) {
			return reply(codeForbidden, "the group is used by a binding")
		}
	}
	delete(e.groups, g.ID)
	return reply(codeOK, "OK")
}

// usableGroup checks a binding's GroupId: a group of the pool with a
// number; e.mu is held.
func (e *Emulator) usableGroup(poolKey, s string) (int64, string, string) {
	gid, err := strconv.ParseInt(s, 10, 64)
	g := e.groups[gid]
	switch {
	case s == "" || err != nil:
		return 0, codeInvalid, "GroupId is mandatory and numeric"
	case g == nil || g.PoolKey != poolKey:
		return 0, codeIllegal, "group " + s + " does not exist in this pool"
	case len(g.Numbers) == 0:
		return 0, codeIllegal, "group " + s + " holds no number"
	}
	return gid, "", ""
}

func dedupe(ns []string) []string {
	seen := map[string]bool{}
	out := ns[:0:0]
	for _, n := range ns {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
