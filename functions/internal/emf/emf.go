// Package emf writes the binder's metrics (core/metrics) as CloudWatch
// Embedded Metric Format lines: on Lambda a JSON line on stdout is a
// metric, with no agent and no API call. Observations are kept through an
// invocation and written at its end (Flush), one line per set of dimension
// values, counters summed, durations listed (in milliseconds, at most 100 a
// line, as the format allows).
package emf

import (
	"encoding/json"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/axg-binder/binder/core/metrics"
)

// Namespace is the CloudWatch namespace the metrics go to.
const Namespace = "AxgBinder"

// maxValues is how many values one metric may list on one line.
const maxValues = 100

// Sink keeps one invocation's observations until Flush.
type Sink struct {
	w        io.Writer
	function string
	now      func() time.Time

	mu     sync.Mutex
	groups map[string]*group // by dimension names and values
}

var _ metrics.Sink = (*Sink)(nil)

// group is the observations sharing one set of dimension values.
type group struct {
	dims   []string // names, FunctionName first
	values []string
	counts map[string]float64   // metric → sum
	lists  map[string][]float64 // metric → milliseconds
	units  map[string]string
}

// New writes to w (stdout on Lambda); function, where given, is every
// line's FunctionName dimension.
func New(w io.Writer, function string) *Sink {
	return &Sink{w: w, function: function, now: time.Now, groups: map[string]*group{}}
}

func (s *Sink) group(m *metrics.Metric, labels []string) *group {
	dims, values := []string{}, []string{} // never null: [[]] is metrics without dimensions
	if s.function != "" {
		dims, values = append(dims, "FunctionName"), append(values, s.function)
	}
	for i, l := range m.Labels {
		v := "none" // a dimension's value must not be empty
		if i < len(labels) && labels[i] != "" {
			v = labels[i]
		}
		dims, values = append(dims, l), append(values, v)
	}
	key := strings.Join(dims, "\x00") + "\x01" + strings.Join(values, "\x00")
	g := s.groups[key]
	if g == nil {
		g = &group{dims: dims, values: values, counts: map[string]float64{}, lists: map[string][]float64{}, units: map[string]string{}}
		s.groups[key] = g
	}
	g.units[m.EMF] = m.Unit
	return g
}

func (s *Sink) Add(m *metrics.Metric, n float64, labels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.group(m, labels).counts[m.EMF] += n
}

func (s *Sink) Observe(m *metrics.Metric, seconds float64, labels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(m, labels)
	g.lists[m.EMF] = append(g.lists[m.EMF], seconds*1000)
}

// Flush writes what was observed since the last Flush and forgets it.
func (s *Sink) Flush() error {
	s.mu.Lock()
	groups := s.groups
	s.groups = map[string]*group{}
	s.mu.Unlock()
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ts := s.now().UnixMilli()
	var out []byte
	for _, k := range keys {
		g := groups[k]
		for first := true; first || g.pending(); first = false {
			line, err := json.Marshal(g.take(ts))
			if err != nil {
				return err
			}
			out = append(append(out, line...), '\n')
		}
	}
	if len(out) == 0 {
		return nil
	}
	_, err := s.w.Write(out)
	return err
}

// pending reports whether values are left over a line's limit.
func (g *group) pending() bool {
	for _, l := range g.lists {
		if len(l) > 0 {
			return true
		}
	}
	return false
}

// take is one line's document: the counts (once) and up to maxValues of
// each list.
func (g *group) take(ts int64) map[string]any {
	doc := map[string]any{}
	var defs []map[string]string
	names := make([]string, 0, len(g.units))
	for n := range g.units {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if c, ok := g.counts[n]; ok {
			doc[n] = c
			delete(g.counts, n)
		} else if l := g.lists[n]; len(l) > 0 {
			k := min(len(l), maxValues)
			doc[n], g.lists[n] = l[:k], l[k:]
		} else {
			continue
		}
		defs = append(defs, map[string]string{"Name": n, "Unit": g.units[n]})
	}
	for i, d := range g.dims {
		doc[d] = g.values[i]
	}
	doc["_aws"] = map[string]any{
		"Timestamp": ts,
		"CloudWatchMetrics": []map[string]any{{
			"Namespace":  Namespace,
			"Dimensions": [][]string{g.dims},
			"Metrics":    defs,
		}},
	}
	return doc
}
