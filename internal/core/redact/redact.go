// Package redact masks what must never be written in full: phone numbers, and
// upstream messages that quote the request.
package redact

import "strings"

// Phone masks a phone number the way the vendor's console does: the first
// three and the last four digits kept (139****0000, 057*****8888). Anything
// shorter than eight characters is masked whole.
func Phone(s string) string {
	s = foldDigits(s)
	if ascii(s) {
		if len(s) < 8 {
			return strings.Repeat("*", len(s))
		}
		return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
	}
	r := []rune(s) // a number may come in any characters: never cut one
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// stringToSign marks where the upstream starts quoting its string to sign: the
// whole request, numbers and security token included.
const stringToSign = "string to sign"

// withheld replaces it; Text finds it again in its own output and leaves it.
const withheld = "[string to sign withheld]"

// Text makes an upstream message, or anything else a caller sent, safe to log
// or pass on: a quoted string to sign is cut off, and every phone number is
// masked as Phone does: a run of seven to thirteen digits, counting the
// groups people write with spaces or hyphens between them (138 1234 5678,
// 0571-8888-8888); a group of one or two digits is not joined on, so dates and
// times stay as they are, and a longer run is no phone number (a SubsId of
// 16 digits stays whole; two numbers with a space between are each masked).
// Text of its own output changes nothing.
func Text(s string) string {
	s = foldDigits(s)
	for from := 0; ; {
		i := indexFold(s[from:], stringToSign)
		if i < 0 {
			break
		}
		i += from
		if i > 0 && s[i-1] == '[' && strings.HasPrefix(s[i-1:], withheld) {
			from = i + len(stringToSign)
			continue
		}
		s = strings.TrimRight(s[:i], " :") + " " + withheld
		break
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !digit(s[i]) {
			i++
			continue
		}
		end, digits := numberAt(s, i)
		if digits > maxPhoneDigits {
			// Longer than any phone number written out: groups run
			// together (two numbers with a space between), or a SubsId
			// or an ID, kept as it is. Each group is read on its own.
			end, digits = groupAt(s, i)
		}
		if digits >= 7 && digits <= maxPhoneDigits {
			if last == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:i])
			b.WriteString(Phone(onlyDigits(s[i:end])))
			last = end
		}
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// maxPhoneDigits is the most digits a phone number has written out: 13,
// a landline with its area code after +86. A SubsId (16 digits) is longer,
// and not a number to mask: it names a binding, not a person, and callers
// need it whole.
const maxPhoneDigits = 13

// groupAt reads one run of digits from i on.
func groupAt(s string, i int) (end, digits int) {
	end = i
	for end < len(s) && digit(s[end]) {
		end++
	}
	return end, end - i
}

// numberAt reads the digits from i on, joining on a next group after one
// space or hyphen when that group has three digits or more.
func numberAt(s string, i int) (end, digits int) {
	j := i
	for {
		k := j
		for k < len(s) && digit(s[k]) {
			k++
		}
		digits += k - j
		j = k
		if j+1 >= len(s) || (s[j] != ' ' && s[j] != '-') {
			return j, digits
		}
		g := j + 1
		for g < len(s) && digit(s[g]) {
			g++
		}
		if g-(j+1) < 3 {
			return j, digits
		}
		j++
	}
}

func digit(c byte) bool { return c >= '0' && c <= '9' }

// indexFold is strings.Index of an ASCII sub, ignoring case, without the
// copy strings.ToLower makes of every line.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if (s[i]|0x20) == sub[0] && strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// foldDigits writes full-width digits (０-９, as a phone keypad in a
// Chinese input method types them) as ASCII ones, so that a number in them
// is masked like any other: Text left them whole.
func foldDigits(s string) string {
	if !strings.Contains(s, "\xef\xbc") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// Clip keeps what a caller sent short in the logs: at most n bytes (cut on a
// character boundary), the length said after a cut.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xc0 == 0x80 {
		cut--
	}
	return s[:cut] + "...(" + itoa(len(s)) + " bytes)"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}
