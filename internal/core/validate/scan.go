package validate

import "github.com/axg-binder/binder/internal/core"

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

// item decodes one object into r; withPool lets it hold PoolKey (a
// request body; in a batch, an item's PoolKey goes to the slow path, which
// names it).
func scanItem[T any](s *scanner, f *form[T], r *rawItem, withPool bool) bool {
	if !s.next('{') {
		return false
	}
	var seen uint64
	last := poolIndex
	for first := true; ; first = false {
		if first && s.next('}') {
			return true
		}
		key, ok := s.str()
		if !ok || !s.next(':') {
			return false
		}
		i, known := f.find(key[1:len(key)-1], last+1)
		last = i
		bit := uint64(1) << uint(i+1)
		if !known || seen&bit != 0 || (!withPool && i == poolIndex) {
			return false
		}
		seen |= bit
		tok, ok := s.value()
		if !ok {
			return false
		}
		if i == poolIndex {
			r.pool.decode(core.KindText, tok)
		} else {
			r.vals[i].decode(f.fields[i].Kind, tok)
		}
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

// scanBind decodes a request body of form f of the plain shape.
func scanBind[T any](f *form[T], body []byte, r *rawItem) bool {
	s := scanner{b: body}
	return scanItem(&s, f, r, true) && s.end()
}

// scanBatch decodes a BindBatchAxg body of the plain shape with at least
// one item, into raws (grown as needed).
func scanBatch(f *form[core.Item], body []byte, pool *raw, raws []rawItem) ([]rawItem, bool) {
	s := scanner{b: body}
	if !s.next('{') {
		return raws, false
	}
	var havePool, haveList bool
	n := 0
	for {
		key, ok := s.str()
		if !ok || !s.next(':') {
			return raws, false
		}
		switch string(key) {
		case `"PoolKey"`:
			tok, ok := s.value()
			if !ok || havePool {
				return raws, false
			}
			havePool = true
			pool.decode(core.KindText, tok)
		case `"AxgBindList"`:
			if haveList || !s.next('[') {
				return raws, false
			}
			haveList = true
			for {
				if n == len(raws) {
					raws = append(raws, f.newRaws(max(len(raws), 16))...)
				}
				if !scanItem(&s, f, &raws[n], false) {
					return raws, false
				}
				n++
				if s.next(']') {
					break
				}
				if !s.next(',') {
					return raws, false
				}
			}
		default:
			return raws, false
		}
		if s.next('}') {
			return raws[:n], haveList && s.end()
		}
		if !s.next(',') {
			return raws, false
		}
	}
}
