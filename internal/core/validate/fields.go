package validate

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/axg-binder/binder/internal/core"
)

// raw is one field's value as sent, read by its Kind during the one
// decoding pass. Reading never fails: a wrong JSON type is remembered (bad)
// and becomes that field's validation error, so the other fields still
// decode and every problem can be named at once.
type raw struct {
	s        string // text or object; with bad, the JSON as written, for the echo
	n        int    // an int, or a bool as 1 or 0
	set, bad bool
	// why, with bad, says what is wrong where the kind's message would not
	// (text that is not text).
	why string
}

// decode reads a JSON value token of kind k.
func (r *raw) decode(k core.Kind, b []byte) {
	*r = raw{set: true}
	if string(b) == "null" {
		r.set = false
		return
	}
	switch k {
	case core.KindText:
		switch {
		case b[0] == '"':
			r.text(b)
		case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
			r.s = string(b) // a number kept as written
		default:
			r.bad, r.s = true, string(b)
		}
	case core.KindBool:
		switch string(b) {
		case "true", `"true"`:
			r.n = 1
		case "false", `"false"`:
		default:
			r.bad = true
		}
	case core.KindInt:
		n, err := strconv.Atoi(strings.Trim(string(b), `"`))
		r.n, r.bad = n, err != nil
	case core.KindList:
		switch b[0] {
		case '[':
			r.list(b)
		case '"':
			r.text(b)
		default:
			r.bad, r.s = true, string(b)
		}
	case core.KindObject:
		switch b[0] {
		case '{':
			r.s = string(b) // compacted by normalisation
		case '"':
			if r.text(b); r.bad {
				r.s = ""
			}
		default:
			r.bad = true
		}
	}
}

// list reads a JSON array of strings and numbers as the upstream's
// comma-separated text; an element that is neither, or holds a comma, makes
// it bad.
func (r *raw) list(b []byte) {
	var elems []json.RawMessage
	if json.Unmarshal(b, &elems) != nil {
		r.bad, r.s = true, string(b)
		return
	}
	parts := make([]string, len(elems))
	for i, el := range elems {
		var e raw
		e.decode(core.KindText, el)
		if e.bad || !e.set || strings.Contains(e.s, ",") {
			r.bad, r.s, r.why = true, string(b), e.why
			return
		}
		parts[i] = e.s
	}
	r.s = strings.Join(parts, ",")
}

// text reads a JSON string token.
func (r *raw) text(b []byte) {
	if bytes.IndexByte(b, '\\') < 0 {
		r.s = string(b[1 : len(b)-1]) // no escapes: the common case, one copy
	} else if why := notText(b); why != "" {
		r.bad, r.s, r.why = true, string(b), why
	} else if json.Unmarshal(b, &r.s) != nil {
		r.bad, r.s = true, string(b)
	}
}

// notText says why a JSON string token's escapes stand for no text the
// upstream could take: a lone UTF-16 surrogate, which encoding/json would
// turn into U+FFFD without a word, or NUL; "" when they are text.
func notText(b []byte) string {
	for i := 1; i < len(b)-1; i++ {
		if b[i] != '\\' {
			continue
		}
		i++
		if b[i] != 'u' {
			continue
		}
		c := hex4(b, i+1)
		i += 4
		switch {
		case c == 0:
			return "must not hold a NUL character (\\u0000)"
		case c >= 0xD800 && c < 0xDC00 && i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' && hex4(b, i+3) >= 0xDC00 && hex4(b, i+3) < 0xE000:
			i += 6 // a surrogate pair: one character
		case c >= 0xD800 && c < 0xE000:
			return "must be text: it holds a lone UTF-16 surrogate (\\u" + string(b[i-3:i+1]) + "), which stands for no character"
		}
	}
	return ""
}

// hex4 is the number the four hex digits at b[i:] write, or -1.
func hex4(b []byte, i int) int {
	if i+4 > len(b) {
		return -1
	}
	n, err := strconv.ParseUint(string(b[i:i+4]), 16, 16)
	if err != nil {
		return -1
	}
	return int(n)
}

// cell reads a CSV cell of kind k: empty is unset.
func (r *raw) cell(k core.Kind, s string) {
	if strings.IndexByte(s, 0) >= 0 {
		*r = raw{s: strings.ReplaceAll(s, "\x00", ""), set: true, bad: true, why: "must not hold a NUL character"}
		return
	}
	switch k {
	case core.KindBool:
		s = strings.ToLower(strings.TrimSpace(s))
	case core.KindInt:
		s = strings.TrimSpace(s)
	}
	if s == "" {
		*r = raw{}
		return
	}
	if k == core.KindText || k == core.KindObject || k == core.KindList {
		*r = raw{s: s, set: true}
		return
	}
	r.decode(k, []byte(strconv.Quote(s)))
}

// badMessage says what is wrong with a bad value of kind k.
func (r *raw) badMessage(k core.Kind) string {
	if r.why != "" {
		return r.why
	}
	return typeMessage(k)
}

// typeMessage says what a field of kind k must be, when it was not.
func typeMessage(k core.Kind) string {
	switch k {
	case core.KindBool:
		return "must be true or false"
	case core.KindInt:
		return "must be a whole number"
	case core.KindObject:
		return "must be a JSON object, or a string holding one"
	case core.KindList:
		return "must be a JSON array of numbers, or a string of numbers separated by commas"
	}
	return "must be a string"
}
