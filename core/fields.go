package core

import "strconv"

// Kind is how callers write a field's value, and so how it is read.
type Kind uint8

const (
	// KindText is a string; a JSON number is taken as written (people
	// write phone numbers and group IDs as numbers).
	KindText Kind = iota
	// KindBool is true or false, as JSON booleans or strings.
	KindBool
	// KindInt is a whole number, as a JSON number or a string of digits.
	KindInt
	// KindObject is a JSON object, kept as its text, or a string holding one.
	KindObject
	// KindList is a JSON array of strings or numbers, kept comma-separated
	// as the upstream takes it, or a string that already is.
	KindList
)

// Field is one field of a request of type T, declared once: its name (the
// same in JSON, in a CSV header and upstream), how it is read, how it is
// normalised, its rule, and where its value lives. The decoders, the
// validator's order, the CSV columns and the upstream parameters are all
// derived from a table of them.
type Field[T any] struct {
	Name string
	Kind Kind
	// Norm names the normalisation core/validate applies first: "number",
	// "trim", "city", "json", or "" for none.
	Norm string
	// Rule is the validator/v10 tag checked on a value that is set
	// ("required,..." also fails an unset one); "" for no rule.
	Rule string
	// Str holds a KindText or KindObject value; Bool and Int the others.
	Str  func(*T) *string
	Bool func(*T) **bool
	Int  func(*T) **int
}

// Required reports whether the field must be set.
func (f *Field[T]) Required() bool { return len(f.Rule) >= 8 && f.Rule[:8] == "required" }

// Text is the field's value as the upstream takes it: "" when unset.
func (f *Field[T]) Text(v *T) string {
	switch {
	case f.Str != nil:
		return *f.Str(v)
	case f.Bool != nil:
		if b := *f.Bool(v); b != nil {
			return strconv.FormatBool(*b)
		}
	case f.Int != nil:
		if n := *f.Int(v); n != nil {
			return strconv.Itoa(*n)
		}
	}
	return ""
}

// Set reports whether the field has a value.
func (f *Field[T]) Set(v *T) bool {
	switch {
	case f.Str != nil:
		return *f.Str(v) != ""
	case f.Bool != nil:
		return *f.Bool(v) != nil
	case f.Int != nil:
		return *f.Int(v) != nil
	}
	return false
}

// PoolKey is the field every request carries beside its others: the number
// pool, first in the upstream's order. A batch or file may give it once.
const PoolKey = "PoolKey"

// ItemFields are BindAxg's fields but PoolKey, in the upstream's documented
// order: an item with several broken fields takes the code of the first.
// Every string has a length limit: the vendor's where it documents one (the
// numbers, ASRModelId, CallRestrict, ExpectCity's city names), else ours:
// 128 characters for OutId and OutOrderId, 512 for RingConfig; an item over
// one fails alone, never taking its chunk with it.
// Adding a field to the binder is a field of Item and an entry here.
var ItemFields = []Field[Item]{
	{Name: "PhoneNoA", Norm: "number", Rule: "required,phone", Str: func(it *Item) *string { return &it.PhoneNoA }},
	{Name: "GroupId", Norm: "trim", Rule: "required,groupid", Str: func(it *Item) *string { return &it.GroupId }},
	{Name: "PhoneNoB", Norm: "number", Rule: "phone", Str: func(it *Item) *string { return &it.PhoneNoB }},
	{Name: "PhoneNoX", Norm: "number", Rule: "phone", Str: func(it *Item) *string { return &it.PhoneNoX }},
	{Name: "ExpectCity", Norm: "city", Rule: "city", Str: func(it *Item) *string { return &it.ExpectCity }},
	{Name: "Expiration", Norm: "trim", Rule: "required,expiration", Str: func(it *Item) *string { return &it.Expiration }},
	{Name: "IsRecordingEnabled", Kind: KindBool, Bool: func(it *Item) **bool { return &it.IsRecordingEnabled }},
	{Name: "OutId", Rule: "max=128", Str: func(it *Item) *string { return &it.OutId }},
	{Name: "OutOrderId", Rule: "max=128", Str: func(it *Item) *string { return &it.OutOrderId }},
	{Name: "CallDisplayType", Kind: KindInt, Rule: "eq=1", Int: func(it *Item) **int { return &it.CallDisplayType }},
	{Name: "RingConfig", Kind: KindObject, Norm: "json", Rule: "max=512,ringconfig", Str: func(it *Item) *string { return &it.RingConfig }},
	{Name: "ASRStatus", Kind: KindBool, Bool: func(it *Item) **bool { return &it.ASRStatus }},
	{Name: "ASRModelId", Rule: ASRModelRule, Str: func(it *Item) *string { return &it.ASRModelId }},
	{Name: "CallRestrict", Rule: "oneof=CONTROL_AX_DISABLE CONTROL_BX_DISABLE", Str: func(it *Item) *string { return &it.CallRestrict }},
}

// ASRModelRule: ASRModelId is one of the vendor's listed speech models
// (BindAxg's page): Mandarin, Cantonese, regional accents.
const ASRModelRule = "oneof=7ee372834d2f4cc7ac0d0ab2d0ae1aac 9b4afe3d224e4fa3bf963697113e2f77 3655a6cb94764145a1f9a38a3c3b3b4b"
