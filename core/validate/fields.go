package validate

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The field types below take a value the way callers write it, during the one
// decoding pass. They never fail the decoding: a wrong JSON type is remembered
// (bad) and becomes that field's validation error, so an item's other fields
// still decode and every problem can be named at once.

// textField accepts a JSON string, or a number kept as written (people write
// phone numbers and group IDs as numbers).
type textField struct {
	s        string // the value; with bad, the JSON as written, for the echo
	set, bad bool
}

func (f *textField) UnmarshalJSON(b []byte) error {
	f.set = true
	switch {
	case string(b) == "null":
		f.set = false
	case b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 {
			f.s = string(b[1 : len(b)-1]) // no escapes: the common case, one copy
		} else if json.Unmarshal(b, &f.s) != nil {
			f.bad, f.s = true, string(b)
		}
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		f.s = string(b)
	default:
		f.bad, f.s = true, string(b)
	}
	return nil
}

// boolField accepts a JSON boolean, or the strings "true" and "false".
type boolField struct {
	v        *bool
	set, bad bool
}

func (f *boolField) UnmarshalJSON(b []byte) error {
	f.set = true
	var t bool
	switch string(b) {
	case "null":
		f.set = false
		return nil
	case "true", `"true"`:
		t = true
	case "false", `"false"`:
	default:
		f.bad = true
		return nil
	}
	f.v = &t
	return nil
}

// intField accepts a JSON whole number, or a string of digits.
type intField struct {
	v        *int
	set, bad bool
}

func (f *intField) UnmarshalJSON(b []byte) error {
	f.set = true
	if string(b) == "null" {
		f.set = false
		return nil
	}
	n, err := strconv.Atoi(strings.Trim(string(b), `"`))
	if err != nil {
		f.bad = true
		return nil
	}
	f.v = &n
	return nil
}

// objectField accepts a JSON object (kept as its JSON text) or a string.
type objectField struct {
	s        string
	set, bad bool
}

func (f *objectField) UnmarshalJSON(b []byte) error {
	f.set = true
	switch {
	case string(b) == "null":
		f.set = false
	case b[0] == '{':
		f.s = string(b) // compacted by Normalize
	case b[0] == '"':
		var t textField
		_ = t.UnmarshalJSON(b)
		f.s, f.bad = t.s, t.bad
		if t.bad {
			f.s = ""
		}
	default:
		f.bad = true
	}
	return nil
}
