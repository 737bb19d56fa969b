// Command http is the binder on Function Compute 3.0's built-in Go runtime
// behind an HTTP trigger. Upstream calls sign with each invocation's role
// credentials; the invocation's deadline bounds a request's retries.
package main

import (
	"fmt"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"github.com/axg-binder/binder/functions/internal/binder"
	"github.com/axg-binder/binder/functions/internal/fchttp"
	"github.com/axg-binder/binder/functions/internal/fcrole"
	"github.com/axg-binder/binder/store/redisstore"
)

func main() {
	env, err := binder.Setup(os.Getenv, os.Stderr, binder.HTTP, binder.Deps{ContextCredentials: true, Shared: redisstore.Shared, Table: fcrole.Ledger(os.Getenv, nil)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "fc-http:", err)
		os.Exit(1)
	}
	fc.Start(binder.Flushing(env, fchttp.Handler(env.HTTP(), env.Log)))
}
