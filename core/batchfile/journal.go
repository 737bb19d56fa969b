package batchfile

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/axg-binder/binder/core"
)

// journal records a step's upstream calls as they go, in the store: the
// rows of each call before it is made ("Sending"), and their results once
// their chunk is answered ("Settled"). It also keeps the step's claim alive.
// A run that dies leaves unknown only the rows of the calls it had in
// flight; the rows of calls never made are known not sent.
type journal struct {
	ctx   context.Context
	st    Store
	etag  string
	start int
	lease time.Duration

	mu      sync.Mutex
	err     error     // the first write that failed: nothing more is sent
	renewed time.Time // the claim's last renewal
}

// entry is one line of a step's journal.
type entry struct {
	Sending []int    `json:"Sending,omitempty"` // the rows (Row.N) of a call about to be made
	Settled []Result `json:"Settled,omitempty"` // the final results of a chunk's rows
}

func newJournal(ctx context.Context, st Store, etag string, start int, lease time.Duration) *journal {
	return &journal{ctx: ctx, st: st, etag: etag, start: start, lease: lease, renewed: time.Now()}
}

// keepLease renews the step's claim every quarter lease until stopped.
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
				if j.st.RenewStep(j.ctx, j.etag, j.start) == nil {
					j.mu.Lock()
					j.renewed = time.Now()
					j.mu.Unlock()
				}
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func (j *journal) write(e entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if since := time.Since(j.renewed); since > j.lease*3/4 {
		// Another run may soon take the step for dead: send nothing more.
		j.err = fmt.Errorf("batchfile: this run could not renew its claim on the step for %s", since.Round(time.Millisecond))
		return j.err
	}
	if err := j.st.Journal(j.ctx, j.etag, j.start, b); err != nil {
		j.err = fmt.Errorf("batchfile: writing the step's journal: %w", err)
	}
	return j.err
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
// rows sent. An entry that does not parse was torn by a crash and never
// made durable: what it would have said did not happen.
func readJournal(ctx context.Context, st Store, etag string, start int) (map[int]Result, map[int]bool, error) {
	entries, err := st.ReadJournal(ctx, etag, start)
	if err != nil {
		return nil, nil, err
	}
	settled, sending := map[int]Result{}, map[int]bool{}
	for _, b := range entries {
		var e entry
		if json.Unmarshal(b, &e) != nil {
			continue
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
