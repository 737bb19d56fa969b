package idempotency_test

import (
	"testing"

	"github.com/axg-binder/binder/core/idempotency"
	"github.com/axg-binder/binder/core/idempotency/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.RunConformanceTests(t, func(*testing.T) idempotency.Store { return idempotency.NewMemory(nil) })
}
