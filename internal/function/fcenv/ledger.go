package fcenv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/store/otsstore"
)

// Ledger opens AXG_LEDGER's "tablestore:INSTANCE/TABLE" (wiring.Deps.Table)
// at AXG_TABLESTORE_ENDPOINT, by default the instance's public endpoint in
// the function's region (FC_REGION), signing each call with the
// invocation's role (the credentials FromContext put on its context; a
// call without them, as a ledger write finishing in the background, with
// the last seen, else the role's variables).
func Ledger(getenv func(string) string, hc *http.Client) func(spec string) (ledger.Driver, error) {
	return func(spec string) (ledger.Driver, error) {
		inst, table, ok := strings.Cut(strings.TrimPrefix(spec, "tablestore:"), "/")
		if !ok || !strings.HasPrefix(spec, "tablestore:") {
			return nil, errors.New("this function opens tablestore:INSTANCE/TABLE only")
		}
		endpoint := getenv("AXG_TABLESTORE_ENDPOINT")
		if endpoint == "" {
			region := getenv("FC_REGION")
			if region == "" {
				return nil, errors.New("AXG_TABLESTORE_ENDPOINT: not set, and no FC_REGION to make the instance's endpoint of")
			}
			endpoint = fmt.Sprintf("https://%s.%s.ots.aliyuncs.com", inst, region)
		}
		if hc == nil {
			hc = http.DefaultClient
		}
		env := otsstore.Credentials{AccessKeyID: getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"),
			AccessKeySecret: getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), SecurityToken: getenv("ALIBABA_CLOUD_SECURITY_TOKEN")}
		return otsstore.New(&otsstore.Client{Endpoint: endpoint, Instance: inst, HTTP: hc, Credentials: roleCredentials(env)}, table), nil
	}
}

// roleCredentials are the invocation's credentials, else the last seen,
// else fallback.
func roleCredentials(fallback otsstore.Credentials) func(context.Context) (otsstore.Credentials, error) {
	var mu sync.Mutex
	last := fallback
	return func(ctx context.Context) (otsstore.Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := request.CredentialsOf(ctx); ok {
			last = c
		}
		if last.AccessKeyID == "" {
			return last, errors.New("tablestore: no credentials: the invocation brought none and ALIBABA_CLOUD_ACCESS_KEY_ID is not set")
		}
		return last, nil
	}
}
