// Command receipts is the binder's call-receipts job on Function Compute
// 3.0's built-in Go runtime, run every minute by a timer trigger: the
// vendor's receipt queues read into the ledger (AXG_RECEIPTS_QUEUES), then
// the forwarding outbox swept (AXG_RECEIPTS_TO), with the function role's
// credentials.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"github.com/axg-binder/binder/internal/core/dypls/mnsqueue"
	"github.com/axg-binder/binder/internal/core/pull"
	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func main() {
	env, err := wiring.Setup(os.Getenv, os.Stderr, wiring.Receipts, wiring.Deps{ReceiptQueue: receiptQueue, ContextCredentials: true, Shared: redisstore.Shared, Table: fcenv.Ledger(os.Getenv, nil)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "fc-receipts:", err)
		os.Exit(1)
	}
	fc.Start(wiring.Flushing(env, func(ctx context.Context, _ json.RawMessage) (wiring.Tick, error) {
		inv := fcenv.FromContext(ctx, env.Config.Core.Credentials()) // the role's credentials, for the tokens
		return env.ReceiptsTick(request.With(ctx, inv.Info))
	}))
}

// receiptQueue opens a receipt queue with the vendor's MNS client.
func receiptQueue(q wiring.QueueSpec) pull.Queue {
	return mnsqueue.New(q.Tokens, q.Name, q.Type, q.Endpoint, q.Timeout)
}
