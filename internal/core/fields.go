package core

import (
	"slices"
	"strconv"
)

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

// Norm is how a field's value is normalised before its rule is checked:
// what people decorate, rewritten as the upstream takes it (internal/core/validate
// does it).
type Norm uint8

const (
	NormNone    Norm = iota // as given
	NormTrim                // spaces around it removed
	NormNumber              // a phone number: spaces, hyphens, +86 and full-width digits undone
	NormCity                // trimmed, without the 市 suffix
	NormGroupID             // trimmed, leading zeros dropped (the SDK sends an integer)
	NormNumbers             // a comma-separated list, each a NormNumber
	NormJSON                // a JSON object, compacted
)

// Check is a rule of the upstream's that no general validator knows
// (internal/core/validate checks it).
type Check uint8

const (
	CheckNone       Check = iota
	CheckPhone            // a mainland mobile or fixed-line number
	CheckGroupID          // a positive whole number that fits a long
	CheckCity             // a city name, at most 32 characters, no digits or punctuation
	CheckExpiration       // yyyy-MM-dd HH:mm:ss (UTC+8), more than a minute ahead
	CheckRingConfig       // a JSON object of AXGRing_AB, AXGRing_A, AXGRing_G
	CheckNumbers          // 1 to MaxGroupNumbers numbers, none twice
	CheckSubsID           // letters, digits, - _ and .
)

// Rule is what a field's value must be. A set value must be at most Max
// characters (0: any), one of OneOf (nil: any) and pass Is, in that order.
type Rule struct {
	Required bool // an unset value fails
	Max      int
	OneOf    []string
	Is       Check
}

// Field is one field of a request of type T, declared once: its name (the
// same in JSON, in a CSV header and upstream), how it is read, how it is
// normalised, its rule, and where its value lives. The decoders, the
// validator's order, the CSV columns and the upstream parameters are all
// derived from a table of them.
type Field[T any] struct {
	Name string
	Kind Kind
	Norm Norm
	Rule Rule
	// Str holds a KindText or KindObject value; Bool and Int the others.
	Str  func(*T) *string
	Bool func(*T) **bool
	Int  func(*T) **int
}

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

// itemFields are BindAxg's fields but PoolKey, in the upstream's documented
// order: an item with several broken fields takes the code of the first.
// Every string has a length limit: the vendor's where it documents one (the
// numbers, ASRModelId, CallRestrict, ExpectCity's city names), else ours:
// 128 characters for OutId and OutOrderId, 512 for RingConfig; an item over
// one fails alone, never taking its chunk with it.
// Adding a field to the binder is a field of Item and an entry here.
var itemFields = []Field[Item]{
	{Name: "PhoneNoA", Norm: NormNumber, Rule: Rule{Required: true, Is: CheckPhone}, Str: func(it *Item) *string { return &it.PhoneNoA }},
	{Name: "GroupId", Norm: NormTrim, Rule: Rule{Required: true, Is: CheckGroupID}, Str: func(it *Item) *string { return &it.GroupId }},
	{Name: "PhoneNoB", Norm: NormNumber, Rule: Rule{Is: CheckPhone}, Str: func(it *Item) *string { return &it.PhoneNoB }},
	{Name: "PhoneNoX", Norm: NormNumber, Rule: Rule{Is: CheckPhone}, Str: func(it *Item) *string { return &it.PhoneNoX }},
	{Name: "ExpectCity", Norm: NormCity, Rule: Rule{Is: CheckCity}, Str: func(it *Item) *string { return &it.ExpectCity }},
	{Name: "Expiration", Norm: NormTrim, Rule: Rule{Required: true, Is: CheckExpiration}, Str: func(it *Item) *string { return &it.Expiration }},
	{Name: "IsRecordingEnabled", Kind: KindBool, Bool: func(it *Item) **bool { return &it.IsRecordingEnabled }},
	{Name: "OutId", Rule: Rule{Max: 128}, Str: func(it *Item) *string { return &it.OutId }},
	{Name: "OutOrderId", Rule: Rule{Max: 128}, Str: func(it *Item) *string { return &it.OutOrderId }},
	{Name: "CallDisplayType", Kind: KindInt, Rule: Rule{OneOf: []string{"1"}}, Int: func(it *Item) **int { return &it.CallDisplayType }},
	{Name: "RingConfig", Kind: KindObject, Norm: NormJSON, Rule: Rule{Max: 512, Is: CheckRingConfig}, Str: func(it *Item) *string { return &it.RingConfig }},
	{Name: "ASRStatus", Kind: KindBool, Bool: func(it *Item) **bool { return &it.ASRStatus }},
	{Name: "ASRModelId", Rule: Rule{OneOf: asrModels}, Str: func(it *Item) *string { return &it.ASRModelId }},
	{Name: "CallRestrict", Rule: Rule{OneOf: []string{"CONTROL_AX_DISABLE", "CONTROL_BX_DISABLE"}}, Str: func(it *Item) *string { return &it.CallRestrict }},
}

// ItemFields returns BindAxg's field table (a copy: read it once).
func ItemFields() []Field[Item] { return slices.Clone(itemFields) }

// asrModels: ASRModelId is one of the vendor's listed speech models
// (BindAxg's page): Mandarin, Cantonese, regional accents.
var asrModels = []string{"7ee372834d2f4cc7ac0d0ab2d0ae1aac", "9b4afe3d224e4fa3bf963697113e2f77", "3655a6cb94764145a1f9a38a3c3b3b4b"}
