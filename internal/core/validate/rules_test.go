package validate

import (
	"testing"

	"github.com/axg-binder/binder/internal/core"
)

// TestEveryNormAndCheckIsImplemented: every field of every table names a
// normalisation and a check this package implements (a core.Norm or
// core.Check added without one fails here, not in a request).
func TestEveryNormAndCheckIsImplemented(t *testing.T) {
	v := New(nil, 1000)
	seen := func(what, name string, n core.Norm, c core.Check) {
		if int(n) >= len(normalizers) || normalizers[n] == nil {
			t.Errorf("%s.%s: core.Norm %d has no normalisation", what, name, n)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s.%s: core.Check %d has no rule: %v", what, name, c, r)
				}
			}()
			v.passes(c, "")
		}()
	}
	each(items, seen)
	each(unbinds, seen)
	each(updates, seen)
	each(queries, seen)
	each(groupCreates, seen)
	each(groupOperates, seen)
	each(groupDeletes, seen)
	each(orders, seen)
	each(subsIds, seen)
	if !v.passes(core.CheckNone, "anything") {
		t.Error("CheckNone refuses")
	}
}

func each[T any](f *form[T], fn func(what, name string, n core.Norm, c core.Check)) {
	for _, fd := range f.fields {
		fn(f.what, fd.Name, fd.Norm, fd.Rule.Is)
	}
}
