package validate

import "encoding/json"

// scanner decodes the plain shape nearly every request has: the upstream's
// field names spelled exactly, once each, with values that are strings
// without escapes, numbers, true or false. Anything else (an escape, null, a
// nested value, another spelling, an unknown or repeated field, a byte out
// of place) makes it give up, and encoding/json decodes the body instead;
// FuzzBind and FuzzBatch check that both answer alike. It spares
// encoding/json's two passes over the input and its reflection per field,
// about half of a large batch's validation.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c if it comes next.
func (s *scanner) next(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str returns a string token, quotes included, if it holds no escape and no
// control character.
func (s *scanner) str() ([]byte, bool) {
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			tok := s.b[s.i : j+1]
			s.i = j + 1
			return tok, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// value returns a string, number, true or false token.
func (s *scanner) value() ([]byte, bool) {
	s.space()
	if s.i >= len(s.b) {
		return nil, false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == 't' || c == 'f':
		for _, w := range []string{"true", "false"} {
			if len(s.b)-s.i >= len(w) && string(s.b[s.i:s.i+len(w)]) == w {
				tok := s.b[s.i : s.i+len(w)]
				s.i += len(w)
				return tok, true
			}
		}
		return nil, false
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return nil, false
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() ([]byte, bool) {
	start, j := s.i, s.i
	digits := func() bool {
		k := j
		for j < len(s.b) && '0' <= s.b[j] && s.b[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(s.b) && s.b[j] == '-' {
		j++
	}
	switch {
	case j < len(s.b) && s.b[j] == '0':
		j++
	case !digits():
		return nil, false
	}
	if j < len(s.b) && s.b[j] == '.' {
		j++
		if !digits() {
			return nil, false
		}
	}
	if j < len(s.b) && (s.b[j] == 'e' || s.b[j] == 'E') {
		j++
		if j < len(s.b) && (s.b[j] == '+' || s.b[j] == '-') {
			j++
		}
		if !digits() {
			return nil, false
		}
	}
	s.i = j
	return s.b[start:j], true
}

// item decodes one object into raw; withPool lets it hold PoolKey (a
// BindAxg body; in a batch, an item's PoolKey goes to encoding/json, which
// names it).
func (s *scanner) item(raw *rawItem, withPool bool) bool {
	if !s.next('{') {
		return false
	}
	var seen uint16
	for first := true; ; first = false {
		if first && s.next('}') {
			return true
		}
		key, ok := s.str()
		if !ok || !s.next(':') {
			return false
		}
		f, bit := raw.field(string(key[1 : len(key)-1]))
		if f == nil || seen&bit != 0 || (!withPool && bit == 1) {
			return false
		}
		seen |= bit
		tok, ok := s.value()
		if !ok {
			return false
		}
		_ = f.UnmarshalJSON(tok) // the fields never fail: they remember what is wrong
		if s.next('}') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// field returns raw's field of that exact name, and a bit of its own.
func (r *rawItem) field(name string) (json.Unmarshaler, uint16) {
	switch name {
	case "PoolKey":
		return &r.PoolKey, 1 << 0
	case "PhoneNoA":
		return &r.PhoneNoA, 1 << 1
	case "GroupId":
		return &r.GroupId, 1 << 2
	case "PhoneNoB":
		return &r.PhoneNoB, 1 << 3
	case "PhoneNoX":
		return &r.PhoneNoX, 1 << 4
	case "ExpectCity":
		return &r.ExpectCity, 1 << 5
	case "Expiration":
		return &r.Expiration, 1 << 6
	case "IsRecordingEnabled":
		return &r.IsRecordingEnabled, 1 << 7
	case "OutId":
		return &r.OutId, 1 << 8
	case "OutOrderId":
		return &r.OutOrderId, 1 << 9
	case "CallDisplayType":
		return &r.CallDisplayType, 1 << 10
	case "RingConfig":
		return &r.RingConfig, 1 << 11
	case "ASRStatus":
		return &r.ASRStatus, 1 << 12
	case "ASRModelId":
		return &r.ASRModelId, 1 << 13
	case "CallRestrict":
		return &r.CallRestrict, 1 << 14
	}
	return nil, 0
}

// scanBind decodes a BindAxg body of the plain shape.
func scanBind(body []byte, raw *rawItem) bool {
	s := scanner{b: body}
	return s.item(raw, true) && s.end()
}

// scanBatch decodes a BindBatchAxg body of the plain shape with at least one
// item, appending the items to list.
func scanBatch(body []byte, pool *textField, list []rawItem) ([]rawItem, bool) {
	s := scanner{b: body}
	if !s.next('{') {
		return list, false
	}
	var havePool, haveList bool
	for {
		key, ok := s.str()
		if !ok || !s.next(':') {
			return list, false
		}
		switch string(key) {
		case `"PoolKey"`:
			tok, ok := s.value()
			if !ok || havePool {
				return list, false
			}
			havePool = true
			_ = pool.UnmarshalJSON(tok)
		case `"AxgBindList"`:
			if haveList || !s.next('[') {
				return list, false
			}
			haveList = true
			for {
				list = append(list, rawItem{})
				if !s.item(&list[len(list)-1], false) {
					return list, false
				}
				if s.next(']') {
					break
				}
				if !s.next(',') {
					return list, false
				}
			}
		default:
			return list, false
		}
		if s.next('}') {
			return list, haveList && s.end()
		}
		if !s.next(',') {
			return list, false
		}
	}
}
