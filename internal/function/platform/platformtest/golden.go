package platformtest

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// Golden compares got, as JSON, with the file at path, rewriting the file
// instead when update is set.
func Golden(t testing.TB, path string, got any, update bool) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if !JSONEqual(want, b) {
		t.Errorf("%s differs:\ngot  %s\nwant %s", path, b, want)
	}
}

// JSONEqual reports whether a and b hold the same JSON value.
func JSONEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

// JSONSubset reports whether every non-null member of a is in b with the same
// value (a zero value may be missing): what a round trip through a typed event
// must keep.
func JSONSubset(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return subset(x, y)
}

func subset(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok && (v == false || v == "" || v == 0.0) {
				continue // omitempty dropped a zero value
			} else if v != nil && !subset(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !subset(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}
