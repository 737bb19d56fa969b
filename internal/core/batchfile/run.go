package batchfile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/metrics"
)

// Result is one row's line in the results.
type Result struct {
	// Action is the row's, where it is not BindAxg.
	Action   core.Action `json:"Action,omitempty"`
	Row      int         `json:"Row"`
	Line     int         `json:"Line"`
	PhoneNoA string      `json:"PhoneNoA"`
	GroupId  string      `json:"GroupId"`
	Code     core.Code   `json:"Code"`
	Message  string      `json:"Message"`
	SecretNo string      `json:"SecretNo"`
	SubsId   string      `json:"SubsId"`
	// OutOrderId names the order an unbind by order closed.
	OutOrderId string `json:"OutOrderId,omitempty"`
}

// Options tune a run.
type Options struct {
	// ETag identifies the input: the same ETag delivered again binds nothing.
	ETag string
	// Chunk is the rows per step: each step is checkpointed (default 1000).
	Chunk int
	// Margin stops the run this long before the context's deadline, so the
	// step under way can finish and be recorded (default 5s).
	Margin time.Duration
	// Progress is told the rows done after each step.
	Progress func(done int)
	// StepLease is how long a step's hold lasts without being renewed: the
	// run sending a step renews it every quarter of this, and stops sending
	// when it could not for three quarters; a hold older than this belongs
	// to a run that died, and its step is settled (default 20 s).
	StepLease time.Duration
	// Ledger holds each step while it is sent, with its journal (required):
	// of two runs of one file at once, one sends each step, and a run that
	// dies leaves unknown only the calls it had in flight. A ledger that
	// several runs share (a folder, Redis, a cloud table) keeps them apart
	// across processes and instances.
	Ledger *ledger.Ledger
	// Scope keeps apart files that a content does not tell apart: the
	// bucket, or the machine's files.
	Scope string
	// StoreOf, when set, finds a file's results by its content (Bind): the
	// first name a content arrives under is recorded in the ledger as its
	// home, and StoreOf opens a home's store, in the same scope.
	StoreOf func(name string) Store
	// PoolKey is the default for rows that carry none (Bind).
	PoolKey string
	// MaxRowBytes is the longest row (Bind; DefaultMaxRowBytes when 0): a
	// longer one is that row's error.
	MaxRowBytes int
	// Metrics counts the rows bound (none when nil).
	Metrics metrics.Sink
}

// StepTTL is how long a step's hold and journal are kept when the run
// sending it never releases them: a run that takes the step over later
// than this knows none of its calls, and answers every row of it that
// may have been sent UpstreamTimeout.
const StepTTL = 7 * 24 * time.Hour

// ErrNotFinished says the file is not finished, and the next run with the
// same store and ETag goes on from the checkpoint: invoke again. Both
// ErrBusy and ErrIncomplete are ErrNotFinished (errors.Is).
var ErrNotFinished = errors.New("batchfile: the file is not finished; run again to go on from its checkpoint")

// ErrOtherContent says a file of this name was bound, or is being bound,
// with other content: it is refused until its earlier results (and
// checkpoint) are moved away, as nothing can tell which rows of the new
// content were bound already.
var ErrOtherContent = errors.New("batchfile: a file of this name with other content was bound here before: move its results, summary and checkpoint away to bind this one")

// ErrBusy says another run of the same file is sending: this one stopped
// before sending anything. Deliver again later.
var ErrBusy = fmt.Errorf("%w: another run of this file is under way", ErrNotFinished)

// ErrIncomplete says the run stopped before the end of the input (its
// context ended or its deadline came near).
var ErrIncomplete = fmt.Errorf("%w: stopped before the end of the input", ErrNotFinished)

// Run binds the rows of rd through svc, writing a result line per row to st
// in input order and checkpointing each step. A run that finds a finished
// checkpoint for the same ETag binds nothing and returns the saved summary.
func Run(ctx context.Context, svc *core.Service, rd *Reader, st Store, o Options) (Summary, error) {
	if o.Chunk <= 0 {
		o.Chunk = 1000
	}
	if o.Margin <= 0 {
		o.Margin = 5 * time.Second
	}
	if o.StepLease <= 0 {
		o.StepLease = 20 * time.Second
	}
	if o.Ledger == nil {
		return Summary{}, errors.New("batchfile: no ledger to hold the steps in")
	}
	// The store's writes finish even when ctx is cancelled: a step that was
	// sent must be recorded.
	keep := context.WithoutCancel(ctx)
	cp, err := st.LoadCheckpoint(ctx)
	if err != nil {
		return Summary{}, err
	}
	if cp != nil && cp.ETag != o.ETag {
		// The same name, other content: binding it would mix two files'
		// results, and starting over would lose the first one's.
		return Summary{}, fmt.Errorf("%w (bound before as %s, now %s)", ErrOtherContent, cp.ETag, o.ETag)
	}
	if cp != nil && cp.Finished {
		return st.ReadSummary(ctx) // delivered again: nothing new to bind
	}
	if cp == nil {
		cp = &Checkpoint{ETag: o.ETag, Chunk: o.Chunk, Counts: map[core.Code]int{}, Started: time.Now().UTC()}
		if err := st.SaveCheckpoint(ctx, *cp); err != nil {
			return Summary{}, err
		}
	}
	if err := skip(rd, cp.Done); err != nil {
		return Summary{}, err
	}
	if cp.InFlight > cp.Done {
		// The step may be another run's, still being sent: it is settled
		// only once its hold has gone unrenewed for a lease.
		h, err := take(keep, st, cp, o)
		if err != nil {
			return Summary{}, err
		}
		if err := recoverStep(ctx, keep, svc, rd, st, cp, h, o.StepLease); err != nil {
			return Summary{}, err // the hold lapses, its journal kept for the next run
		}
		release(keep, h)
	}
	for {
		if ctx.Err() != nil {
			return Summary{}, ErrIncomplete
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < o.Margin {
			return Summary{}, ErrIncomplete
		}
		rows, err := read(rd, cp.Chunk)
		if err != nil {
			return Summary{}, err
		}
		if len(rows) == 0 {
			break
		}
		// Held before the checkpoint says in flight: a hold with no step in
		// flight belongs to a run between the two, or, once its lease has
		// lapsed, to one that died there, before sending anything.
		h, err := take(keep, st, cp, o)
		if err != nil {
			return Summary{}, err
		}
		if h.Found {
			// A journal left under the key is of no run of this checkpoint
			// (its results were moved away to bind afresh): it must not be
			// read as this run's.
			if err := h.ClearLog(keep); err != nil {
				release(keep, h)
				return Summary{}, err
			}
		}
		cp.InFlight, cp.Journaled = cp.Done+len(rows), true
		if err := st.SaveCheckpoint(keep, *cp); err != nil {
			return Summary{}, err
		}
		results, err := step(ctx, svc, rows, newJournal(keep, h, o.StepLease))
		if err == nil {
			err = record(keep, st, cp, results)
		}
		if err != nil {
			return Summary{}, err // the hold lapses: the next run settles the step
		}
		release(keep, h)
		countBound(o.Metrics, results)
		if o.Progress != nil {
			o.Progress(cp.Done)
		}
	}
	s := Summary{ETag: cp.ETag, Rows: cp.Done, Counts: cp.Counts, Started: cp.Started, Finished: time.Now().UTC()}
	s.DurationMs = s.Finished.Sub(s.Started).Milliseconds()
	if err := st.WriteSummary(keep, s); err != nil {
		return Summary{}, err
	}
	cp.Finished = true
	return s, st.SaveCheckpoint(keep, *cp)
}

// stepKey names the hold of the step starting after row cp.Done of a
// content: the same for every run of a file, so that one sends it.
func stepKey(scope string, cp *Checkpoint) string {
	return "step:" + scope + ":" + cp.ETag + ":" + strconv.Itoa(cp.Done)
}

// take holds the step starting after row cp.Done for this run: ErrBusy if
// another run holds it, or moved the checkpoint on since this one read it
// (it held the step, sent it and recorded it meanwhile).
func take(ctx context.Context, st Store, cp *Checkpoint, o Options) (*ledger.Hold, error) {
	h, err := o.Ledger.Take(ctx, stepKey(o.Scope, cp), o.StepLease, StepTTL)
	if errors.Is(err, ledger.ErrHeld) {
		return nil, ErrBusy
	}
	if err != nil {
		return nil, fmt.Errorf("batchfile: the ledger that holds a file's steps could not be reached: %w", err)
	}
	now, err := st.LoadCheckpoint(ctx)
	if err == nil && (now == nil || now.Done != cp.Done || now.InFlight != cp.InFlight || now.Offset != cp.Offset || now.Finished || !now.Started.Equal(cp.Started)) {
		err = ErrBusy
	}
	if err != nil {
		release(ctx, h)
		return nil, err
	}
	return h, nil
}

// release lets a step go once its results are recorded. A release that
// fails leaves the hold to lapse and the journal to its TTL: neither is
// read again, as the checkpoint has moved past the step.
func release(ctx context.Context, h *ledger.Hold) { _ = h.Release(ctx) }

// step binds one step's rows, journaling each upstream call, its lease
// renewed until it is done. A cancelled run finishes the step it started;
// the context's deadline still cuts it. An error says the journal could not
// be written: the calls not yet made were not, and the run must stop.
func step(ctx context.Context, svc *core.Service, rows []Row, j *journal) ([]Result, error) {
	stepCtx := context.WithoutCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		stepCtx, cancel = context.WithDeadline(stepCtx, dl)
		defer cancel()
	}
	stop := j.keepLease()
	results := bind(stepCtx, svc, rows, j)
	stop()
	return results, j.failed()
}

// countBound counts a step's rows that bound.
func countBound(s metrics.Sink, results []Result) {
	n := 0
	for _, r := range results {
		if r.Code == core.CodeOK && r.Action == "" {
			n++
		}
	}
	if n > 0 {
		metrics.Or(s).Add(&metrics.Bound, float64(n), "file")
	}
}

// record appends a step's results and moves the checkpoint past it.
func record(ctx context.Context, st Store, cp *Checkpoint, results []Result) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, r := range results {
		_ = enc.Encode(r)
		cp.Counts[r.Code]++
	}
	if err := st.AppendResults(ctx, cp.Offset, b.Bytes()); err != nil {
		return err
	}
	cp.Offset += int64(b.Len())
	cp.Done, cp.InFlight = cp.Done+len(results), 0
	return st.SaveCheckpoint(ctx, *cp)
}

// recoverStep settles the step a previous run was sending when it stopped:
// if its results were appended, they stand. Otherwise its journal tells each
// row's fate: answered (the answer stands), sent without an answer
// (UpstreamTimeout: its outcome is unknown, and it is not sent again), or
// never sent (sent now). A step from before journals is all unknown.
func recoverStep(ctx, keep context.Context, svc *core.Service, rd *Reader, st Store, cp *Checkpoint, h *ledger.Hold, lease time.Duration) error {
	rows, err := read(rd, cp.InFlight-cp.Done)
	if err != nil {
		return err
	}
	if tail, ok := appended(keep, st, cp.Offset, len(rows)); ok {
		for _, r := range tail {
			cp.Counts[r.Code]++
		}
		cp.Offset += int64(resultBytes(tail))
		cp.Done, cp.InFlight = cp.Done+len(rows), 0
		return st.SaveCheckpoint(keep, *cp)
	}
	if t, ok := st.(interface{ TruncateResults(int64) error }); ok {
		if err := t.TruncateResults(cp.Offset); err != nil {
			return err
		}
	}
	settled, sending, err := readJournal(keep, h)
	if err != nil {
		return err
	}
	// The step was in flight, so a hold was under its key: none found means
	// the ledger lost it (a memory ledger's instance gone, a store emptied),
	// and the journal with it. Every row that may have been sent is then
	// unknown.
	journaled := cp.Journaled && h.Found
	results := make([]Result, len(rows))
	var unsent, resend []Row
	var at, resendAt []int
	for i, row := range rows {
		results[i] = resultOf(row)
		switch r, done := settled[row.N]; {
		case row.Err != nil:
		case done:
			results[i] = r
		case (sending[row.N] || !journaled) && row.Task.Action != core.ActionBind:
			// Unbind and update may go again after an unknown outcome.
			resend, resendAt = append(resend, row), append(resendAt, i)
		case sending[row.N] || !journaled:
			results[i].Code = core.CodeUpstreamTimeout
			results[i].Message = "the run stopped while this row was being sent: its outcome is unknown, and it was not sent again"
		default:
			unsent, at = append(unsent, row), append(at, i) // known never sent: sent now
		}
	}
	for _, again := range []struct {
		ctx  context.Context
		rows []Row
		at   []int
	}{{ctx, unsent, at}, {core.AfterUnknown(ctx), resend, resendAt}} {
		if len(again.rows) == 0 {
			continue
		}
		res, err := step(again.ctx, svc, again.rows, newJournal(keep, h, lease))
		if err != nil {
			return err
		}
		for k, i := range again.at {
			results[i] = res[k]
		}
	}
	return record(keep, st, cp, results)
}

// appended reads the results past offset: n complete lines are a step that
// was appended but not recorded.
func appended(ctx context.Context, st Store, offset int64, n int) ([]Result, bool) {
	rc, err := st.ReadResults(ctx, offset)
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	var out []Result
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var r Result
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			return nil, false
		}
		out = append(out, r)
	}
	return out, sc.Err() == nil && len(out) == n && n > 0
}

func resultBytes(rs []Result) int {
	n := 0
	for _, r := range rs {
		b, _ := json.Marshal(r)
		n += len(b) + 1
	}
	return n
}

func skip(rd *Reader, n int) error {
	for i := 0; i < n; i++ {
		if _, err := rd.Next(); err != nil {
			if err == io.EOF {
				return errors.New("batchfile: the input is shorter than the checkpoint says")
			}
			return err
		}
	}
	return nil
}

func read(rd *Reader, n int) ([]Row, error) {
	rows := make([]Row, 0, n)
	for len(rows) < n {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func resultOf(row Row) Result {
	r := Result{Row: row.N, Line: row.Line, PhoneNoA: row.PhoneNoA, GroupId: row.GroupId}
	switch t := &row.Task; t.Action {
	case core.ActionUnbind:
		r.Action, r.SubsId, r.SecretNo = t.Action, t.Unbind.SubsId, t.Unbind.SecretNo
		if t.ByOrder {
			r.OutOrderId = t.Order.OutOrderId
		}
	case core.ActionUpdate:
		r.Action, r.SubsId, r.SecretNo = t.Action, t.Update.SubsId, t.Update.PhoneNoX
	}
	if row.Err != nil {
		r.Code, r.Message = row.Err.Code, row.Err.Message
	}
	return r
}

// bind sends a step's valid rows and answers every row in order: bind
// rows in one batch per run of rows with the same PoolKey, unbind and
// update rows one call each, every call journaled. A row is sent once the
// rows above it are answered, but for a run of unbind and update rows,
// which go a few at once.
func bind(ctx context.Context, svc *core.Service, rows []Row, j *journal) []Result {
	results := make([]Result, len(rows))
	var wg sync.WaitGroup
	sem := make(chan struct{}, opConcurrency)
	for start := 0; start < len(rows); {
		if !batched(&rows[start]) {
			i := start
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				results[i] = operate(ctx, svc, rows[i], j)
			})
			start++
			continue
		}
		wg.Wait() // the unbinds and updates above are answered first
		pool := ""
		end := start
		for ; end < len(rows) && batched(&rows[end]); end++ {
			if rows[end].Err != nil {
				continue // answered without being sent: it joins any batch
			}
			p := rows[end].Task.Bind.PoolKey
			if pool != "" && p != pool {
				break
			}
			pool = p
		}
		req := core.BatchRequest{PoolKey: pool, Items: make([]core.BatchItem, end-start)}
		for i, row := range rows[start:end] {
			req.Items[i] = core.BatchItem{Item: row.Task.Bind.Item, PhoneNoA: row.PhoneNoA, GroupId: row.GroupId, Err: row.Err}
		}
		answers := svc.BatchBindObserved(ctx, req, j.rows(rows[start:end])) // invalid rows are answered, never sent
		for i, row := range rows[start:end] {
			r := resultOf(row)
			a := answers[i]
			r.Code, r.Message, r.SecretNo, r.SubsId = a.Code, a.Message, a.SecretNo, a.SubsId
			results[start+i] = r
		}
		start = end
	}
	wg.Wait()
	return results
}

// opConcurrency is how many unbind or update calls of a step are in flight.
const opConcurrency = 8

// batched reports whether a row goes in a batch: a bind row, or a row that
// is answered without being sent.
func batched(row *Row) bool { return row.Err != nil || row.Task.Action == core.ActionBind }

// operate sends an unbind or update row's call, journaled.
func operate(ctx context.Context, svc *core.Service, row Row, j *journal) Result {
	r := resultOf(row)
	if err := j.write(entry{Sending: []int{row.N}}); err != nil {
		r.Code, r.Message = core.CodeUpstreamUnavailable, "not sent: "+err.Error()
		return r
	}
	var err error
	switch row.Task.Action {
	case core.ActionUnbind:
		if row.Task.ByOrder {
			var rs []core.OrderResult
			if rs, err = svc.UnbindOrder(ctx, row.Task.Order); err == nil {
				r.Code, r.Message = orderOutcome(rs)
				_ = j.write(entry{Settled: []Result{r}})
				return r
			}
			break
		}
		err = svc.Unbind(ctx, row.Task.Unbind)
	case core.ActionUpdate:
		err = svc.Update(ctx, row.Task.Update)
	}
	r.Code, r.Message = core.CodeOK, "OK"
	if err != nil {
		e := core.AsError(err)
		r.Code, r.Message = e.Code, e.Message
	}
	_ = j.write(entry{Settled: []Result{r}}) // a failure stops the sending; this row is then settled by recovery
	return r
}

// orderOutcome words an unbind by order as one row's result: OK when every
// binding of the order ended unbound (or expired, or was so before), else
// the first failure's code, each binding's SubsId and code in the message.
func orderOutcome(rs []core.OrderResult) (core.Code, string) {
	code, parts := core.CodeOK, make([]string, 0, len(rs))
	for _, r := range rs {
		parts = append(parts, r.SubsId+" "+string(r.Code))
		if r.Code != core.CodeOK && code == core.CodeOK {
			code = r.Code
		}
	}
	if len(rs) == 0 {
		return code, "no binding of the order was found"
	}
	return code, fmt.Sprintf("%d bindings of the order: %s", len(rs), strings.Join(parts, ", "))
}
