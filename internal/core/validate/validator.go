// Package validate decodes the binder's JSON requests the way callers write
// them, normalises what people decorate (phone numbers, city names, ring
// configs), and checks every rule of docs/http-api.md with go-playground/validator,
// answering with field paths and the upstream's codes.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/axg-binder/binder/internal/core"
)

// Validator checks requests against the rules of docs/http-api.md. It is safe for
// concurrent use.
type Validator struct {
	v          *validator.Validate // Max and OneOf: what it is good at
	now        func() time.Time
	expiration func(string) bool
	maxItems   int
}

// New returns a Validator reading time from now (time.Now when nil) and
// accepting batches of at most maxItems items.
func New(now func() time.Time, maxItems int) *Validator {
	if now == nil {
		now = time.Now
	}
	return &Validator{v: validator.New(validator.WithRequiredStructEnabled()), now: now, expiration: expirationRule(now), maxItems: maxItems}
}

// normalizers rewrite what callers decorate into what the upstream takes,
// one for each core.Norm (TestEveryNormAndCheckIsImplemented).
var normalizers = [...]func(string) string{
	core.NormNone:   func(s string) string { return s },
	core.NormNumber: NormalizeNumber,
	core.NormTrim:   strings.TrimSpace,
	core.NormCity:   func(s string) string { return strings.TrimSuffix(strings.TrimSpace(s), "市") },
	// The SDK sends the group calls' GroupId as an integer, so "0012" goes
	// as 12; sent as we normalise it, the request is the SDK's.
	core.NormGroupID: func(s string) string {
		s = strings.TrimSpace(s)
		if t := strings.TrimLeft(s, "0"); t != s && t != "" && allDigits(t) {
			return t
		}
		return s
	},
	core.NormNumbers: func(s string) string {
		parts := strings.Split(s, ",")
		for i, p := range parts {
			parts[i] = NormalizeNumber(p)
		}
		return strings.Join(parts, ",")
	},
	core.NormJSON: func(s string) string {
		s = strings.TrimSpace(s)
		var b bytes.Buffer
		if s != "" && json.Compact(&b, []byte(s)) == nil {
			return b.String()
		}
		return s
	},
}

// Check normalises it and checks every rule of a BindAxg item built in code.
// It answers nil, or a validation error whose fields (prefixed with prefix,
// as "AxgBindList[3].") come in the upstream's field order and whose code is
// the first field's.
func (v *Validator) Check(it *core.Item, prefix string) *core.Error {
	issues := check(v, items, it, "", nil)
	for k := range issues {
		issues[k].Field = prefix + issues[k].Field
	}
	return finish(items, issues)
}

// issue is a field error with the code it earns.
type issue struct {
	core.FieldError
	code core.Code
}

// check normalises each field of x, then checks its rule: a required one
// that is unset earns "is required"; an optional one that is unset is
// skipped, which spares validator/v10 boxing it.
func check[T any](v *Validator, f *form[T], x *T, prefix string, issues []issue) []issue {
	for i := range f.fields {
		fd := &f.fields[i]
		if fd.Str != nil {
			p := fd.Str(x)
			*p = f.norms[i](*p)
		}
		if !fd.Set(x) {
			if fd.Rule.Required {
				issues = append(issues, issue{core.FieldError{Field: prefix + fd.Name, Message: msgRequired}, core.CodeInvalidParameters})
			}
			continue
		}
		if f.tags[i] != "" {
			var err error
			switch {
			case fd.Str != nil:
				err = v.v.Var(*fd.Str(x), f.tags[i])
			case fd.Int != nil:
				err = v.v.Var(**fd.Int(x), f.tags[i])
			case fd.Bool != nil:
				err = v.v.Var(**fd.Bool(x), f.tags[i])
			}
			if err != nil {
				var ves validator.ValidationErrors
				msg := err.Error()
				if errors.As(err, &ves) && len(ves) > 0 {
					msg = tagMessage(ves[0])
				}
				issues = append(issues, issue{core.FieldError{Field: prefix + fd.Name, Message: msg}, core.CodeInvalidParameters})
				continue
			}
		}
		if fd.Rule.Is != core.CheckNone && fd.Str != nil && !v.passes(fd.Rule.Is, *fd.Str(x)) {
			issues = append(issues, issue{core.FieldError{Field: prefix + fd.Name, Message: v.message(fd.Rule.Is, *fd.Str(x))}, codeFor(fd.Rule.Is)})
		}
	}
	return issues
}

// codeFor is the code a broken check earns: a malformed number or
// expiration has its own upstream code; everything else, a missing field
// included, is isv.INVALID_PARAMETERS.
func codeFor(c core.Check) core.Code {
	switch c {
	case core.CheckPhone:
		return core.CodeMobileIllegal
	case core.CheckExpiration:
		return core.CodeExpireDateIllegal
	}
	return core.CodeInvalidParameters
}

// finish orders issues by the form's field order (unknown fields last) and
// makes them one error carrying the first one's code.
func finish[T any](f *form[T], issues []issue) *core.Error {
	if len(issues) == 0 {
		return nil
	}
	sort.SliceStable(issues, func(i, j int) bool { return f.rank(issues[i].Field) < f.rank(issues[j].Field) })
	fields := make([]core.FieldError, len(issues))
	for i, is := range issues {
		fields[i] = is.FieldError
	}
	return core.Invalid(issues[0].code, fields)
}

const (
	msgRequired = "is required"
	msgNumber   = "must be a mainland mobile number (11 digits, 1[3-9] then 9 digits) or a fixed-line number with its area code (0, a 2-3 digit area code, 7-8 digits; spaces or hyphens between the groups are fine)"
)

// tagMessage says what a value validator/v10 refused must be.
func tagMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "max":
		return "must be at most " + fe.Param() + " characters long"
	case "oneof":
		if !strings.Contains(fe.Param(), " ") {
			return "the only accepted value is " + fe.Param()
		}
		return "must be one of " + strings.ReplaceAll(fe.Param(), " ", ", ")
	}
	return "breaks the rule " + fe.Tag()
}

// message says what a value that failed check c must be.
func (v *Validator) message(c core.Check, s string) string {
	switch c {
	case core.CheckPhone:
		return msgNumber
	case core.CheckGroupID:
		return "must be a positive whole number (a JSON number or a string of digits)"
	case core.CheckCity:
		return "must be a city name without its suffix (北京, not 北京市), at most 32 characters"
	case core.CheckExpiration:
		if _, err := time.ParseInLocation(ExpirationLayout, s, CST); err != nil {
			return "must be yyyy-MM-dd HH:mm:ss in China Standard Time (UTC+8)"
		}
		return "must be more than one minute after now (" + v.now().In(CST).Format(ExpirationLayout) + " UTC+8)"
	case core.CheckRingConfig:
		return "must be a JSON object whose keys are among AXGRing_AB, AXGRing_A and AXGRing_G, each with a non-empty string value"
	case core.CheckSubsID:
		return "must be a subscription ID: letters, digits, - _ and . (the SubsId a bind answered)"
	case core.CheckNumbers:
		return numbersMessage(s)
	}
	return "breaks a rule"
}
