// Package validate decodes the binder's JSON requests the way callers write
// them, normalises what people decorate (phone numbers, city names, ring
// configs), and checks every rule of contract.md with go-playground/validator,
// answering with field paths and the upstream's codes.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/axg-binder/binder/core"
)

// fieldOrder is the upstream's documented field order: an item with several
// broken fields takes the code of the first.
var fieldOrder = map[string]int{
	"PoolKey": 0, "PhoneNoA": 1, "GroupId": 2, "PhoneNoB": 3, "PhoneNoX": 4, "ExpectCity": 5,
	"Expiration": 6, "IsRecordingEnabled": 7, "OutId": 8, "OutOrderId": 9, "CallDisplayType": 10,
	"RingConfig": 11, "ASRStatus": 12, "ASRModelId": 13, "CallRestrict": 14,
}

// Validator checks requests against contract.md's rules. It is safe for
// concurrent use.
type Validator struct {
	v        *validator.Validate
	now      func() time.Time
	maxItems int
}

// New returns a Validator reading time from now (time.Now when nil) and
// accepting batches of at most maxItems items.
func New(now func() time.Time, maxItems int) *Validator {
	if now == nil {
		now = time.Now
	}
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		return name
	})
	must(v.RegisterValidation("phone", phoneRule))
	must(v.RegisterValidation("groupid", groupIDRule))
	must(v.RegisterValidation("city", cityRule))
	must(v.RegisterValidation("ringconfig", ringConfigRule))
	must(v.RegisterValidation("expiration", expirationRule(now)))
	return &Validator{v: v, now: now, maxItems: maxItems}
}

func must(err error) {
	if err != nil {
		panic(err) // a rule name clash is a programming error found by any test
	}
}

// Normalize rewrites what callers decorate into what the upstream takes.
func Normalize(it *core.Item) {
	it.PhoneNoA = NormalizeNumber(it.PhoneNoA)
	it.PhoneNoB = NormalizeNumber(it.PhoneNoB)
	it.PhoneNoX = NormalizeNumber(it.PhoneNoX)
	it.GroupId = strings.TrimSpace(it.GroupId)
	it.Expiration = strings.TrimSpace(it.Expiration)
	it.ExpectCity = strings.TrimSuffix(strings.TrimSpace(it.ExpectCity), "市")
	if rc := strings.TrimSpace(it.RingConfig); rc != "" {
		var b bytes.Buffer
		if json.Compact(&b, []byte(rc)) == nil {
			rc = b.String()
		}
		it.RingConfig = rc
	}
}

// Item normalises it and checks every rule. It answers nil, or a validation
// error whose fields (prefixed with prefix, as "AxgBindList[3].") come in the
// upstream's field order and whose code is the first field's.
func (v *Validator) Item(it *core.Item, prefix string) *core.Error {
	return finish(v.check(it, prefix, nil))
}

// issue is a field error with the code it earns.
type issue struct {
	core.FieldError
	code core.Code
}

func (v *Validator) check(it *core.Item, prefix string, issues []issue) []issue {
	Normalize(it)
	// Optional fields left empty pass their omitempty rules anyway; skipping
	// them spares validator/v10 boxing each one (most of its cost per item).
	err := v.v.StructFiltered(it, func(ns []byte) bool {
		switch string(ns[bytes.LastIndexByte(ns, '.')+1:]) {
		case "PhoneNoB":
			return it.PhoneNoB == ""
		case "PhoneNoX":
			return it.PhoneNoX == ""
		case "ExpectCity":
			return it.ExpectCity == ""
		case "CallDisplayType":
			return it.CallDisplayType == nil
		case "RingConfig":
			return it.RingConfig == ""
		case "ASRModelId":
			return it.ASRModelId == ""
		case "CallRestrict":
			return it.CallRestrict == ""
		}
		return false
	})
	if err == nil {
		return issues
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return append(issues, issue{core.FieldError{Field: strings.TrimSuffix(prefix, "."), Message: err.Error()}, core.CodeInvalidParameters})
	}
	for _, fe := range ves {
		issues = append(issues, issue{core.FieldError{Field: prefix + fe.Field(), Message: v.message(fe)}, codeFor(fe.Tag())})
	}
	return issues
}

// codeFor is the code a broken rule earns: a malformed number or expiration has
// its own upstream code; everything else, a missing field included, is
// isv.INVALID_PARAMETERS.
func codeFor(tag string) core.Code {
	switch tag {
	case "phone":
		return core.CodeMobileIllegal
	case "expiration":
		return core.CodeExpireDateIllegal
	}
	return core.CodeInvalidParameters
}

// finish orders issues by the upstream's field order (unknown fields last) and
// makes them one error carrying the first one's code.
func finish(issues []issue) *core.Error {
	if len(issues) == 0 {
		return nil
	}
	sort.SliceStable(issues, func(i, j int) bool { return rank(issues[i].Field) < rank(issues[j].Field) })
	fields := make([]core.FieldError, len(issues))
	for i, is := range issues {
		fields[i] = is.FieldError
	}
	return core.Invalid(issues[0].code, fields)
}

const (
	msgRequired = "is required"
	msgNumber   = "must be a mainland mobile number (11 digits, 1[3-9] then 9 digits) or a fixed-line number with its area code (0, a 2-3 digit area code, 7-8 digits, no hyphen)"
)

func (v *Validator) message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return msgRequired
	case "phone":
		return msgNumber
	case "groupid":
		return "must be a positive whole number (a JSON number or a string of digits)"
	case "city":
		return "must be a city name without its suffix (北京, not 北京市), at most 32 characters"
	case "expiration":
		s, _ := fe.Value().(string)
		if _, err := time.ParseInLocation(ExpirationLayout, s, CST); err != nil {
			return "must be yyyy-MM-dd HH:mm:ss in China Standard Time (UTC+8)"
		}
		return "must be more than one minute after now (" + v.now().In(CST).Format(ExpirationLayout) + " UTC+8)"
	case "eq":
		return "the only accepted value is 1"
	case "ringconfig":
		return "must be a JSON object whose keys are among AXGRing_AB, AXGRing_A and AXGRing_G, each with a non-empty string value"
	case "len", "hexadecimal":
		return "must be 32 hexadecimal digits"
	case "oneof":
		return "must be CONTROL_AX_DISABLE or CONTROL_BX_DISABLE"
	}
	return "breaks the rule " + fe.Tag()
}

func rank(path string) int {
	dot := strings.LastIndexByte(path, '.')
	name := path[dot+1:]
	if r, ok := fieldOrder[name]; ok && (dot < 0 || name != "PoolKey") { // an item's PoolKey is a stray field
		return r
	}
	return len(fieldOrder)
}
