package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/axg-binder/binder/internal/core"
)

// form is a request type's field table with what decoding and checking it
// take, derived once: the decoders, the order of errors, the CSV columns and
// the rules all come from the table.
type form[T any] struct {
	what   string // the request's name, for messages ("BindAxg")
	fields []core.Field[T]
	index  map[string]int // exact name → position; PoolKey is poolIndex
	names  []string       // PoolKey, then the fields' names: the scanner's lookup
	tags   []string       // each field's Max and OneOf as validator/v10 checks them
	norms  []func(string) string
}

// poolIndex is PoolKey's position: before every field.
const poolIndex = -1

func newForm[T any](what string, fields []core.Field[T]) *form[T] {
	if len(fields) > 62 {
		panic("validate: more fields than the scanner's bit set holds")
	}
	f := &form[T]{what: what, fields: fields, index: map[string]int{core.PoolKey: poolIndex}, names: []string{core.PoolKey},
		tags: make([]string, len(fields)), norms: make([]func(string) string, len(fields))}
	for i, fd := range fields {
		f.index[fd.Name] = i
		f.names = append(f.names, fd.Name)
		f.tags[i] = tag(fd.Rule)
		f.norms[i] = normalizers[fd.Norm]
	}
	return f
}

// tag is what validator/v10 checks of a rule: its length and its values.
func tag(r core.Rule) string {
	var t []string
	if r.Max > 0 {
		t = append(t, "max="+strconv.Itoa(r.Max))
	}
	if len(r.OneOf) > 0 {
		t = append(t, "oneof="+strings.Join(r.OneOf, " "))
	}
	return strings.Join(t, ",")
}

// find returns the position of the field named exactly key (poolIndex for
// PoolKey), looking first at from, where the next field usually is: bodies
// mostly follow the upstream's order. It spares a map lookup per member.
func (f *form[T]) find(key []byte, from int) (int, bool) {
	n := len(f.names)
	for j := 0; j < n; j++ {
		k := from + 1 + j
		if k >= n {
			k -= n
		}
		if string(key) == f.names[k] {
			return k - 1, true
		}
	}
	return 0, false
}

// columns are the names a CSV header may carry, PoolKey first.
func (f *form[T]) columns() []string {
	cols := []string{core.PoolKey}
	for _, fd := range f.fields {
		cols = append(cols, fd.Name)
	}
	return cols
}

// lookup finds a field as encoding/json would: the exact name, else one
// that matches without regard to case.
func (f *form[T]) lookup(name string) (int, bool) {
	if i, ok := f.index[name]; ok {
		return i, true
	}
	for n, i := range f.index {
		if strings.EqualFold(n, name) {
			return i, true
		}
	}
	return 0, false
}

// rank orders a field path's errors: PoolKey, then the table's order, then
// anything else (unknown fields). An item's own PoolKey is a stray field.
func (f *form[T]) rank(path string) int {
	dot := strings.LastIndexByte(path, '.')
	name := path[dot+1:]
	if i, ok := f.index[name]; ok && (dot < 0 || i != poolIndex) {
		return i + 1
	}
	return len(f.fields) + 1
}

// rawItem is one object as sent: PoolKey and the table's fields, read.
type rawItem struct {
	pool     raw
	vals     []raw
	unknown  []string // fields the table has not, in order
	got      uint64   // the fields given, by position + 1 (PoolKey is bit 0)
	repeated []string // fields given more than once
}

// newRaws returns n rawItems sharing one backing array of values.
func (f *form[T]) newRaws(n int) []rawItem {
	vals := make([]raw, n*len(f.fields))
	raws := make([]rawItem, n)
	for i := range raws {
		raws[i].vals = vals[i*len(f.fields) : (i+1)*len(f.fields) : (i+1)*len(f.fields)]
	}
	return raws
}

// empty reports whether nothing was given: {} or members that are all null.
func (r *rawItem) empty() bool {
	if r.pool.set || r.pool.bad || len(r.unknown) > 0 {
		return false
	}
	for _, v := range r.vals {
		if v.set || v.bad {
			return false
		}
	}
	return true
}

// member reads one member of an object into r.
func (f *form[T]) member(r *rawItem, name string, value []byte) {
	i, ok := f.lookup(name)
	if ok {
		bit := uint64(1) << uint(i+1)
		if r.got&bit != 0 {
			r.repeated = append(r.repeated, name) // which value is meant cannot be told
		}
		r.got |= bit
	}
	switch {
	case !ok:
		r.unknown = append(r.unknown, name)
	case i == poolIndex:
		r.pool.decode(core.KindText, value)
	default:
		r.vals[i].decode(f.fields[i].Kind, value)
	}
}

// decodeObject decodes a JSON object into r, member by member in order (a
// repeated field: the last wins, as in encoding/json). Anything but one
// JSON object is an error.
func (f *form[T]) decodeObject(data []byte, r *rawItem) error {
	return walkObject(data, func(name string, value []byte) { f.member(r, name, value) })
}

// walkObject calls fn for each member of the JSON object in data, in order.
func walkObject(data []byte, fn func(name string, value []byte)) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string) // an object's tokens alternate: a name, then its value
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return err
		}
		fn(name, value)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// convert moves r's values into it, turning each JSON-type mismatch and
// unknown field into an issue.
func (f *form[T]) convert(r *rawItem, it *T, issues []issue) []issue {
	for i := range f.fields {
		fd, v := &f.fields[i], &r.vals[i]
		if v.bad {
			issues = append(issues, issue{core.FieldError{Field: fd.Name, Message: v.badMessage(fd.Kind)}, core.CodeInvalidParameters})
			continue
		}
		if !v.set {
			continue
		}
		switch {
		case fd.Str != nil:
			*fd.Str(it) = v.s
		case fd.Bool != nil:
			b := v.n != 0
			*fd.Bool(it) = &b
		case fd.Int != nil:
			n := v.n
			*fd.Int(it) = &n
		}
	}
	for _, name := range r.unknown {
		if name == "" {
			name = `""` // a member with an empty name: named as written
		}
		msg := "is not " + article(f.what) + " " + f.what + " field"
		if near := f.nearest(name); near != "" {
			msg += "; did you mean " + near + "?"
		}
		issues = append(issues, issue{core.FieldError{Field: name, Message: msg}, core.CodeInvalidParameters})
	}
	for _, name := range r.repeated {
		issues = append(issues, issue{core.FieldError{Field: name, Message: "is given more than once"}, core.CodeInvalidParameters})
	}
	return issues
}

// nearest is the field an unknown name was likely meant to be: the same
// letters without case or underscores (phone_no_a: PhoneNoA), or at most
// two letters off (PhoneB: PhoneNoB); "" when none is that near.
func (f *form[T]) nearest(name string) string {
	key := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	k, best, dist := key(name), "", 3
	if len(k) < 3 {
		return ""
	}
	for i := range f.fields {
		n := f.fields[i].Name
		if d := editDistance(k, key(n)); d < dist {
			best, dist = n, d
		}
	}
	return best
}

// editDistance is Levenshtein's distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// article is "a" or "an", as the name it goes before is said.
func article(name string) string {
	if name != "" && strings.ContainsRune("AEIOU", rune(name[0])) {
		return "an"
	}
	return "a"
}
