package message

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
)

// DirStore keeps records in a folder, one file per message ID:
// <Dir>/<MessageId>.json. A claim is a hard link of a finished temporary
// file, which the file system makes only where no record is.
type DirStore struct{ Dir string }

var _ Store = DirStore{}

func (d DirStore) path(id string) string { return filepath.Join(d.Dir, url.PathEscape(id)+".json") }

func (d DirStore) Load(_ context.Context, id string) (*Record, error) {
	b, err := os.ReadFile(d.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func (d DirStore) Save(_ context.Context, id string, r Record) error {
	tmp, err := d.temp(r)
	if err != nil {
		return err
	}
	return os.Rename(tmp, d.path(id))
}

func (d DirStore) Claim(_ context.Context, id string, r Record) (bool, error) {
	tmp, err := d.temp(r)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, d.path(id))
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	return err == nil, err
}

func (d DirStore) Forget(_ context.Context, id string) error {
	if err := os.Remove(d.path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// temp writes r to a new temporary file in Dir, synced.
func (d DirStore) temp(r Record) (string, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(d.Dir, ".record-*.tmp")
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
