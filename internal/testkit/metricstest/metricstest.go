// Package metricstest is a metrics.Sink for tests: it sums what it is given
// by metric and labels.
package metricstest

import (
	"strings"
	"sync"

	"github.com/axg-binder/binder/internal/core/metrics"
)

// Sink sums counters and counts observations, by metric name and labels.
type Sink struct {
	mu sync.Mutex
	n  map[string]float64
}

var _ metrics.Sink = (*Sink)(nil)

func key(name string, labels []string) string { return name + "{" + strings.Join(labels, ",") + "}" }

func (s *Sink) Add(m *metrics.Metric, n float64, labels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[string]float64{}
	}
	s.n[key(m.Name, labels)] += n
}

func (s *Sink) Observe(m *metrics.Metric, _ float64, labels ...string) { s.Add(m, 1, labels...) }

// Get is the sum for m with labels (observations are counted).
func (s *Sink) Get(m *metrics.Metric, labels ...string) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[key(m.Name, labels)]
}
