package objstore

import (
	"context"
	"errors"
	"io"

	"github.com/axg-binder/binder/internal/core/batchfile"
)

// Results is how a cloud appends a run's result lines: OSS has appendable
// objects, S3 writes a part per step and assembles them at the end.
type Results interface {
	// Append writes b at offset, which must be the results' length
	// (batchfile.ErrAhead when they are longer).
	Append(ctx context.Context, offset int64, b []byte) error
	// Read reads the results from offset on; none is empty, not an error.
	Read(ctx context.Context, offset int64) (io.ReadCloser, error)
	// Finish makes the results one object at Key, once the run is done.
	Finish(ctx context.Context) error
	// Remove deletes the results, assembled or not.
	Remove(ctx context.Context) error
	// Key is the finished results object's key.
	Key() string
}

// Files keeps a batch file's <Base>.checkpoint.json and <Base>.summary.json,
// and its results as Results keeps them.
type Files struct {
	Bucket  Bucket
	Base    string
	Results Results
}

var _ batchfile.Store = Files{}

// ResultsKey is the finished results object's key.
func (s Files) ResultsKey() string { return s.Results.Key() }

func (s Files) LoadCheckpoint(ctx context.Context) (*batchfile.Checkpoint, error) {
	var cp batchfile.Checkpoint
	found, err := getJSON(ctx, s.Bucket, s.Base+".checkpoint.json", &cp)
	if !found || err != nil {
		return nil, err
	}
	return &cp, nil
}

func (s Files) SaveCheckpoint(ctx context.Context, cp batchfile.Checkpoint) error {
	_, err := putJSON(ctx, s.Bucket, s.Base+".checkpoint.json", cp, false)
	return err
}

func (s Files) AppendResults(ctx context.Context, offset int64, b []byte) error {
	return s.Results.Append(ctx, offset, b)
}

func (s Files) ReadResults(ctx context.Context, offset int64) (io.ReadCloser, error) {
	return s.Results.Read(ctx, offset)
}

// WriteSummary finishes the results, then writes the summary: a summary
// stands for results that are complete.
func (s Files) WriteSummary(ctx context.Context, sum batchfile.Summary) error {
	if err := s.Results.Finish(ctx); err != nil {
		return err
	}
	_, err := putJSON(ctx, s.Bucket, s.Base+".summary.json", sum, false)
	return err
}

func (s Files) ReadSummary(ctx context.Context) (batchfile.Summary, error) {
	var sum batchfile.Summary
	found, err := getJSON(ctx, s.Bucket, s.Base+".summary.json", &sum)
	if err == nil && !found {
		err = errors.New("objstore: no summary for a finished run")
	}
	return sum, err
}

func (s Files) Reset(ctx context.Context) error {
	if err := s.Results.Remove(ctx); err != nil {
		return err
	}
	for _, suffix := range []string{".summary.json", ".checkpoint.json"} {
		if err := s.Bucket.Delete(ctx, s.Base+suffix); err != nil {
			return err
		}
	}
	return nil
}
