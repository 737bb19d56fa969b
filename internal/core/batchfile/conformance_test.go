package batchfile_test

import (
	"path/filepath"
	"testing"

	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/core/batchfile/storetest"
)

func TestDirStoreConformance(t *testing.T) {
	storetest.RunConformanceTests(t, func(t *testing.T) batchfile.Store {
		return batchfile.DirStore{Base: filepath.Join(t.TempDir(), "bindings.csv")}
	})
}
