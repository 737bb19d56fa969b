package objstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/axg-binder/binder/core/batchfile"
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
// its step claims under <Base>.steps/ (create-only objects, whose age tells a
// dead run's claim from a live one), and its results as Results keeps them.
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

func (s Files) stepKey(etag string, start int) string {
	return s.Base + ".steps/" + batchfile.StepName(etag, start)
}

func (s Files) ClaimStep(ctx context.Context, etag string, start int) (bool, time.Duration, error) {
	claimed, err := s.Bucket.Put(ctx, s.stepKey(etag, start), nil, "application/octet-stream", true)
	if err != nil || claimed {
		return claimed, 0, err
	}
	age, err := s.Bucket.Age(ctx, s.stepKey(etag, start))
	return false, age, err
}

// RenewStep writes the claim again: its age starts over.
func (s Files) RenewStep(ctx context.Context, etag string, start int) error {
	_, err := s.Bucket.Put(ctx, s.stepKey(etag, start), nil, "application/octet-stream", false)
	return err
}

func (s Files) DropStep(ctx context.Context, etag string, start int) error {
	keys, err := s.Bucket.List(ctx, s.stepKey(etag, start)+".journal/")
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := s.Bucket.Delete(ctx, k); err != nil {
			return err
		}
	}
	return s.Bucket.Delete(ctx, s.stepKey(etag, start))
}

// Journal writes each entry as an object of its own under
// <step>.journal/: entries need no order, only to be there.
func (s Files) Journal(ctx context.Context, etag string, start int, entry []byte) error {
	var r [8]byte
	_, _ = rand.Read(r[:])
	key := fmt.Sprintf("%s.journal/%020d-%s", s.stepKey(etag, start), time.Now().UnixNano(), hex.EncodeToString(r[:]))
	_, err := s.Bucket.Put(ctx, key, entry, "application/json", true)
	return err
}

func (s Files) ReadJournal(ctx context.Context, etag string, start int) ([][]byte, error) {
	keys, err := s.Bucket.List(ctx, s.stepKey(etag, start)+".journal/")
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(keys))
	for _, k := range keys {
		rc, err := s.Bucket.Get(ctx, k)
		if errors.Is(err, ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
