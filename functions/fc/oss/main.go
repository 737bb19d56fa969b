// Command oss is the binder's file path on Function Compute 3.0's built-in Go
// runtime behind an OSS trigger: every CSV or JSON Lines object created under
// AXG_INPUT_PREFIX is bound, with results, summary and checkpoint written
// under AXG_OUTPUT_PREFIX. The invocation's role credentials sign both the
// OSS and the upstream calls.
package main

import (
	"fmt"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/function/fcoss"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func main() {
	h, env, err := setup(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fc-oss:", err)
		os.Exit(1)
	}
	fc.Start(wiring.Flushing(env, h.Invoke))
}

func setup(getenv func(string) string) (*fcoss.Handler, *wiring.Env, error) {
	env, err := wiring.Setup(getenv, os.Stderr, wiring.Files, wiring.Deps{ContextCredentials: true, Shared: redisstore.Shared, Table: fcenv.Ledger(getenv, nil)})
	if err != nil {
		return nil, nil, err
	}
	return fcoss.New(env), env, nil
}
