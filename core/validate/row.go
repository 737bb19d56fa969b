package validate

import "github.com/axg-binder/binder/core"

// DecodeLine decodes and validates one JSON Lines row: a BindAxg object
// whose PoolKey may be left to defaultPool.
func (v *Validator) DecodeLine(line []byte, defaultPool string) (string, core.Item, *core.Error) {
	if !isObject(line) {
		return "", core.Item{}, core.Errorf(core.CodeInvalidParameters, "the line is not a JSON object (a BindAxg request)")
	}
	if e := validUTF8(line, "the line"); e != nil {
		return "", core.Item{}, e
	}
	r := items.newRaws(1)
	if !scanBind(items, line, &r[0]) {
		r = items.newRaws(1)
		if err := items.decodeObject(line, &r[0]); err != nil {
			return "", core.Item{}, core.Errorf(core.CodeInvalidParameters, "the line is not valid JSON: "+err.Error())
		}
	}
	req, e := v.bindFrom(&r[0], defaultPool)
	return req.PoolKey, req.Item, e
}

// DecodeCells validates one CSV row, given as column name → cell text; an
// empty cell is an absent field, and PoolKey may be left to defaultPool.
func (v *Validator) DecodeCells(cells map[string]string, defaultPool string) (string, core.Item, *core.Error) {
	for name, c := range cells {
		if e := validUTF8([]byte(c), "the "+name+" cell"); e != nil {
			return "", core.Item{}, e
		}
	}
	r := items.newRaws(1)
	r[0].pool.cell(core.KindText, cells[core.PoolKey])
	for i := range items.fields {
		r[0].vals[i].cell(items.fields[i].Kind, cells[items.fields[i].Name])
	}
	req, e := v.bindFrom(&r[0], defaultPool)
	return req.PoolKey, req.Item, e
}
