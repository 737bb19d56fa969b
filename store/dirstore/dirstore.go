// Package dirstore is the ledger's driver on a folder (AXG_LEDGER=dir:PATH):
// the local server and bind-file, where several processes on one machine
// share the records. A record is a file named by a hash of its key; every
// operation holds the folder's lock (flock), so a condition and its write
// are one step across processes.
package dirstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/axg-binder/binder/core/ledger"
)

// Ledger keeps records under Dir.
type Ledger struct{ Dir string }

var _ ledger.Driver = Ledger{}

// Open makes the folder if need be and checks it can be written.
func Open(dir string) (Ledger, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Ledger{}, err
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return Ledger{}, err
	}
	return Ledger{Dir: dir}, f.Close()
}

func (d Ledger) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(d.Dir, hex.EncodeToString(sum[:20])+".json")
}

// locked runs fn holding the folder's lock, waiting for it no longer than
// ctx allows.
func (d Ledger) locked(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %v", ledger.ErrUnavailable, err)
	}
	f, err := os.OpenFile(filepath.Join(d.Dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("%w: %v", ledger.ErrUnavailable, err)
	}
	defer f.Close()
	unlock, err := lock(ctx, f)
	if err != nil {
		return fmt.Errorf("%w: %v", ledger.ErrUnavailable, err)
	}
	defer unlock()
	return fn()
}

// read returns the live record at p, or nil.
func read(p string) (*ledger.Record, error) {
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r ledger.Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("ledger record %s: %w", filepath.Base(p), err)
	}
	if !time.Now().Before(r.Expires) {
		return nil, nil
	}
	return &r, nil
}

// write replaces the file at p with r, durably: a temporary file synced,
// then renamed.
func write(p string, r ledger.Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".record-*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func (d Ledger) Create(ctx context.Context, r ledger.Record) (*ledger.Record, error) {
	var old *ledger.Record
	err := d.locked(ctx, func() error {
		p := d.path(r.Key)
		var err error
		if old, err = read(p); err != nil || old != nil {
			return err
		}
		return write(p, r)
	})
	return old, err
}

func (d Ledger) Replace(ctx context.Context, token string, r ledger.Record) error {
	return d.locked(ctx, func() error {
		p := d.path(r.Key)
		old, err := read(p)
		if err != nil {
			return err
		}
		if old == nil || old.Token != token {
			return ledger.ErrLost
		}
		return write(p, r)
	})
}

func (d Ledger) Get(ctx context.Context, key string) (*ledger.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return read(d.path(key)) // a rename is atomic: no lock needed to read
}

func (d Ledger) Delete(ctx context.Context, key, token string) error {
	return d.locked(ctx, func() error {
		p := d.path(key)
		old, err := read(p)
		if err != nil || old == nil || old.Token != token {
			return err
		}
		return os.Remove(p)
	})
}
