package batchfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
)

// journal records a step's upstream calls as they go, in the log of the
// step's hold in the ledger: the rows of each call before it is made
// ("Sending"), and their results once their chunk is answered ("Settled").
// It also keeps the hold alive. A run that dies leaves unknown only the rows
// of the calls it had in flight; the rows of calls never made are known not
// sent.
type journal struct {
	ctx   context.Context
	h     *ledger.Hold
	lease time.Duration

	mu      sync.Mutex
	err     error     // the first write that failed: nothing more is sent
	renewed time.Time // the hold's last renewal

	// Entries written while a write is in flight wait for it, then go as
	// one (a group commit): concurrent calls cost a write between them,
	// not one each.
	wrote   *sync.Cond
	pending entry  // what the next write takes
	next    uint64 // the number of the write pending joins
	done    uint64 // writes finished
	writing bool
}

// entry is one line of a step's journal.
type entry struct {
	Sending []int    `json:"Sending,omitempty"` // the rows (Row.N) of a call about to be made
	Settled []Result `json:"Settled,omitempty"` // the final results of a chunk's rows
}

func newJournal(ctx context.Context, h *ledger.Hold, lease time.Duration) *journal {
	j := &journal{ctx: ctx, h: h, lease: lease, renewed: time.Now()}
	j.wrote = sync.NewCond(&j.mu)
	return j
}

// keepLease renews the step's hold every quarter lease until stopped.
func (j *journal) keepLease() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(max(j.lease/4, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				err := j.h.Renew(j.ctx)
				j.mu.Lock()
				switch {
				case err == nil:
					j.renewed = time.Now()
				case errors.Is(err, ledger.ErrLost) && j.err == nil:
					j.err = errors.New("batchfile: another run took the step over: this one sends nothing more")
				}
				j.mu.Unlock()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// write makes e durable in the journal before it returns; an error says
// it is not, and the run must send nothing more.
func (j *journal) write(e entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	j.pending.Sending = append(j.pending.Sending, e.Sending...)
	j.pending.Settled = append(j.pending.Settled, e.Settled...)
	mine := j.next
	for j.writing {
		j.wrote.Wait()
		if j.done > mine || j.err != nil {
			return j.err // written, or failed, by the write e joined
		}
	}
	// No write in flight: this one writes what is pending, e with it.
	batch := j.pending
	j.pending, j.writing = entry{}, true
	j.next++
	err := j.check()
	if err == nil {
		j.mu.Unlock()
		err = j.log(batch)
		j.mu.Lock()
	}
	if err != nil && j.err == nil {
		j.err = err
	}
	j.writing = false
	j.done = mine + 1
	j.wrote.Broadcast()
	return j.err
}

// check says whether the run may still write: another run may soon take
// a step whose hold could not be renewed for long for dead.
func (j *journal) check() error {
	if since := time.Since(j.renewed); since > j.lease*3/4 {
		return fmt.Errorf("batchfile: this run could not renew its hold on the step for %s", since.Round(time.Millisecond))
	}
	return nil
}

func (j *journal) log(e entry) error {
	b, err := json.Marshal(e)
	if err == nil {
		err = j.h.Log(j.ctx, b)
	}
	if err != nil {
		return fmt.Errorf("batchfile: writing the step's journal: %w", err)
	}
	return nil
}

func (j *journal) failed() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// rows is the journal as the Service's observer for a batch of rows: item i
// is rows[i].
func (j *journal) rows(rows []Row) core.Observer { return rowObserver{j, rows} }

type rowObserver struct {
	j    *journal
	rows []Row
}

func (o rowObserver) Sending(items []int) error {
	ns := make([]int, len(items))
	for k, i := range items {
		ns[k] = o.rows[i].N
	}
	return o.j.write(entry{Sending: ns})
}

func (o rowObserver) Settled(items []int, out []core.ItemResult) {
	rs := make([]Result, len(items))
	for k, i := range items {
		r := resultOf(o.rows[i])
		a := out[i]
		r.Code, r.Message, r.SecretNo, r.SubsId = a.Code, a.Message, a.SecretNo, a.SubsId
		rs[k] = r
	}
	_ = o.j.write(entry{Settled: rs}) // a failure stops the sending; these rows are then unknown
}

// readJournal reads a step's journal: each settled row's result, and the
// rows sent.
func readJournal(ctx context.Context, h *ledger.Hold) (map[int]Result, map[int]bool, error) {
	entries, err := h.ReadLog(ctx)
	if err != nil {
		return nil, nil, err
	}
	settled, sending := map[int]Result{}, map[int]bool{}
	for _, b := range entries {
		var e entry
		if err := json.Unmarshal(b, &e); err != nil {
			// The ledger keeps entries whole: one that does not parse was
			// not written by us, and skipping it could send a row twice.
			return nil, nil, fmt.Errorf("batchfile: the step's journal is unreadable: %w", err)
		}
		for _, n := range e.Sending {
			sending[n] = true
		}
		for _, r := range e.Settled {
			settled[r.Row] = r
		}
	}
	return settled, sending, nil
}
