// Command http is the binder on Function Compute 3.0's built-in Go runtime
// behind an HTTP trigger. Upstream calls sign with each invocation's role
// credentials; the invocation's deadline bounds a request's retries.
package main

import (
	"fmt"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"github.com/axg-binder/binder/internal/function/fcenv"
	"github.com/axg-binder/binder/internal/function/fchttp"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/store/redisstore"
)

func main() {
	env, err := wiring.Setup(os.Getenv, os.Stderr, wiring.HTTP, wiring.Deps{ContextCredentials: true, Shared: redisstore.Shared, Table: fcenv.Ledger(os.Getenv, nil)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "fc-http:", err)
		os.Exit(1)
	}
	fc.Start(wiring.Flushing(env, fchttp.Handler(env.HTTP(), env.Log)))
}
