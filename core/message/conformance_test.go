package message_test

import (
	"testing"

	"github.com/axg-binder/binder/core/message"
	"github.com/axg-binder/binder/core/message/storetest"
)

func TestDirStoreConformance(t *testing.T) {
	storetest.RunConformanceTests(t, func(t *testing.T) message.Store { return message.DirStore{Dir: t.TempDir()} })
}
