package core

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/axg-binder/binder/internal/core/tracing"
)

// Upstream is the privacy-number API. internal/core/dypls implements it over the
// vendor's SDK; its errors are *Error values saying what is known of the call.
type Upstream interface {
	// BindAxg makes one binding.
	BindAxg(ctx context.Context, pool string, it *Item) (Binding, error)
	// BindBatchAxg sends items in one call and returns the upstream's item
	// answers as they came, not yet matched to the items.
	BindBatchAxg(ctx context.Context, pool string, items []*Item) ([]ItemResult, error)
	// The rest of a binding's life (lifecycle.go).
	UnbindSubscription(ctx context.Context, r *UnbindRequest) error
	UpdateSubscription(ctx context.Context, r *UpdateRequest) error
	QuerySubscriptionDetail(ctx context.Context, r *QueryRequest) (BindingDetail, error)
	QuerySubsId(ctx context.Context, r *SubsIdRequest) (string, error)
	CreateAxgGroup(ctx context.Context, r *GroupCreateRequest) (int64, error)
	OperateAxgGroup(ctx context.Context, r *GroupOperateRequest) error
	DeleteAxgGroup(ctx context.Context, r *GroupDeleteRequest) error
}

// The Options' defaults, which the configuration's are (one place each).
const (
	DefaultChunk       = 100         // items a BindBatchAxg call, the vendor's most
	DefaultQPS         = bindCeiling // BindAxg's documented ceiling
	DefaultMinCallTime = 500 * time.Millisecond
)

// Options tune the Service. Zero values take the defaults.
type Options struct {
	// Chunk is the number of items per BindBatchAxg call (default 100).
	Chunk int
	// QPS is the ceiling on upstream calls per second (default 5000), kept
	// by this instance unless Budget is given.
	QPS float64
	// Budget, where given, is the rate every instance shares (QPS is then
	// its business).
	Budget Budget
	// Concurrency is how many chunks of one batch are in flight (default 4).
	Concurrency int
	// BackoffBase and BackoffMax bound the exponential backoff between resends
	// (defaults 100ms and 2s); each wait is jittered between half and all of it.
	BackoffBase, BackoffMax time.Duration
	// MaxAttempts bounds the calls for one bind or chunk (default 8); the
	// caller's deadline bounds them too.
	MaxAttempts int
	// MinCallTime is the least time a call must have before the deadline
	// once its turn under the ceiling comes (default 500ms, and never more
	// than CallTimeout): a call squeezed into less would fail before the
	// upstream answers, its outcome unknown. Not sent, it is known not bound.
	MinCallTime time.Duration
	// CallTimeout is one upstream call's own timeout, where the Upstream has
	// one (AXG_UPSTREAM_TIMEOUT).
	CallTimeout time.Duration
	// OnWait, where given, is told how long each call waited for its turn
	// under the rate budget (the metrics' RateBudgetWait).
	OnWait func(api string, waited time.Duration)
	// MaxCallBytes bounds one BindBatchAxg call's encoded item list (default
	// 64 KiB): a chunk is split before its URL grows past what a gateway
	// takes. The vendor publishes no limit; a typical 100-item chunk is
	// about 42 KiB.
	MaxCallBytes int
	// Reuse, where given, answers a bind that names an OutOrderId from a
	// live binding of that order and A number when there is one, else runs
	// bind, under a lock of the order and number across instances, so that
	// two binds at once make one binding (AXG_ORDER_BINDINGS=reuse).
	Reuse func(ctx context.Context, pool string, it *Item, bind func() (Binding, error)) (Binding, error)
	// Orders unbinds by order (ledger.Bindings; nil where the ledger keeps
	// no bindings).
	Orders OrderBook
	// Recorder, where given, is told of every binding made, unmade or of
	// unknown outcome (the ledger's bindings).
	Recorder Recorder
}

func (o *Options) defaults() {
	if o.Chunk <= 0 {
		o.Chunk = DefaultChunk
	}
	if o.QPS <= 0 {
		o.QPS = DefaultQPS
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = 100 * time.Millisecond
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 2 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.MaxCallBytes <= 0 {
		o.MaxCallBytes = 64 << 10
	}
	if o.MinCallTime <= 0 {
		o.MinCallTime = DefaultMinCallTime
	}
	if o.CallTimeout > 0 && o.MinCallTime > o.CallTimeout {
		o.MinCallTime = o.CallTimeout
	}
}

// Service binds validated requests: it chunks batches, keeps the upstream
// rate ceiling, resends only what the upstream said it did not act on, and
// answers every item. It is safe for concurrent use.
type Service struct {
	up     Upstream
	budget Budget
	opts   Options
}

// NewService returns a Service calling up.
func NewService(up Upstream, opts Options) (*Service, error) {
	if up == nil {
		return nil, errors.New("core: NewService needs an Upstream")
	}
	opts.defaults()
	budget := opts.Budget
	if budget == nil {
		budget = NewLocalBudget(opts.QPS)
	}
	return &Service{up: up, budget: budget, opts: opts}, nil
}

// Bind makes one binding, resending while the upstream says it did not act,
// until the context's deadline.
func (s *Service) Bind(ctx context.Context, req BindRequest) (Binding, error) {
	if s.opts.Reuse != nil && req.OutOrderId != "" {
		return s.opts.Reuse(ctx, req.PoolKey, &req.Item, func() (Binding, error) { return s.bind(ctx, req) })
	}
	return s.bind(ctx, req)
}

func (s *Service) bind(ctx context.Context, req BindRequest) (Binding, error) {
	var b Binding
	err := s.retry(ctx, opBind, func(ctx context.Context) (err error) {
		b, err = s.up.BindAxg(ctx, req.PoolKey, &req.Item)
		return err
	})
	if err != nil {
		e := finalize(err)
		s.recordBound(ctx, req.PoolKey, &req.Item, Binding{}, e)
		return Binding{}, e
	}
	s.recordBound(ctx, req.PoolKey, &req.Item, b, nil)
	return b, nil
}

// retry calls call under the rate ceiling, again after a backoff while a
// resend is safe for o, and returns the last error. After an unknown outcome
// a resend is safe only for an idempotent operation; its later answers then
// cannot say "not done" (the unknown call may have done it), so a failure
// that follows one is reported as that unknown outcome.
func (s *Service) retry(ctx context.Context, o op, call func(context.Context) error) *Error {
	var last, unknown *Error
	if ctx.Value(afterUnknownKey{}) != nil && o.idempotent {
		unknown = &Error{Code: CodeUpstreamTimeout, Origin: OriginTransport, Outcome: Unknown,
			Message: "an earlier attempt was sent and its outcome is unknown; resent, and no later attempt settled it"}
	}
	for attempt := 0; ; attempt++ {
		if err := s.wait(ctx, o.api); err != nil {
			switch {
			case unknown != nil:
				return unknown
			case last != nil:
				return last
			}
			return err
		}
		cctx, span := tracing.StartCall(ctx, o.api, attempt+1)
		err := call(cctx)
		span.End()
		if err == nil {
			return nil
		}
		last = AsError(err)
		if unknown != nil && o.gone != "" && last.Outcome == Answered && last.Code == o.gone {
			return nil // resent after an unknown outcome, and the first call had done it
		}
		if unknown != nil && o.goneUnsaid && last.Outcome == Answered && !last.Retryable() {
			return unknown // refused: perhaps because the first call had done it
		}
		if last.Outcome == Unknown {
			unknown = last
		}
		again := last.Retryable() || o.idempotent && last.Outcome == Unknown
		if !again || attempt+1 >= s.opts.MaxAttempts || !s.backoff(ctx, attempt) {
			if unknown != nil && (last.Retryable() || last.Outcome == NotSent) {
				return unknown
			}
			return last
		}
	}
}

// wait takes a turn under the rate budget for a call of api. A turn that
// would leave the call less than MinCallTime before the deadline is not
// taken: isv.FLOW_LIMIT, not sent; less than that left already is
// UpstreamUnavailable, not sent.
func (s *Service) wait(ctx context.Context, api string) *Error {
	var latest time.Time
	if dl, ok := ctx.Deadline(); ok {
		latest = dl.Add(-s.opts.MinCallTime)
		if !time.Now().Before(latest) {
			return &Error{Code: CodeUpstreamUnavailable, Outcome: NotSent,
				Message: "not sent: less than " + s.opts.MinCallTime.String() + " was left before the request's deadline"}
		}
	}
	start := time.Now()
	ok, err := s.budget.Take(ctx, api, latest)
	if s.opts.OnWait != nil && ok && err == nil {
		s.opts.OnWait(api, time.Since(start))
	}
	if err != nil {
		return &Error{Code: CodeUpstreamUnavailable, Message: "not sent: the request's deadline passed first", Outcome: NotSent}
	}
	if !ok {
		return &Error{Code: CodeFlowLimit, Outcome: NotSent, Message: "not sent: under the upstream rate ceiling (AXG_UPSTREAM_QPS) the call's turn " +
			"would leave it less than " + s.opts.MinCallTime.String() + " before the request's deadline"}
	}
	return nil
}

// backoff sleeps before resend number attempt+1, jittered; false when that
// sleep would pass the deadline.
func (s *Service) backoff(ctx context.Context, attempt int) bool {
	d := s.opts.BackoffBase << min(attempt, 20)
	if d > s.opts.BackoffMax || d <= 0 {
		d = s.opts.BackoffMax
	}
	d = d/2 + rand.N(d/2+1)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// finalize gives a throttled failure the contract's code.
func finalize(e *Error) *Error {
	if e.Outcome == Answered && (e.Code.Throttled() || e.HTTPStatus == 429) && e.Code != CodeFlowLimit {
		out := *e
		out.Code, out.Message = CodeFlowLimit, "upstream throttled ("+string(e.Code)+"): "+e.Message
		return &out
	}
	return e
}

// Observer follows a batch's upstream calls, from several goroutines at
// once: Sending before each call with the indexes of the items it carries
// (an error keeps the call from being made, and its items are answered
// UpstreamUnavailable, not sent), Settled once a chunk's items have their
// final answers in out.
type Observer interface {
	Sending(items []int) error
	Settled(items []int, out []ItemResult)
}

// BatchBind binds the valid items of req in chunks and answers every item in
// input order: invalid items with their validation error, never sent.
func (s *Service) BatchBind(ctx context.Context, req BatchRequest) []ItemResult {
	return s.BatchBindObserved(ctx, req, nil)
}

// BatchBindObserved is BatchBind telling obs of each call (nil: no one).
func (s *Service) BatchBindObserved(ctx context.Context, req BatchRequest, obs Observer) []ItemResult {
	out := make([]ItemResult, len(req.Items))
	send := make([]int, 0, len(req.Items))
	for i := range req.Items {
		bi := &req.Items[i]
		out[i].PhoneNoA, out[i].GroupId = bi.PhoneNoA, bi.GroupId
		if bi.Err != nil {
			out[i].Code, out[i].Message = bi.Err.Code, bi.Err.Message
			continue
		}
		send = append(send, i)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, s.opts.Concurrency)
	for start := 0; start < len(send); {
		end, size := start, 0
		for end < len(send) && end-start < s.opts.Chunk {
			n := EncodedSize(&req.Items[send[end]].Item)
			if end > start && size+n > s.opts.MaxCallBytes {
				break
			}
			size += n
			end++
		}
		chunk := send[start:end]
		start = end
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			s.bindChunk(ctx, req.PoolKey, req.Items, chunk, out, obs)
			if obs != nil {
				obs.Settled(chunk, out)
			}
			s.recordBatch(ctx, req, chunk, out) // while other chunks are sent
		})
	}
	wg.Wait()
	return out
}

// bindChunk sends the items at idx in one call, and again for the items the
// upstream said it did not act on, writing each item's answer into out.
func (s *Service) bindChunk(ctx context.Context, pool string, items []BatchItem, idx []int, out []ItemResult, obs Observer) {
	pending := idx
	fail := func(which []int, e *Error) {
		e = finalize(e)
		for _, i := range which {
			out[i].Code, out[i].Message = e.Code, e.Message
		}
	}
	var last *Error // the chunk's last whole-call failure, if it is being resent
	for attempt := 0; ; attempt++ {
		if err := s.wait(ctx, "BindBatchAxg"); err != nil {
			switch {
			case last != nil:
				fail(pending, last)
			case attempt == 0: // never sent: known not bound
				fail(pending, err)
			} // else each item keeps the transient code it last had
			return
		}
		send := make([]*Item, len(pending))
		for k, i := range pending {
			send[k] = &items[i].Item
		}
		if obs != nil {
			if err := obs.Sending(pending); err != nil {
				fail(pending, &Error{Code: CodeUpstreamUnavailable, Outcome: NotSent, Message: "not sent: " + err.Error()})
				return
			}
		}
		cctx, span := tracing.StartCall(ctx, "BindBatchAxg", attempt+1)
		res, err := s.up.BindBatchAxg(cctx, pool, send)
		span.End()
		if err != nil {
			last = AsError(err)
			if last.Retryable() && attempt+1 < s.opts.MaxAttempts && s.backoff(ctx, attempt) {
				continue
			}
			fail(pending, last)
			return
		}
		last = nil
		var again []int
		for k, r := range Align(send, res) {
			i := pending[k]
			if r == nil {
				out[i].Code, out[i].Message = CodeUpstreamTimeout, "sent, but the upstream's answer did not include this item: the outcome is unknown"
				continue
			}
			out[i].SecretNo, out[i].SubsId, out[i].Extension = r.SecretNo, r.SubsId, r.Extension
			out[i].Code, out[i].Message = r.Code, r.Message
			if r.Code.Transient() {
				again = append(again, i)
			}
		}
		if len(again) == 0 || attempt+1 >= s.opts.MaxAttempts || !s.backoff(ctx, attempt) {
			return
		}
		pending = again
	}
}

// EncodedSize is about how many bytes an item adds to a BindBatchAxg call's
// URL: its fields as the JSON of AxgBindList, percent-encoded (a byte that
// is not a letter, digit or -_.~ takes three).
func EncodedSize(it *Item) int {
	n := 2
	for i := range itemFields {
		f := &itemFields[i]
		n += len(f.Name) + 6*3 // "name":"value", around the name and value
		for _, c := range []byte(f.Text(it)) {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
				n++
			} else {
				n += 3
			}
		}
	}
	return n
}

// Align matches the upstream's item answers to the items sent. No index is
// echoed: answers come in request order with PhoneNoA and GroupId echoed, so
// position is trusted where those agree, and the echo is matched otherwise.
// An item with no answer gets nil: it was sent and its outcome is unknown.
func Align(sent []*Item, res []ItemResult) []*ItemResult {
	out := make([]*ItemResult, len(sent))
	inOrder := len(res) == len(sent)
	for k := 0; inOrder && k < len(sent); k++ {
		inOrder = res[k].PhoneNoA == sent[k].PhoneNoA && res[k].GroupId == sent[k].GroupId
	}
	if inOrder {
		for k := range res {
			out[k] = &res[k]
		}
		return out
	}
	used := make([]bool, len(res))
	for k, it := range sent {
		for j := range res {
			if !used[j] && res[j].PhoneNoA == it.PhoneNoA && res[j].GroupId == it.GroupId {
				used[j], out[k] = true, &res[j]
				break
			}
		}
	}
	return out
}
