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

	"github.com/axg-binder/binder/functions/internal/binder"
	"github.com/axg-binder/binder/functions/internal/fcoss"
	"github.com/axg-binder/binder/functions/internal/fcrole"
	"github.com/axg-binder/binder/store/redisstore"
)

func main() {
	h, env, err := setup(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fc-oss:", err)
		os.Exit(1)
	}
	fc.Start(binder.Flushing(env, h.Invoke))
}

func setup(getenv func(string) string) (*fcoss.Handler, *binder.Env, error) {
	env, err := binder.Setup(getenv, os.Stderr, binder.Files, binder.Deps{ContextCredentials: true, Shared: redisstore.Shared, Table: fcrole.Ledger(getenv, nil)})
	if err != nil {
		return nil, nil, err
	}
	return fcoss.New(env), env, nil
}
