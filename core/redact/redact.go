// Package redact masks what must never be written in full: phone numbers, and
// upstream messages that quote the request.
package redact

import "strings"

// Phone masks a phone number the way the vendor's console does: the first
// three and the last four digits kept (139****0000, 057*****8888). Anything
// shorter than eight characters is masked whole.
func Phone(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}

// stringToSign marks where the upstream starts quoting its string to sign: the
// whole request, numbers and security token included.
const stringToSign = "string to sign"

// Text makes an upstream message safe to log or pass on: a quoted string to
// sign is cut off, and every run of seven or more digits (a phone number) is
// masked as Phone does.
func Text(s string) string {
	if i := strings.Index(strings.ToLower(s), stringToSign); i >= 0 {
		s = strings.TrimRight(s[:i], " :") + " [string to sign withheld]"
	}
	run := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			run++
			continue
		}
		if run >= 7 {
			return Text(s[:i-run] + Phone(s[i-run:i]) + s[i:])
		}
		run = 0
	}
	return s
}
