package batchfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/axg-binder/binder/internal/core"
)

// Checkpoint is a run's progress, saved next to its results.
type Checkpoint struct {
	// ETag identifies the input; a checkpoint for another ETag is void.
	ETag string `json:"ETag"`
	// Chunk is the rows per step, kept so a resumed run steps alike.
	Chunk int `json:"Chunk"`
	// Done rows have their results in the first Offset bytes of the results.
	Done   int   `json:"Done"`
	Offset int64 `json:"Offset"`
	// InFlight, when above Done, says rows Done+1..InFlight were being sent
	// when the run last saved: if their results are missing, their outcome is
	// unknown and they are not sent again.
	InFlight int `json:"InFlight"`
	// Journaled says the step in flight journals its upstream calls: only
	// rows journaled as being sent can be of unknown outcome. (Checkpoints
	// from before journals: every row in flight is.)
	Journaled bool              `json:"Journaled,omitempty"`
	Counts    map[core.Code]int `json:"Counts"`
	Started   time.Time         `json:"Started"`
	Finished  bool              `json:"Finished"`
}

// Summary is written when a run finishes.
type Summary struct {
	ETag       string            `json:"ETag"`
	Rows       int               `json:"Rows"`
	Counts     map[core.Code]int `json:"Counts"`
	Started    time.Time         `json:"Started"`
	Finished   time.Time         `json:"Finished"`
	DurationMs int64             `json:"DurationMs"`
	// Error says why a file could not be read at all (no row was bound).
	Error string `json:"Error,omitempty"`
	// SameAs names the file whose content this one is, bound under that
	// name: these are its results, and nothing was bound again.
	SameAs string `json:"SameAs,omitempty"`
}

// ErrAhead is AppendResults' answer when the results already run past the
// offset given: an earlier run appended a step it did not get to record.
var ErrAhead = errors.New("the results are longer than the checkpoint says")

// Store keeps a run's checkpoint, results and summary: a folder, OSS or S3.
type Store interface {
	// LoadCheckpoint returns the saved checkpoint, or nil.
	LoadCheckpoint(ctx context.Context) (*Checkpoint, error)
	SaveCheckpoint(ctx context.Context, cp Checkpoint) error
	// AppendResults writes b at offset, which must be the results' length
	// (ErrAhead when it is longer); b is durable when it returns.
	AppendResults(ctx context.Context, offset int64, b []byte) error
	// ReadResults reads the results from offset on; none there is empty,
	// not an error.
	ReadResults(ctx context.Context, offset int64) (io.ReadCloser, error)
	WriteSummary(ctx context.Context, s Summary) error
	ReadSummary(ctx context.Context) (Summary, error)
	// Reset removes everything: the input changed.
	Reset(ctx context.Context) error
}

// DirStore keeps a run's files beside the input: <base>.results.jsonl,
// <base>.summary.json and <base>.checkpoint.json.
type DirStore struct{ Base string }

func (d DirStore) results() string    { return d.Base + ".results.jsonl" }
func (d DirStore) summary() string    { return d.Base + ".summary.json" }
func (d DirStore) checkpoint() string { return d.Base + ".checkpoint.json" }

func (d DirStore) LoadCheckpoint(context.Context) (*Checkpoint, error) {
	b, err := os.ReadFile(d.checkpoint())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cp Checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		// Starting over would send again the rows an earlier run bound.
		return nil, fmt.Errorf("%s is unreadable (%v): remove it and %s to bind the file afresh, knowing that rows bound before will bind again",
			d.checkpoint(), err, d.results())
	}
	return &cp, nil
}

func (d DirStore) SaveCheckpoint(_ context.Context, cp Checkpoint) error {
	return writeAtomic(d.checkpoint(), cp)
}

func (d DirStore) AppendResults(_ context.Context, offset int64, b []byte) error {
	f, err := os.OpenFile(d.results(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	unlock, err := lock(f)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() > offset {
		return ErrAhead
	}
	if st.Size() < offset {
		return errors.New("the results are shorter than the checkpoint says")
	}
	if _, err := f.WriteAt(b, offset); err != nil {
		return err
	}
	return f.Sync()
}

func (d DirStore) ReadResults(_ context.Context, offset int64) (io.ReadCloser, error) {
	f, err := os.Open(d.results())
	if errors.Is(err, os.ErrNotExist) {
		return io.NopCloser(strings.NewReader("")), nil
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (d DirStore) WriteSummary(_ context.Context, s Summary) error {
	return writeAtomic(d.summary(), s)
}

func (d DirStore) ReadSummary(context.Context) (Summary, error) {
	var s Summary
	b, err := os.ReadFile(d.summary())
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	return s, err
}

func (d DirStore) Reset(context.Context) error {
	for _, p := range []string{d.results(), d.summary(), d.checkpoint()} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// TruncateResults cuts a torn write off the results (a crash mid-append).
func (d DirStore) TruncateResults(offset int64) error {
	if err := os.Truncate(d.results(), offset); err != nil && !(offset == 0 && errors.Is(err, os.ErrNotExist)) {
		return err
	}
	return nil
}

func writeAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	// A temporary name of its own: runs of one file may write at once.
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
