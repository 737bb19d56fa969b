package validate

import (
	"strings"

	"github.com/axg-binder/binder/internal/core"
)

// A file row or a message is one operation: BindAxg unless its Action says
// UnbindSubscription or UpdateSubscription, each checked by its own form.

// DecodeLine decodes and validates one JSON Lines row whose PoolKey may be
// left to defaultPool.
func (v *Validator) DecodeLine(line []byte, defaultPool string) (core.Task, *core.Error) {
	if !isObject(line) {
		return core.Task{Action: core.ActionBind}, core.Errorf(core.CodeInvalidParameters, "the line is not a JSON object (a BindAxg, UnbindSubscription or UpdateSubscription request)")
	}
	if e := validUTF8(line, "the line"); e != nil {
		return core.Task{Action: core.ActionBind}, e
	}
	r := items.newRaws(1)
	if scanBind(items, line, &r[0]) { // the plain bind row: no Action
		t := core.Task{Action: core.ActionBind}
		var e *core.Error
		t.Bind, e = v.bindFrom(&r[0], defaultPool)
		return t, e
	}
	ms, err := members(line)
	if err != nil {
		return core.Task{Action: core.ActionBind}, core.Errorf(core.CodeInvalidParameters, "the line is not valid JSON: "+err.Error())
	}
	return v.taskMembers(ms, defaultPool)
}

// taskMembers decodes an object's members as the operation its Action names.
func (v *Validator) taskMembers(ms []member, defaultPool string) (core.Task, *core.Error) {
	t := core.Task{Action: core.ActionBind}
	rest := ms[:0:0]
	for _, m := range ms {
		if m.name != actionField {
			rest = append(rest, m)
			continue
		}
		a, e := actionOf(m.value)
		if e != nil {
			return t, e
		}
		if a != "" {
			t.Action = a
		}
	}
	switch t.Action {
	case core.ActionUnbind:
		if byOrder(rest) {
			t.ByOrder = true
			r := orders.newRaws(1)
			for _, m := range rest {
				orders.member(&r[0], m.name, m.value)
			}
			return t, opFrom(v, orders, &r[0], defaultPool, &t.Order, &t.Order.PoolKey, nil)
		}
		r := unbinds.newRaws(1)
		for _, m := range rest {
			unbinds.member(&r[0], m.name, m.value)
		}
		return t, opFrom(v, unbinds, &r[0], defaultPool, &t.Unbind, &t.Unbind.PoolKey, nil)
	case core.ActionUpdate:
		r := updates.newRaws(1)
		for _, m := range rest {
			updates.member(&r[0], m.name, m.value)
		}
		return t, opFrom(v, updates, &r[0], defaultPool, &t.Update, &t.Update.PoolKey, updateRule)
	}
	var e *core.Error
	t.Bind, e = v.bindMembers(rest, defaultPool)
	return t, e
}

// DecodeCells validates one CSV row, given as column name → cell text; an
// empty cell is an absent field, and PoolKey may be left to defaultPool. A
// non-empty cell of a column the row's Action does not take is an error.
func (v *Validator) DecodeCells(cells map[string]string, defaultPool string) (core.Task, *core.Error) {
	t := core.Task{Action: core.ActionBind}
	for name, c := range cells {
		if e := validUTF8([]byte(c), "the "+name+" cell"); e != nil {
			return t, e
		}
	}
	if a := strings.TrimSpace(cells[actionField]); a != "" {
		act, e := actionOf([]byte(`"` + strings.ReplaceAll(a, `"`, `\"`) + `"`))
		if e != nil {
			return t, e
		}
		t.Action = act
	}
	switch t.Action {
	case core.ActionUnbind:
		if strings.TrimSpace(cells["OutOrderId"]) != "" && strings.TrimSpace(cells["SubsId"]) == "" {
			t.ByOrder = true
			r, e := cellsOf(orders, cells)
			if e != nil {
				return t, e
			}
			return t, opFrom(v, orders, &r, defaultPool, &t.Order, &t.Order.PoolKey, nil)
		}
		r, e := cellsOf(unbinds, cells)
		if e != nil {
			return t, e
		}
		return t, opFrom(v, unbinds, &r, defaultPool, &t.Unbind, &t.Unbind.PoolKey, nil)
	case core.ActionUpdate:
		r, e := cellsOf(updates, cells)
		if e != nil {
			return t, e
		}
		return t, opFrom(v, updates, &r, defaultPool, &t.Update, &t.Update.PoolKey, updateRule)
	}
	r, e := cellsOf(items, cells)
	if e != nil {
		return t, e
	}
	t.Bind, e = v.bindFrom(&r, defaultPool)
	return t, e
}

// cellsOf reads a row's cells with form f: a filled cell of a column f has
// not is named.
func cellsOf[T any](f *form[T], cells map[string]string) (rawItem, *core.Error) {
	r := f.newRaws(1)
	r[0].pool.cell(core.KindText, cells[core.PoolKey])
	for i := range f.fields {
		r[0].vals[i].cell(f.fields[i].Kind, cells[f.fields[i].Name])
	}
	var stray []core.FieldError
	for _, col := range Columns {
		if _, ok := f.index[col]; !ok && col != actionField && strings.TrimSpace(cells[col]) != "" {
			stray = append(stray, core.FieldError{Field: col, Message: "is not " + article(f.what) + " " + f.what + " field: leave its cell empty"})
		}
	}
	if len(stray) > 0 {
		return r[0], core.Invalid(core.CodeInvalidParameters, stray)
	}
	return r[0], nil
}

// Columns are the columns a file may carry: Action, PoolKey, BindAxg's
// fields in the upstream's order, then those only unbind or update take.
var Columns = func() []string {
	cols := append([]string{actionField}, items.columns()...)
	seen := map[string]bool{}
	for _, c := range cols {
		seen[c] = true
	}
	for _, f := range [][]string{unbinds.columns(), updates.columns()} {
		for _, c := range f {
			if !seen[c] {
				seen[c] = true
				cols = append(cols, c)
			}
		}
	}
	return cols
}()

// byOrder: an unbind's members name an OutOrderId and no SubsId, so it
// unbinds by order (docs/orders-and-receipts.md).
func byOrder(ms []member) bool {
	order, subs := false, false
	for _, m := range ms {
		switch m.name {
		case "OutOrderId":
			order = true
		case "SubsId":
			subs = true
		}
	}
	return order && !subs
}
