package otsstore_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/ledger/ledgertest"
	"github.com/axg-binder/binder/internal/store/otsstore"
	"github.com/axg-binder/binder/internal/testkit/fakeots"
)

func client(srv *fakeots.Server) *otsstore.Client {
	return &otsstore.Client{Endpoint: srv.URL, Instance: fakeots.Instance, HTTP: http.DefaultClient,
		Credentials: func(context.Context) (otsstore.Credentials, error) { return fakeots.Credentials(), nil }}
}

// TestLedgerConformance: the ledger's suite on the wire-level fake, a
// table a test.
func TestLedgerConformance(t *testing.T) {
	srv := fakeots.Start(t)
	c := client(srv)
	var n atomic.Int64
	ledgertest.RunConformanceTests(t, func(t *testing.T) ledger.Driver {
		name := fmt.Sprint("ledger", n.Add(1))
		srv.Table(name)
		return otsstore.New(c, name)
	})
}

func BenchmarkLedgerRecord(b *testing.B) {
	srv := fakeots.Start(b)
	srv.Table("bench")
	ledgertest.Bench(b, otsstore.New(client(srv), "bench"))
}
