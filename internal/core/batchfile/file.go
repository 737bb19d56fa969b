package batchfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/validate"
)

// File is an input file to bind, wherever it lives.
type File struct {
	// Name is the file's key or path: its extension picks the format.
	Name string
	// ETag identifies the content: the same ETag again binds nothing.
	ETag string
	Body io.Reader
}

// Bind binds every row of f through svc, into st: the one call behind every
// file trigger and bind-file. A file that cannot be read at all (its name
// or content is no CSV or JSON Lines, a bad header) binds nothing; its
// summary says why, and that is its answer, not an error, since delivering
// it again cannot help. A file of a name bound before with other content is
// refused alike (ErrOtherContent), its answer's Error saying so, the earlier
// results untouched and no summary written. With o.StoreOf, a content bound
// before under another name binds nothing: that name's run goes on if it
// is not finished, and its results and summary are copied to st. An error
// that is ErrNotFinished asks for another run, which goes on from the
// checkpoint; o.ETag is f.ETag.
func Bind(ctx context.Context, svc *core.Service, v *validate.Validator, f File, st Store, o Options) (Summary, error) {
	o.ETag = f.ETag
	home, run := f.Name, st
	if o.StoreOf != nil && o.Ledger != nil {
		h, err := homeOf(ctx, o.Ledger, o.Scope, f)
		if err != nil {
			return Summary{}, fmt.Errorf("%w: the ledger that finds a file's content could not be read (%v)", ErrNotFinished, err)
		}
		if h != f.Name {
			home, run = h, o.StoreOf(h)
		}
	}
	rd, err := Open(f.Name, f.Body, v, o.PoolKey, o.MaxRowBytes)
	if err != nil {
		now := time.Now().UTC()
		s := Summary{ETag: f.ETag, Counts: map[core.Code]int{}, Started: now, Finished: now, Error: err.Error()}
		return s, st.WriteSummary(ctx, s)
	}
	s, err := Run(ctx, svc, rd, run, o)
	if err == nil && home != f.Name {
		s, err = copyResults(ctx, run, st, s, home)
	}
	if errors.Is(err, ErrOtherContent) {
		// Refused, and answered: the earlier content's summary and results
		// stay as they were, this one's answer says why.
		now := time.Now().UTC()
		return Summary{ETag: f.ETag, Counts: map[core.Code]int{}, Started: now, Finished: now, Error: err.Error()}, nil
	}
	return s, err
}
