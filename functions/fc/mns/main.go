// Command mns is the binder's message path on Function Compute 3.0's built-in
// Go runtime behind an MNS queue trigger (EventBridge): each message is a
// BindAxg or BindBatchAxg body, bound once per message ID, its result written
// to oss://$AXG_RESULT_BUCKET/$AXG_MESSAGE_PREFIX<MessageId>.json.
package main

import (
	"fmt"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/function/fcmns"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func main() {
	h, env, err := setup(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fc-mns:", err)
		os.Exit(1)
	}
	fc.Start(wiring.Flushing(env, h.Invoke))
}

func setup(getenv func(string) string) (*fcmns.Handler, *wiring.Env, error) {
	env, err := wiring.Setup(getenv, os.Stderr, wiring.Messages, wiring.Deps{ContextCredentials: true, Shared: redisstore.Shared, Table: fcenv.Ledger(getenv, nil)})
	if err != nil {
		return nil, nil, err
	}
	return fcmns.New(env), env, nil
}
