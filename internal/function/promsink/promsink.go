// Package promsink keeps the binder's metrics (internal/core/metrics) as Prometheus
// series and serves them as Prometheus text, for GET /metrics on the local
// server and the FC web function: Alibaba's ARMS and any Prometheus scrape
// them.
package promsink

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/axg-binder/binder/internal/core/metrics"
)

// Sink is a metrics.Sink over a registry of its own.
type Sink struct {
	reg        *prometheus.Registry
	counters   map[string]*prometheus.CounterVec
	histograms map[string]*prometheus.HistogramVec
}

var _ metrics.Sink = (*Sink)(nil)

// buckets for durations in seconds: 1 ms to 30 s.
var buckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// New registers every metric of internal/core/metrics, with the Go runtime's and the
// process's own.
func New() *Sink {
	s := &Sink{reg: prometheus.NewRegistry(), counters: map[string]*prometheus.CounterVec{}, histograms: map[string]*prometheus.HistogramVec{}}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, m := range metrics.All {
		switch m.Kind {
		case metrics.Counter:
			v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: m.Name, Help: m.Help}, m.Labels)
			s.reg.MustRegister(v)
			s.counters[m.Name] = v
			if len(m.Labels) == 0 {
				v.WithLabelValues() // a counter of no labels reads 0 before its first event
			}
		case metrics.Histogram:
			v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: m.Name, Help: m.Help, Buckets: buckets}, m.Labels)
			s.reg.MustRegister(v)
			s.histograms[m.Name] = v
		}
	}
	return s
}

func (s *Sink) Add(m *metrics.Metric, n float64, labels ...string) {
	if c := s.counters[m.Name]; c != nil {
		c.WithLabelValues(labels...).Add(n)
	}
}

func (s *Sink) Observe(m *metrics.Metric, seconds float64, labels ...string) {
	if h := s.histograms[m.Name]; h != nil {
		h.WithLabelValues(labels...).Observe(seconds)
	}
}

// Handler serves the registry as Prometheus text.
func (s *Sink) Handler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})
}
