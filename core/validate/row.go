package validate

import (
	"strconv"
	"strings"

	"github.com/axg-binder/binder/core"
)

// Columns are the field names a file row may carry, in the upstream's order.
var Columns = []string{"PoolKey", "PhoneNoA", "GroupId", "PhoneNoB", "PhoneNoX", "ExpectCity", "Expiration",
	"IsRecordingEnabled", "OutId", "OutOrderId", "CallDisplayType", "RingConfig", "ASRStatus", "ASRModelId", "CallRestrict"}

// Line decodes and validates one JSON Lines row: a BindAxg object whose
// PoolKey may be left to defaultPool.
func (v *Validator) Line(line []byte, defaultPool string) (string, core.Item, *core.Error) {
	var it core.Item
	if !isObject(line) {
		return "", it, core.Errorf(core.CodeInvalidParameters, "the line is not a JSON object (a BindAxg request)")
	}
	var raw rawItem
	issues, err := decodeRaw(line, &raw, "")
	if err != nil {
		return "", it, core.Errorf(core.CodeInvalidParameters, "the line is not valid JSON: "+err.Error())
	}
	pool := defaultPool
	if raw.PoolKey.set || pool == "" {
		pool, issues = poolKey(raw.PoolKey, issues)
	}
	issues = convert(&raw, &it, "", issues)
	issues = v.check(&it, "", issues)
	return pool, it, finish(issues)
}

// Cells validates one CSV row, given as column name → cell text; an empty
// cell is an absent field, and PoolKey may be left to defaultPool.
func (v *Validator) Cells(cells map[string]string, defaultPool string) (string, core.Item, *core.Error) {
	var raw rawItem
	set := func(f *textField, name string) {
		if s := cells[name]; s != "" {
			f.s, f.set = s, true
		}
	}
	for name, f := range map[string]*textField{
		"PoolKey": &raw.PoolKey, "PhoneNoA": &raw.PhoneNoA, "GroupId": &raw.GroupId, "PhoneNoB": &raw.PhoneNoB,
		"PhoneNoX": &raw.PhoneNoX, "ExpectCity": &raw.ExpectCity, "Expiration": &raw.Expiration, "OutId": &raw.OutId,
		"OutOrderId": &raw.OutOrderId, "ASRModelId": &raw.ASRModelId, "CallRestrict": &raw.CallRestrict,
	} {
		set(f, name)
	}
	for name, f := range map[string]*boolField{"IsRecordingEnabled": &raw.IsRecordingEnabled, "ASRStatus": &raw.ASRStatus} {
		if s := strings.ToLower(strings.TrimSpace(cells[name])); s != "" {
			_ = f.UnmarshalJSON([]byte(strconv.Quote(s)))
		}
	}
	if s := strings.TrimSpace(cells["CallDisplayType"]); s != "" {
		_ = raw.CallDisplayType.UnmarshalJSON([]byte(strconv.Quote(s)))
	}
	if s := cells["RingConfig"]; s != "" {
		raw.RingConfig.s, raw.RingConfig.set = s, true
	}
	pool := defaultPool
	var issues []issue
	if raw.PoolKey.set || pool == "" {
		pool, issues = poolKey(raw.PoolKey, issues)
	}
	var it core.Item
	issues = convert(&raw, &it, "", issues)
	issues = v.check(&it, "", issues)
	return pool, it, finish(issues)
}
