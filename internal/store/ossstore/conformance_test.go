package ossstore_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/axg-binder/binder/internal/core/batchfile"
	filestoretest "github.com/axg-binder/binder/internal/core/batchfile/storetest"
	"github.com/axg-binder/binder/internal/store/objstore/objstoretest"
	"github.com/axg-binder/binder/internal/store/ossstore"
	"github.com/axg-binder/binder/internal/testkit/fakeoss"
)

// base is a key prefix of the test's own, so one fake serves every test.
func base(t *testing.T) string { return "t/" + strings.ReplaceAll(t.Name(), "/", "-") + "/" }

func TestConformance(t *testing.T) {
	srv := httptest.NewServer(fakeoss.New())
	defer srv.Close()
	c := client(t, srv.URL)
	t.Run("Files", func(t *testing.T) {
		filestoretest.RunConformanceTests(t, func(t *testing.T) batchfile.Store {
			return ossstore.Files(c, "axg-bucket", base(t)+"bindings.csv")
		})
	})
	t.Run("Records", func(t *testing.T) {
		objstoretest.RunRecordsTests(t, ossstore.Records(c, "axg-bucket", base(t)))
	})
}
