package core_test

import (
	"reflect"
	"testing"

	"github.com/axg-binder/binder/internal/core"
)

// TestItemFieldsDescribeItem: the field table has one entry per field of
// Item, in the struct's order (the upstream's), named as the field, of a
// kind its Go type can hold, and reaching that very field.
func TestItemFieldsDescribeItem(t *testing.T) {
	typ := reflect.TypeFor[core.Item]()
	fields := core.ItemFields()
	if typ.NumField() != len(fields) {
		t.Fatalf("Item has %d fields, the table %d", typ.NumField(), len(fields))
	}
	for i := range fields {
		f, sf := &fields[i], typ.Field(i)
		if f.Name != sf.Name {
			t.Errorf("entry %d is %s, Item's field %d is %s", i, f.Name, i, sf.Name)
			continue
		}
		var it core.Item
		fv := reflect.ValueOf(&it).Elem().Field(i)
		var got any
		switch {
		case f.Str != nil && (f.Kind == core.KindText || f.Kind == core.KindObject):
			got = f.Str(&it)
		case f.Bool != nil && f.Kind == core.KindBool:
			got = f.Bool(&it)
		case f.Int != nil && f.Kind == core.KindInt:
			got = f.Int(&it)
		default:
			t.Errorf("%s: kind %d with no accessor of its type", f.Name, f.Kind)
			continue
		}
		if reflect.ValueOf(got).Pointer() != fv.Addr().Pointer() || reflect.TypeOf(got).Elem() != sf.Type {
			t.Errorf("%s: the accessor reaches another field", f.Name)
		}
		if f.Set(&it) || f.Text(&it) != "" {
			t.Errorf("%s: a zero Item has it set", f.Name)
		}
	}
}

func TestFieldText(t *testing.T) {
	yes, one := true, 1
	it := core.Item{PhoneNoA: "13800000000", IsRecordingEnabled: &yes, CallDisplayType: &one}
	want := map[string]string{"PhoneNoA": "13800000000", "IsRecordingEnabled": "true", "CallDisplayType": "1", "ASRStatus": ""}
	fields := core.ItemFields()
	for i := range fields {
		f := &fields[i]
		if w, ok := want[f.Name]; ok && f.Text(&it) != w {
			t.Errorf("%s: %q, want %q", f.Name, f.Text(&it), w)
		}
	}
}
