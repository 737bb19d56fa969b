package core

import "testing"

func TestAlign(t *testing.T) {
	a := &Item{PhoneNoA: "13800000001", GroupId: "1"}
	b := &Item{PhoneNoA: "13800000002", GroupId: "1"}
	b2 := &Item{PhoneNoA: "13800000002", GroupId: "2"}
	r := func(it *Item, code Code) ItemResult {
		return ItemResult{PhoneNoA: it.PhoneNoA, GroupId: it.GroupId, Code: code}
	}
	for _, c := range []struct {
		name string
		sent []*Item
		res  []ItemResult
		want []Code // "" for no answer
	}{
		{"in order", []*Item{a, b}, []ItemResult{r(a, "OK"), r(b, "X")}, []Code{"OK", "X"}},
		{"reordered", []*Item{a, b, b2}, []ItemResult{r(b2, "3"), r(a, "1"), r(b, "2")}, []Code{"1", "2", "3"}},
		{"one missing", []*Item{a, b}, []ItemResult{r(b, "2")}, []Code{"", "2"}},
		{"the same A twice, matched in turn", []*Item{a, a}, []ItemResult{r(a, "1")}, []Code{"1", ""}},
		{"echo differs", []*Item{a}, []ItemResult{r(b, "2")}, []Code{""}},
		{"no answers", []*Item{a}, nil, []Code{""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Align(c.sent, c.res)
			for i, w := range c.want {
				if (got[i] == nil) != (w == "") || got[i] != nil && got[i].Code != w {
					t.Fatalf("item %d: got %+v, want %q", i, got[i], w)
				}
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want bool
	}{
		{Error{Code: CodeUpstreamUnavailable, Origin: OriginTransport, Outcome: NotSent}, true},
		{Error{Code: CodeFlowLimit, Origin: OriginBinder, Outcome: NotSent}, false}, // our own ceiling: waited already
		{Error{Code: CodeFlowLimit, Origin: OriginUpstream, Outcome: Answered}, true},
		{Error{Code: "Throttling.User", Origin: OriginUpstream, Outcome: Answered, HTTPStatus: 400}, true},
		{Error{Code: "Unknown", Origin: OriginUpstream, Outcome: Answered, HTTPStatus: 429}, true},
		{Error{Code: CodeSystemError, Origin: OriginUpstream, Outcome: Answered}, true},
		{Error{Code: CodeGatewayError, Origin: OriginUpstream, Outcome: Answered}, true},
		{Error{Code: CodeUnknownErrCode, Origin: OriginUpstream, Outcome: Answered}, false},
		{Error{Code: CodeBindConflict, Origin: OriginUpstream, Outcome: Answered}, false},
		{Error{Code: CodeSignatureMismatch, Origin: OriginUpstream, Outcome: Answered, HTTPStatus: 400}, false},
		{Error{Code: CodeUpstreamTimeout, Origin: OriginTransport, Outcome: Unknown}, false},
	} {
		if got := c.e.Retryable(); got != c.want {
			t.Errorf("%+v: Retryable() = %v, want %v", c.e, got, c.want)
		}
	}
}
