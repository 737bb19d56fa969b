package validate

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/redact"
)

// ExpirationLayout is the upstream's Expiration format, read in China Standard Time.
const ExpirationLayout = "2006-01-02 15:04:05"

// CST is China Standard Time (UTC+8, no daylight saving), the zone of Expiration.
var CST = time.FixedZone("CST", 8*60*60)

// MinLead is how far ahead of now an Expiration must be: more than this.
const MinLead = time.Minute

// ringKeys are the keys RingConfig may hold.
var ringKeys = map[string]bool{"AXGRing_AB": true, "AXGRing_A": true, "AXGRing_G": true}

// groupIDRule: a positive whole number that fits the upstream's long.
func groupIDRule(s string) bool {
	if !allDigits(s) {
		return false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0
}

// cityRule: a city name as the pools know it, without the 市 suffix (that is
// removed by normalisation), without digits or ASCII punctuation.
func cityRule(s string) bool {
	if utf8.RuneCountInString(s) > 32 || strings.TrimSpace(s) == "" {
		return false
	}
	return !strings.ContainsAny(s, "0123456789!\"#$%&'()*+,./:;<=>?@[\\]^_`{|}~")
}

// ValidRingConfig reports whether s is a JSON object whose keys are among
// AXGRing_AB, AXGRing_A and AXGRing_G, each with a non-empty string value.
func ValidRingConfig(s string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(s), &m) != nil || len(m) == 0 {
		return false
	}
	for k, raw := range m {
		var v string
		if !ringKeys[k] || json.Unmarshal(raw, &v) != nil || strings.TrimSpace(v) == "" {
			return false
		}
	}
	return true
}

// expirationRule returns the rule for the injected clock: the right layout and
// more than MinLead after now. The items of a batch or a file mostly share one
// Expiration: the last one parsed is kept.
func expirationRule(now func() time.Time) func(string) bool {
	type parsed struct {
		s  string
		t  time.Time
		ok bool
	}
	var last atomic.Pointer[parsed]
	return func(s string) bool {
		p := last.Load()
		if p == nil || p.s != s {
			t, err := time.ParseInLocation(ExpirationLayout, s, CST)
			p = &parsed{s, t, err == nil}
			last.Store(p)
		}
		return p.ok && p.t.Sub(now()) > MinLead
	}
}

// numbersMessage says what is wrong with a list of numbers, or "" when nothing
// is; a number is named masked, as logs show it.
func numbersMessage(s string) string {
	parts := strings.Split(s, ",")
	if len(parts) > core.MaxGroupNumbers {
		return "holds " + strconv.Itoa(len(parts)) + " numbers; a group call takes at most " + strconv.Itoa(core.MaxGroupNumbers)
	}
	seen := make(map[string]bool, len(parts))
	for i, p := range parts {
		switch {
		case !IsNumber(p):
			return "number " + strconv.Itoa(i+1) + " (" + redact.Clip(redact.Phone(p), 24) + ") " + msgNumber
		case seen[p]:
			return "number " + strconv.Itoa(i+1) + " (" + redact.Clip(redact.Phone(p), 24) + ") is given twice"
		}
		seen[p] = true
	}
	return ""
}

// subsIDRule: letters, digits, - _ and . (a SubsId is a string of digits).
func subsIDRule(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return s != ""
}

// passes reports whether s passes check c, one of core.Check's.
func (v *Validator) passes(c core.Check, s string) bool {
	switch c {
	case core.CheckNone:
		return true
	case core.CheckPhone:
		return IsNumber(s)
	case core.CheckGroupID:
		return groupIDRule(s)
	case core.CheckCity:
		return cityRule(s)
	case core.CheckExpiration:
		return v.expiration(s)
	case core.CheckRingConfig:
		return ValidRingConfig(s)
	case core.CheckNumbers:
		// a G group's numbers, comma-separated: 1 to core.MaxGroupNumbers
		// of them, each a number, none twice.
		return numbersMessage(s) == ""
	case core.CheckSubsID:
		return subsIDRule(s)
	}
	panic("validate: a core.Check with no rule") // TestEveryNormAndCheckIsImplemented
}
