package batchfile

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/axg-binder/binder/internal/core/ledger"
)

// A file's results are found by its content, whatever its name: the
// first name a content arrives under is recorded in the ledger as its home,
// where its rows are bound (and checkpointed) once; a copy, a move or a
// second name binds nothing again and gets the home's results.

// ContentTTL is how long a content's home is remembered.
const ContentTTL = 400 * 24 * time.Hour

// homeOf is the name f's content was first recorded under (f.Name for a new
// content).
func homeOf(ctx context.Context, l *ledger.Ledger, scope string, f File) (string, error) {
	return l.First(ctx, "file:"+scope+":"+f.ETag, f.Name, ContentTTL)
}

// copyBytes is how much of the results a copy moves at once: more than an
// S3 part's least (5 MiB).
const copyBytes = 8 << 20

// copyResults gives st, a name whose content was bound under another
// name, that name's results and summary. A copy cut short is done again
// from the start; other content under st's name is refused, as Run does.
func copyResults(ctx context.Context, from, st Store, s Summary, home string) (Summary, error) {
	cp, err := st.LoadCheckpoint(ctx)
	if err != nil {
		return Summary{}, err
	}
	switch {
	case cp != nil && cp.ETag != s.ETag:
		return Summary{}, fmt.Errorf("%w (bound before as %s, now %s)", ErrOtherContent, cp.ETag, s.ETag)
	case cp != nil && cp.Finished:
		return st.ReadSummary(ctx)
	}
	if err := st.Reset(ctx); err != nil {
		return Summary{}, err
	}
	rc, err := from.ReadResults(ctx, 0)
	if err != nil {
		return Summary{}, err
	}
	defer rc.Close()
	var off int64
	buf := make([]byte, copyBytes)
	for {
		n, rerr := io.ReadFull(rc, buf)
		if n > 0 {
			if err := st.AppendResults(ctx, off, buf[:n]); err != nil {
				return Summary{}, err
			}
			off += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return Summary{}, rerr
		}
	}
	s.SameAs = home
	if err := st.WriteSummary(ctx, s); err != nil {
		return Summary{}, err
	}
	done := Checkpoint{ETag: s.ETag, Done: s.Rows, Offset: off, Counts: s.Counts, Started: s.Started, Finished: true}
	return s, st.SaveCheckpoint(ctx, done)
}
