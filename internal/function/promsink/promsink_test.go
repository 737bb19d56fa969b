package promsink_test

import (
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/function/promsink"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
)

var cst = time.FixedZone("CST", 8*3600)

// TestMetricsAfterAKnownSequence: after a known sequence of requests, GET
// /metrics (behind the token) parses with Prometheus's own text parser and
// every counter holds what the sequence made.
func TestMetricsAfterAKnownSequence(t *testing.T) {
	prom := promsink.New()
	env, emu := wiringtest.Env(t, wiring.Deps{Metrics: prom, MetricsHandler: prom.Handler()}, map[string]string{"AXG_UPSTREAM_TIMEOUT": "300ms"})
	h := env.HTTP()
	exp := time.Now().Add(time.Hour).In(cst).Format("2006-01-02 15:04:05")
	do := func(method, path, body string, hdr ...string) int {
		return wiringtest.Do(h, method, path, body, hdr...)
	}
	bind := wiringtest.BindBody
	steps := []struct {
		method, path, body string
		hdr                []string
		fault              *emulator.Fault
		status             int
	}{
		{"POST", "/v1/axg/bind", bind("13800000001"), nil, nil, 200},
		{"POST", "/v1/axg/bind", bind("138"), nil, nil, 400},
		{"POST", "/v1/axg/bind", bind("13800000002"), nil, &emulator.Fault{Action: "BindAxg", Code: "isv.FLOW_LIMIT"}, 200},
		{"POST", "/v1/axg/batch-bind", `{"PoolKey":"FC123456","AxgBindList":[{"PhoneNoA":"13800000003","GroupId":1234,"Expiration":"` + exp + `"},` +
			`{"PhoneNoA":"13800000004","GroupId":1235,"Expiration":"` + exp + `"}]}`, nil, nil, 200},
		{"POST", "/v1/axg/bind", bind("13800000005"), []string{"Idempotency-Key", "k1"}, nil, 200},
		{"POST", "/v1/axg/bind", bind("13800000005"), []string{"Idempotency-Key", "k1"}, nil, 200},
		{"POST", "/v1/axg/group/create", `{"PoolKey":"FC123456","Name":"g"}`, nil, &emulator.Fault{Action: "CreateAxgGroup", Delay: 2 * time.Second}, 504},
		{"POST", "/v1/axg/group/delete", `{"PoolKey":"FC123456","GroupId":1234}`, nil, nil, 422},
		{"POST", "/v1/axg/query", `{"PoolKey":"FC123456","SubsId":"1","PhoneNoX":"17100000000"}`, nil, &emulator.Fault{Action: "QuerySubscriptionDetail", Code: "isp.SYSTEM_ERROR"}, 422},
	}
	for i, s := range steps {
		if s.fault != nil {
			emu.Inject(*s.fault)
		}
		if got := do(s.method, s.path, s.body, s.hdr...); got != s.status {
			t.Fatalf("step %d %s: %d, want %d", i, s.path, got, s.status)
		}
	}
	r := httptest.NewRequest("GET", "/metrics", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 401 {
		t.Errorf("/metrics without the token: %d, want 401", w.Code)
	}
	r.Header.Set("Authorization", "Bearer "+wiringtest.Token)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("/metrics: %d %s", w.Code, w.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatalf("not Prometheus text: %v\n%s", err, w.Body)
	}
	want := map[string]float64{
		`axg_requests_total{route="/v1/axg/bind",status="200"}`:                       4,
		`axg_requests_total{route="/v1/axg/bind",status="400"}`:                       1,
		`axg_requests_total{route="/v1/axg/batch-bind",status="200"}`:                 1,
		`axg_requests_total{route="/v1/axg/group/create",status="504"}`:               1,
		`axg_requests_total{route="/v1/axg/group/delete",status="422"}`:               1,
		`axg_requests_total{route="/v1/axg/query",status="422"}`:                      1,
		`axg_requests_total{route="/metrics",status="401"}`:                           1,
		`axg_upstream_calls_total{api="BindAxg",outcome="ok"}`:                        3,
		`axg_upstream_calls_total{api="BindAxg",outcome="throttled"}`:                 1,
		`axg_upstream_calls_total{api="BindBatchAxg",outcome="ok"}`:                   1,
		`axg_upstream_calls_total{api="CreateAxgGroup",outcome="unknown"}`:            1,
		`axg_upstream_calls_total{api="DeleteAxgGroup",outcome="business"}`:           1,
		`axg_upstream_calls_total{api="QuerySubscriptionDetail",outcome="transient"}`: 1,
		`axg_upstream_calls_total{api="QuerySubscriptionDetail",outcome="business"}`:  1,
		`axg_bound_total{via="http"}`:                                                 4,
		`axg_idempotent_replays_total`:                                                1,
		`axg_rate_budget_fallbacks_total`:                                             0,
		`axg_upstream_call_duration_seconds_count{api="BindAxg"}`:                     4,
		`axg_rate_budget_wait_seconds_count{api="BindAxg"}`:                           4,
		`axg_request_duration_seconds_count{route="/v1/axg/bind"}`:                    5,
	}
	got := series(fams)
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	// Every axg_ counter series is one the sequence accounts for.
	for k := range got {
		if strings.HasPrefix(k, "axg_") && strings.Contains(k, "_total") {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected series %s = %v", k, got[k])
			}
		}
	}
}

// series flattens the families into "name{labels}" → value (counters, and
// histograms' _count).
func series(fams map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+`="`+l.GetValue()+`"`)
			}
			sort.Strings(ls)
			key := name
			if len(ls) > 0 {
				key += "{" + strings.Join(ls, ",") + "}"
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = m.GetCounter().GetValue()
			case dto.MetricType_HISTOGRAM:
				k := name + "_count"
				if len(ls) > 0 {
					k += "{" + strings.Join(ls, ",") + "}"
				}
				out[k] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}
