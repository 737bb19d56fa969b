// Package dirstore is the ledger's driver on a folder (AXG_LEDGER=dir:PATH):
// the local server and bind-file, where several processes on one machine
// share the records. The records are lines appended to one log file,
// each process keeping an index of it in memory; every write holds the
// folder's lock (flock), so a condition and its write are one step across
// processes; what decides whether anything is sent is synced before it
// returns.
package dirstore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/axg-binder/binder/internal/core/ledger"
)

// Ledger keeps records in two logs under a folder: once.log for what
// Create, Replace and Delete write (read by every writer, to check its
// conditions), batch.log for what PutBatch writes (the bindings: indexed
// only by a process that reads them, so that bind-file, which only writes
// them, keeps no index of every binding in memory).
type Ledger struct {
	dir         string
	mu          sync.Mutex // the indexes, within the process
	once, batch logFile
}

// logFile is one log and this process's index of it.
type logFile struct {
	name string
	// lazy: index the log only once this process reads it; a writer that
	// never does only keeps its end.
	lazy, indexed bool
	log           os.FileInfo // the log the index was read from
	end           int64       // bytes of it applied
	live          int64       // bytes of its lines still current
	recs          map[string]span
	sets          map[string]*set
}

var _ ledger.Driver = (*Ledger)(nil)

// span is where a key's latest record is in the log.
type span struct {
	off     int64
	n       int
	token   string
	expires time.Time
}

type set struct {
	members []string
	has     map[string]bool
	latest  int64 // Unix ms
	bytes   int64
}

// entry is one line of the log: a record put, a key deleted, or a member
// added to a set.
type entry struct {
	Put *rec   `json:"p,omitempty"`
	Del string `json:"d,omitempty"`
	Add *add   `json:"a,omitempty"`
}

// rec is a record as a log line holds it: a body that is JSON kept as
// JSON (base64 took a third more of the folder), any other in base64.
type rec ledger.Record

type plain ledger.Record // without rec's methods

type recLine struct {
	*plain
	Body   json.RawMessage `json:"Body,omitempty"`
	Body64 []byte          `json:"Body64,omitempty"`
}

func (r *rec) MarshalJSON() ([]byte, error) {
	l := recLine{plain: (*plain)(r)}
	if compactJSON(r.Body) {
		l.Body = r.Body
	} else {
		l.Body64 = r.Body // a replay is byte for byte: spaces and a newline too
	}
	return json.Marshal(l)
}

// compactJSON says whether b is JSON that encoding/json writes back as it
// is: no space or newline it would drop, nothing it would escape (<, >, &,
// U+2028, U+2029).
func compactJSON(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) || bytes.ContainsAny(b, "<>&\u2028\u2029") {
		return false
	}
	var c bytes.Buffer
	return json.Compact(&c, b) == nil && bytes.Equal(c.Bytes(), b)
}

func (r *rec) UnmarshalJSON(b []byte) error {
	l := recLine{plain: (*plain)(r)}
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	r.Body = l.Body64
	if l.Body != nil {
		r.Body = []byte(l.Body)
	}
	return nil
}

type add struct {
	K, V string
	E    int64 // Unix ms
}

// compactBytes is the log's size past which a write rewrites it with only
// its current lines, once at least half of it is not (a variable for tests).
var compactBytes int64 = 64 << 20

// Open makes the folder if need be and checks it can be written.
func Open(dir string) (*Ledger, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	d := &Ledger{dir: dir, once: logFile{name: "once.log", indexed: true}, batch: logFile{name: "batch.log", lazy: true}}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	return d, f.Close()
}

// locked runs fn with the folder's lock (exclusive to write) and the log
// l caught up, waiting for the lock no longer than ctx allows.
func (d *Ledger) locked(ctx context.Context, write bool, l *logFile, fn func(f *os.File) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %v", ledger.ErrUnavailable, err)
	}
	// This process's callers queue on the mutex, handed over at once; only
	// other processes are waited for by polling the folder's lock.
	d.mu.Lock()
	defer d.mu.Unlock()
	lf, err := os.OpenFile(filepath.Join(d.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("%w: %v", ledger.ErrUnavailable, err)
	}
	defer lf.Close()
	unlock, err := lock(ctx, lf, write)
	if err != nil {
		return fmt.Errorf("%w: %v", ledger.ErrUnavailable, err)
	}
	defer unlock()
	f, err := os.OpenFile(filepath.Join(d.dir, l.name), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if !write {
		l.index()
	}
	if err := l.catchUp(f); err != nil {
		return err
	}
	if write {
		if err := f.Truncate(l.end); err != nil { // a line torn by a crash
			return err
		}
	}
	return fn(f)
}

// catchUp applies the lines other writers appended since the index last
// read the log; a log replaced (compacted) is read afresh.
func (l *logFile) catchUp(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if l.log == nil || !os.SameFile(l.log, fi) || fi.Size() < l.end {
		l.end, l.live, l.recs, l.sets = 0, 0, map[string]span{}, map[string]*set{}
	}
	l.log = fi
	if fi.Size() == l.end {
		return nil
	}
	if !l.indexed {
		return l.skip(f, fi.Size())
	}
	r := bufio.NewReaderSize(io.NewSectionReader(f, l.end, fi.Size()-l.end), 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			return nil // nothing, or a torn line: not applied
		}
		if err != nil {
			return err
		}
		var e entry
		if err := json.Unmarshal(line, &e); err != nil {
			return fmt.Errorf("ledger log %s at %d: %w", f.Name(), l.end, err)
		}
		l.apply(e, l.end, len(line))
		l.end += int64(len(line))
	}
}

// skip moves the end of an unindexed log to its last whole line.
func (l *logFile) skip(f *os.File, size int64) error {
	buf := make([]byte, 64<<10)
	for end := size; end > l.end; {
		start := max(l.end, end-int64(len(buf)))
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			l.end = start + int64(i) + 1
			return nil
		}
		end = start
	}
	return nil
}

// index makes a lazy log indexed, read from its start on the next catchUp.
func (l *logFile) index() {
	if !l.indexed {
		l.indexed, l.log = true, nil
	}
}

func (l *logFile) apply(e entry, off int64, n int) {
	switch {
	case e.Put != nil:
		if old, ok := l.recs[e.Put.Key]; ok {
			l.live -= int64(old.n)
		}
		l.recs[e.Put.Key] = span{off: off, n: n, token: e.Put.Token, expires: e.Put.Expires}
		l.live += int64(n)
	case e.Del != "":
		if old, ok := l.recs[e.Del]; ok {
			l.live -= int64(old.n)
			delete(l.recs, e.Del)
		}
	case e.Add != nil:
		s := l.sets[e.Add.K]
		if s == nil {
			s = &set{has: map[string]bool{}}
			l.sets[e.Add.K] = s
		}
		if !s.has[e.Add.V] {
			s.has[e.Add.V] = true
			s.members = append(s.members, e.Add.V)
			s.bytes += int64(n)
			l.live += int64(n)
		}
		s.latest = max(s.latest, e.Add.E)
	}
}

// current is the span of key's live record.
func (l *logFile) current(key string) (span, bool) {
	s, ok := l.recs[key]
	return s, ok && time.Now().Before(s.expires)
}

func (l *logFile) read(f *os.File, s span) (*ledger.Record, error) {
	b := make([]byte, s.n)
	if _, err := f.ReadAt(b, s.off); err != nil {
		return nil, err
	}
	var e entry
	if err := json.Unmarshal(b, &e); err != nil || e.Put == nil {
		return nil, fmt.Errorf("ledger log %s at %d: not a record (%v)", f.Name(), s.off, err)
	}
	return (*ledger.Record)(e.Put), nil
}

// append writes entries at the log's end, synced, and indexes them.
func (l *logFile) append(f *os.File, entries []entry, sync bool) error {
	var buf bytes.Buffer
	ends := make([]int, len(entries))
	for i, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
		ends[i] = buf.Len()
	}
	if _, err := f.WriteAt(buf.Bytes(), l.end); err != nil {
		return err
	}
	if sync && !l.lazy { // the bindings' records are written, not synced: see PutBatch
		if err := f.Sync(); err != nil {
			return err
		}
	}
	start := 0
	for i, e := range entries {
		if l.indexed {
			l.apply(e, l.end+int64(start), ends[i]-start)
		}
		start = ends[i]
	}
	l.end += int64(buf.Len())
	if l.indexed && l.end > compactBytes && l.live < l.end/2 {
		return l.compact(f)
	}
	return nil
}

func (d *Ledger) Create(ctx context.Context, r ledger.Record) (*ledger.Record, error) {
	var old *ledger.Record
	err := d.locked(ctx, true, &d.once, func(f *os.File) error {
		if s, ok := d.once.current(r.Key); ok {
			var err error
			old, err = d.once.read(f, s)
			return err
		}
		return d.once.append(f, []entry{{Put: (*rec)(&r)}}, true)
	})
	return old, err
}

func (d *Ledger) Replace(ctx context.Context, token string, r ledger.Record) error {
	return d.locked(ctx, true, &d.once, func(f *os.File) error {
		if s, ok := d.once.current(r.Key); !ok || s.token != token {
			return ledger.ErrLost
		}
		return d.once.append(f, []entry{{Put: (*rec)(&r)}}, true)
	})
}

// Get reads what Create and Replace wrote, else what PutBatch did.
func (d *Ledger) Get(ctx context.Context, key string) (*ledger.Record, error) {
	var r *ledger.Record
	for _, l := range []*logFile{&d.once, &d.batch} {
		err := d.locked(ctx, false, l, func(f *os.File) error {
			s, ok := l.current(key)
			if !ok {
				return nil
			}
			var err error
			r, err = l.read(f, s)
			return err
		})
		if err != nil || r != nil {
			return r, err
		}
	}
	return nil, nil
}

// Delete appends its line without syncing it: a delete lost to a crash of
// the machine (a crash of the process loses nothing) leaves a record back
// that holds a key or a step for its lease, or a journal entry of a step
// already recorded — the side that sends nothing twice. Synced, deletes
// took a tenth of bind-file's one-item rows/s (a step's journal is
// deleted once it is recorded).
func (d *Ledger) Delete(ctx context.Context, key, token string) error {
	return d.locked(ctx, true, &d.once, func(f *os.File) error {
		if s, ok := d.once.current(key); !ok || s.token != token {
			return nil
		}
		return d.once.append(f, []entry{{Del: key}}, false)
	})
}

// PutBatch appends the batch's lines in one write. It does not sync them:
// a binding's record tells what happened and the binding stands without
// it, and a sync a chunk took a fifth of bind-file's rows/s. A crash of the
// process loses nothing; a crash of the machine may lose the last records
// (the once-only records, which decide what is sent, are synced).
func (d *Ledger) PutBatch(ctx context.Context, recs []ledger.Record, adds []ledger.Member) error {
	if len(recs)+len(adds) == 0 {
		return nil
	}
	entries := make([]entry, 0, len(recs)+len(adds))
	for i := range recs {
		entries = append(entries, entry{Put: (*rec)(&recs[i])})
	}
	for _, a := range adds {
		entries = append(entries, entry{Add: &add{K: a.Key, V: a.Value, E: a.Expires.UnixMilli()}})
	}
	return d.locked(ctx, true, &d.batch, func(f *os.File) error { return d.batch.append(f, entries, false) })
}

// Members are a set's values, each once, in the order added, while the
// latest expiry of its members has not passed.
func (d *Ledger) Members(ctx context.Context, key string) ([]string, error) {
	var out []string
	err := d.locked(ctx, false, &d.batch, func(*os.File) error {
		if s := d.batch.sets[key]; s != nil && s.latest > time.Now().UnixMilli() {
			out = slices.Clone(s.members)
		}
		return nil
	})
	return out, err
}

// compact rewrites the log with its current lines only, and renames it
// into place; every process reads the new log afresh (its index is of the
// old file).
func (l *logFile) compact(f *os.File) error {
	tmp, err := os.CreateTemp(filepath.Dir(f.Name()), ".ledger-*.log")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	now := time.Now()
	for _, s := range l.recs {
		if !now.Before(s.expires) {
			continue
		}
		if _, err := io.Copy(w, io.NewSectionReader(f, s.off, int64(s.n))); err != nil {
			return err
		}
	}
	for k, s := range l.sets {
		if s.latest <= now.UnixMilli() {
			continue
		}
		for _, v := range s.members {
			b, _ := json.Marshal(entry{Add: &add{K: k, V: v, E: s.latest}})
			w.Write(append(b, '\n'))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.Name()); err != nil {
		return err
	}
	l.log = nil // read afresh on the next call
	return nil
}
