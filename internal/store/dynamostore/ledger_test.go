package dynamostore_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/ledger/ledgertest"
	"github.com/axg-binder/binder/internal/store/dynamostore"
	"github.com/axg-binder/binder/internal/testkit/dynalitetest"
)

// TestLedgerConformance: the ledger's suite on dynalite, a table a test.
func TestLedgerConformance(t *testing.T) {
	srv := dynalitetest.Start(t)
	c := srv.Client()
	var n atomic.Int64
	ledgertest.RunConformanceTests(t, func(t *testing.T) ledger.Driver {
		return dynamostore.New(c, srv.Table(t, fmt.Sprint("ledger-", n.Add(1))))
	})
}

func BenchmarkLedgerRecord(b *testing.B) {
	srv := dynalitetest.Start(b)
	ledgertest.Bench(b, dynamostore.New(srv.Client(), srv.Table(b, "bench")))
}
