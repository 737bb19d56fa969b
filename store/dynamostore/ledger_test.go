package dynamostore_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/axg-binder/binder/core/ledger"
	"github.com/axg-binder/binder/core/ledger/ledgertest"
	"github.com/axg-binder/binder/internal/dynalitetest"
	"github.com/axg-binder/binder/store/dynamostore"
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
