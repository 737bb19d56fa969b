// Package emf writes the binder's metrics (internal/core/metrics) as CloudWatch
// Embedded Metric Format lines: on Lambda a JSON line on stdout is a
// metric, with no agent and no API call. Observations are kept through an
// invocation and written at its end (Flush), one line per set of dimension
// values, counters summed, durations listed (in milliseconds, at most 100 a
// line, as the format allows).
package emf

import (
	"encoding/json"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/axg-binder/binder/internal/core/metrics"
)

// Namespace is the CloudWatch namespace the metrics go to.
const Namespace = "AxgBinder"

// maxValues is how many values one metric may list on one line.
const maxValues = 100

// Sink keeps one invocation's observations until Flush. An invocation
// makes a handful of groups of one or two metrics each: slices, searched
// in order, cost less than maps here (Flush runs once per request on
// Lambda; BenchmarkObservability).
type Sink struct {
	w        io.Writer
	function string
	now      func() time.Time

	mu     sync.Mutex
	groups []*group
	buf    []byte
}

var _ metrics.Sink = (*Sink)(nil)

// group is the observations sharing one set of dimension values.
type group struct {
	labels  []string // the metric's label names (FunctionName added on output)
	values  [2]string
	n       int // values used
	entries []entry
}

// entry is one metric's observations in a group.
type entry struct {
	m      *metrics.Metric
	count  float64
	list   []float64 // milliseconds, for a histogram
	listed int       // how many of list were written
}

// New writes to w (stdout on Lambda); function, where given, is every
// line's FunctionName dimension.
func New(w io.Writer, function string) *Sink {
	return &Sink{w: w, function: function, now: time.Now}
}

func (s *Sink) entry(m *metrics.Metric, labels []string) *entry {
	var g *group
	for _, c := range s.groups {
		if slices.Equal(c.labels, m.Labels) && c.n == len(labels) && (c.n < 1 || c.values[0] == labels[0]) && (c.n < 2 || c.values[1] == labels[1]) {
			g = c
			break
		}
	}
	if g == nil {
		g = &group{labels: m.Labels, n: min(len(labels), len(m.Labels), 2)}
		copy(g.values[:], labels)
		s.groups = append(s.groups, g)
	}
	for i := range g.entries {
		if g.entries[i].m == m {
			return &g.entries[i]
		}
	}
	g.entries = append(g.entries, entry{m: m})
	return &g.entries[len(g.entries)-1]
}

func (s *Sink) Add(m *metrics.Metric, n float64, labels ...string) {
	s.mu.Lock()
	s.entry(m, labels).count += n
	s.mu.Unlock()
}

func (s *Sink) Observe(m *metrics.Metric, seconds float64, labels ...string) {
	s.mu.Lock()
	e := s.entry(m, labels)
	e.list = append(e.list, seconds*1000)
	s.mu.Unlock()
}

// Flush writes what was observed since the last Flush and forgets it.
func (s *Sink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.groups) == 0 {
		return nil
	}
	sort.Slice(s.groups, func(i, j int) bool { return s.groups[i].key() < s.groups[j].key() })
	ts := s.now().UnixMilli()
	b := s.buf[:0]
	for _, g := range s.groups {
		for first := true; first || g.pending(); first = false {
			b = s.line(b, g, ts, first)
		}
	}
	s.groups, s.buf = s.groups[:0], b
	_, err := s.w.Write(b)
	return err
}

func (g *group) key() string {
	return strings.Join(g.labels, ",") + "=" + g.values[0] + "," + g.values[1]
}

// pending reports whether listed values are left over a line's limit.
func (g *group) pending() bool {
	for i := range g.entries {
		if g.entries[i].listed < len(g.entries[i].list) {
			return true
		}
	}
	return false
}

// line appends one line: the counts (on the first) and up to maxValues of
// each list.
func (s *Sink) line(b []byte, g *group, ts int64, first bool) []byte {
	type out struct {
		e    *entry
		list []float64
	}
	var outs [8]out
	o := outs[:0]
	for i := range g.entries {
		e := &g.entries[i]
		switch {
		case e.m.Kind == metrics.Counter && first:
			o = append(o, out{e: e})
		case e.m.Kind == metrics.Histogram && e.listed < len(e.list):
			k := min(len(e.list)-e.listed, maxValues)
			o = append(o, out{e: e, list: e.list[e.listed : e.listed+k]})
			e.listed += k
		}
	}
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":"`+Namespace+`","Dimensions":[[`...)
	sep := ""
	if s.function != "" {
		b, sep = append(b, `"FunctionName"`...), ","
	}
	for _, l := range g.labels {
		b = appendString(append(b, sep...), l)
		sep = ","
	}
	b = append(b, `]],"Metrics":[`...)
	for i, x := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(append(b, `{"Name":`...), x.e.m.EMF)
		b = appendString(append(b, `,"Unit":`...), x.e.m.Unit)
		b = append(b, '}')
	}
	b = append(b, `]}]}`...)
	if s.function != "" {
		b = appendString(append(b, `,"FunctionName":`...), s.function)
	}
	for i, l := range g.labels {
		v := "none" // a dimension's value must not be empty
		if i < g.n && g.values[i] != "" {
			v = g.values[i]
		}
		b = appendString(append(appendString(append(b, ','), l), ':'), v)
	}
	for _, x := range o {
		b = append(appendString(append(b, ','), x.e.m.EMF), ':')
		if x.list == nil {
			b = strconv.AppendFloat(b, x.e.count, 'f', -1, 64)
			continue
		}
		b = append(b, '[')
		for k, v := range x.list {
			if k > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, v, 'f', 3, 64)
		}
		b = append(b, ']')
	}
	return append(b, '}', '\n')
}

// appendString appends s as a JSON string: as it is when it needs no
// escaping (route, API and outcome names), else by encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}
