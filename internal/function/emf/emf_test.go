package emf_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/function/emf"
)

// specification compiles testdata/emf-schema.json, the format's rules.
func specification(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/emf-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("emf.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("emf.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Check holds one line to the specification: the schema, then what a schema
// cannot say: each dimension a directive names is a root member holding a
// string of 1 to 1,024 characters, each metric a root member holding a
// number or an array of at most 100 numbers.
func check(t *testing.T, spec *jsonschema.Schema, line []byte) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
	if err != nil {
		t.Fatalf("not JSON: %s", line)
	}
	if err := spec.Validate(inst); err != nil {
		t.Fatalf("%s\nbreaks the format: %v", line, err)
	}
	var doc map[string]any
	_ = json.Unmarshal(line, &doc)
	for _, d := range doc["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
		dir := d.(map[string]any)
		for _, set := range dir["Dimensions"].([]any) {
			for _, name := range set.([]any) {
				v, ok := doc[name.(string)].(string)
				if !ok || v == "" || len(v) > 1024 {
					t.Errorf("%s\ndimension %s is not a root string of 1 to 1,024 characters", line, name)
				}
			}
		}
		for _, m := range dir["Metrics"].([]any) {
			name := m.(map[string]any)["Name"].(string)
			switch v := doc[name].(type) {
			case float64:
			case []any:
				if len(v) == 0 || len(v) > 100 {
					t.Errorf("%s\nmetric %s lists %d values", line, name, len(v))
				}
				for _, x := range v {
					if _, ok := x.(float64); !ok {
						t.Errorf("%s\nmetric %s lists a non-number", line, name)
					}
				}
			default:
				t.Errorf("%s\nmetric %s is not a root number or array of numbers", line, name)
			}
		}
	}
	return doc
}

func TestLinesFollowTheSpecification(t *testing.T) {
	spec := specification(t)
	var out bytes.Buffer
	s := emf.New(&out, "axg-http")
	s.Add(&metrics.Requests, 1, "/v1/axg/bind", "200")
	s.Add(&metrics.Requests, 1, "/v1/axg/bind", "200")
	s.Add(&metrics.Requests, 1, "/v1/axg/bind", "429")
	s.Observe(&metrics.RequestSeconds, 0.012, "/v1/axg/bind")
	s.Add(&metrics.Replays, 1)
	for i := 0; i < 250; i++ {
		s.Observe(&metrics.UpstreamSeconds, 0.001*float64(i), "BindAxg")
	}
	s.Add(&metrics.UpstreamCalls, 1, "BindAxg", "")
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	sums := map[string]float64{}
	lists := map[string]int{}
	sc := bufio.NewScanner(&out)
	n := 0
	for sc.Scan() {
		n++
		doc := check(t, spec, sc.Bytes())
		if doc["FunctionName"] != "axg-http" {
			t.Errorf("no FunctionName: %s", sc.Bytes())
		}
		for k, v := range doc {
			switch v := v.(type) {
			case float64:
				sums[k+"|"+str(doc["route"])+"|"+str(doc["status"])] += v
			case []any:
				lists[k] += len(v)
			}
		}
	}
	if sums["Requests|/v1/axg/bind|200"] != 2 || sums["Requests|/v1/axg/bind|429"] != 1 || sums["IdempotentReplays||"] != 1 || sums["UpstreamCalls||"] != 1 {
		t.Errorf("counts %v", sums)
	}
	if lists["UpstreamLatency"] != 250 || lists["RequestDuration"] != 1 {
		t.Errorf("lists %v", lists)
	}
	if n != 8 { // Requests 200 and 429, the duration, the replay, the call, and 250 latencies on 3 lines
		t.Errorf("%d lines, want 8", n)
	}
	out.Reset()
	if err := s.Flush(); err != nil || out.Len() != 0 {
		t.Errorf("a second Flush wrote %q", out.String())
	}
}

func str(v any) string { s, _ := v.(string); return s }

// TestEveryMetricFollowsTheSpecification: each metric of internal/core/metrics, as
// its line, with no function name (an empty dimension set).
func TestEveryMetricFollowsTheSpecification(t *testing.T) {
	spec := specification(t)
	for _, m := range metrics.All {
		var out bytes.Buffer
		s := emf.New(&out, "")
		labels := make([]string, len(m.Labels))
		for i := range labels {
			labels[i] = "v" + strings.Repeat("x", i)
		}
		if m.Kind == metrics.Counter {
			s.Add(&m, 2, labels...)
		} else {
			s.Observe(&m, 0.5, labels...)
		}
		_ = s.Flush()
		doc := check(t, spec, bytes.TrimSpace(out.Bytes()))
		if doc[m.EMF] == nil {
			t.Errorf("%s: no %s member: %s", m.Name, m.EMF, out.String())
		}
	}
}
