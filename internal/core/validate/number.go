package validate

import "strings"

// NormalizeNumber strips the decorations people write around a phone number:
// spaces and hyphens go; a leading +86 goes, and a fixed line written after +86
// without its trunk 0 gets it back (a number starting with 1 is a mobile
// there, but for Beijing's 10); a 13-digit 86-prefixed mobile loses the 86.
// What comes out is what is validated, sent upstream and echoed.
func NormalizeNumber(s string) string {
	if s == "" || (len(s) != 13 && allDigits(s)) {
		return s // nothing to strip: the common case
	}
	if strings.ContainsAny(s, " -\t\u00a0\u3000") {
		var b strings.Builder
		b.Grow(len(s))
		for _, r := range s {
			switch r {
			case ' ', '-', '\t', '\u00a0', '\u3000':
			default:
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
		// After +86 a number starting with 1 is a mobile, right or wrong,
		// unless it starts with Beijing's area code 10; anything else not
		// starting with 0 is a fixed line written without its trunk 0. A
		// mistyped mobile must fail as one, not pass as a fixed line.
		if s != "" && s[0] != '0' && (s[0] != '1' || strings.HasPrefix(s, "10")) {
			s = "0" + s
		}
	case len(s) == 13 && strings.HasPrefix(s, "861") && allDigits(s):
		s = s[2:]
	}
	return s
}

// IsNumber reports whether s is a mainland mobile number (11 digits, 1[3-9]
// then 9 digits) or a fixed-line number with its area code (0, a 2–3 digit area
// code that does not start with 0, then 7–8 digits: 10 to 12 digits in all).
func IsNumber(s string) bool {
	if !allDigits(s) {
		return false
	}
	switch {
	case len(s) == 11 && s[0] == '1':
		return s[1] >= '3'
	case s != "" && s[0] == '0':
		return len(s) >= 10 && len(s) <= 12 && s[1] != '0'
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
