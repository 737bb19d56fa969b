package core

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowUpstream answers after latency, recording how long each call had left
// before its deadline when it started.
type slowUpstream struct {
	Upstream // the lifecycle calls: not used here
	latency  time.Duration
	mu       sync.Mutex
	left     []time.Duration
}

func (u *slowUpstream) BindAxg(ctx context.Context, pool string, it *Item) (Binding, error) {
	dl, _ := ctx.Deadline()
	u.mu.Lock()
	u.left = append(u.left, time.Until(dl))
	u.mu.Unlock()
	select {
	case <-time.After(u.latency):
		return Binding{SecretNo: "17100000000"}, nil
	case <-ctx.Done():
		return Binding{}, &Error{Code: CodeUpstreamTimeout, Outcome: Unknown, Origin: OriginTransport, Message: "sent, no answer"}
	}
}

func (u *slowUpstream) BindBatchAxg(ctx context.Context, pool string, items []*Item) ([]ItemResult, error) {
	panic("not used")
}

// TestCeilingWaitLeavesTheCallItsTime: requests that queue for a low ceiling
// under a short deadline are either sent with at least MinCallTime left, or
// not sent at all (isv.FLOW_LIMIT, known not bound); none is squeezed into
// the deadline's last moments and left of unknown outcome.
func TestCeilingWaitLeavesTheCallItsTime(t *testing.T) {
	up := &slowUpstream{latency: 30 * time.Millisecond}
	svc, _ := NewService(up, Options{QPS: 20, MinCallTime: 150 * time.Millisecond, CallTimeout: time.Second})
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
			defer cancel()
			_, err := svc.Bind(ctx, BindRequest{PoolKey: "FC1", Item: Item{PhoneNoA: "13800000000"}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok, limited := 0, 0
	for err := range errs {
		switch e := AsError(err); {
		case err == nil:
			ok++
		case e.Code == CodeFlowLimit && e.Outcome == NotSent:
			limited++
		default:
			t.Errorf("answered %s (outcome %v): %s", e.Code, e.Outcome, e.Message)
		}
	}
	for _, left := range up.left {
		// 150 ms less what a timer may oversleep on a loaded machine; calls
		// went out with a few milliseconds left before.
		if left < 100*time.Millisecond {
			t.Errorf("a call was sent with %v left before its deadline", left)
		}
	}
	if ok == 0 || limited == 0 {
		t.Errorf("%d bound, %d refused: want some of each from 32 requests at 20 calls/s in 600 ms", ok, limited)
	}
}

// chunkUpstream records the items of each BindBatchAxg call.
type chunkUpstream struct {
	Upstream // the lifecycle calls: not used here
	mu       sync.Mutex
	calls    [][]*Item
}

func (u *chunkUpstream) BindAxg(context.Context, string, *Item) (Binding, error) { panic("not used") }

func (u *chunkUpstream) BindBatchAxg(ctx context.Context, pool string, items []*Item) ([]ItemResult, error) {
	u.mu.Lock()
	u.calls = append(u.calls, items)
	u.mu.Unlock()
	out := make([]ItemResult, len(items))
	for i, it := range items {
		out[i] = ItemResult{PhoneNoA: it.PhoneNoA, GroupId: it.GroupId, Code: CodeOK}
	}
	return out, nil
}

// TestChunksAreBoundedInSize: a chunk is split before its encoded item list
// passes MaxCallBytes, so long fields never make a URL a gateway refuses
// (a 390 KB OutId took its chunk down with HTTP 431); every item still binds.
func TestChunksAreBoundedInSize(t *testing.T) {
	up := &chunkUpstream{}
	svc, _ := NewService(up, Options{QPS: 1e6, MaxCallBytes: 16 << 10})
	req := BatchRequest{PoolKey: "FC1"}
	for i := 0; i < 100; i++ {
		it := Item{PhoneNoA: "13800000000", GroupId: "1", Expiration: "2099-01-01 00:00:00", OutId: strings.Repeat("订", 40)}
		req.Items = append(req.Items, BatchItem{Item: it})
	}
	res := svc.BatchBind(context.Background(), req)
	for i, r := range res {
		if r.Code != CodeOK {
			t.Fatalf("item %d: %s", i, r.Code)
		}
	}
	total := 0
	for _, call := range up.calls {
		size := 0
		for _, it := range call {
			size += EncodedSize(it)
		}
		if size > 16<<10 {
			t.Errorf("a call of %d items holds %d bytes", len(call), size)
		}
		total += len(call)
	}
	if len(up.calls) < 3 || total != 100 {
		t.Fatalf("%d calls for %d items", len(up.calls), total)
	}
}
