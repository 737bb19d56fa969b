// Package metrics is the one set of metrics the binder keeps wherever it
// runs, and the Sink they go to: Prometheus text on the local server and
// the FC web function (internal/function/promsink), CloudWatch Embedded
// Metric Format lines on Lambda (internal/function/emf), nothing elsewhere.
package metrics

// Kind is how a metric adds up.
type Kind uint8

const (
	// Counter adds up events.
	Counter Kind = iota
	// Histogram is a distribution of durations, in seconds.
	Histogram
)

// Metric is one metric: its name (Prometheus style), what it counts, and
// the names of its labels, which every observation gives in this order.
type Metric struct {
	Name   string
	Help   string
	Kind   Kind
	Labels []string
	// EMF is its name in CloudWatch (Embedded Metric Format), with Unit.
	EMF, Unit string
}

// The binder's metrics.
var (
	Requests = Metric{Name: "axg_requests_total", Help: "HTTP API requests, by route and status.",
		Labels: []string{"route", "status"}, EMF: "Requests", Unit: "Count"}
	RequestSeconds = Metric{Name: "axg_request_duration_seconds", Help: "HTTP API request durations, by route.", Kind: Histogram,
		Labels: []string{"route"}, EMF: "RequestDuration", Unit: "Milliseconds"}
	UpstreamCalls = Metric{Name: "axg_upstream_calls_total", Help: "Upstream calls, by API and outcome: ok, business (an error answered), throttled, transient (a transient isp.* code, or no connection), unknown (sent, no usable answer).",
		Labels: []string{"api", "outcome"}, EMF: "UpstreamCalls", Unit: "Count"}
	UpstreamSeconds = Metric{Name: "axg_upstream_call_duration_seconds", Help: "Upstream call durations, by API.", Kind: Histogram,
		Labels: []string{"api"}, EMF: "UpstreamLatency", Unit: "Milliseconds"}
	Bound = Metric{Name: "axg_bound_total", Help: "Bindings made: HTTP binds and batch items, file rows, messages; by path.",
		Labels: []string{"via"}, EMF: "Bound", Unit: "Count"}
	Replays = Metric{Name: "axg_idempotent_replays_total", Help: "Requests answered from an Idempotency-Key's record, nothing sent.",
		EMF: "IdempotentReplays", Unit: "Count"}
	BudgetWaitSeconds = Metric{Name: "axg_rate_budget_wait_seconds", Help: "Time upstream calls waited for their turn under the rate ceiling, by API.", Kind: Histogram,
		Labels: []string{"api"}, EMF: "RateBudgetWait", Unit: "Milliseconds"}
	BudgetFallbacks = Metric{Name: "axg_rate_budget_fallbacks_total", Help: "Times the shared rate budget (Redis) could not be reached and this instance fell back to its share.",
		EMF: "RateBudgetFallbacks", Unit: "Count"}
	Receipts = Metric{Name: "axg_receipts_total", Help: "Call receipts taken in, by path (push, pull) and outcome: recorded, repeat (recorded before), unreadable.",
		Labels: []string{"via", "outcome"}, EMF: "Receipts", Unit: "Count"}
)

// All are the binder's metrics.
var All = []Metric{Requests, RequestSeconds, UpstreamCalls, UpstreamSeconds, Bound, Replays, BudgetWaitSeconds, BudgetFallbacks, Receipts}

// Sink takes observations: n more of a Counter, or one value (seconds) of a
// Histogram; labels are given in the metric's order. It is safe for
// concurrent use.
type Sink interface {
	Add(m *Metric, n float64, labels ...string)
	Observe(m *Metric, seconds float64, labels ...string)
}

// Discard keeps nothing.
var Discard Sink = discard{}

type discard struct{}

func (discard) Add(*Metric, float64, ...string)     {}
func (discard) Observe(*Metric, float64, ...string) {}

// Or is s, or Discard when s is nil.
func Or(s Sink) Sink {
	if s == nil {
		return Discard
	}
	return s
}
