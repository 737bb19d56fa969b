package s3store_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/axg-binder/binder/internal/core/batchfile"
	filestoretest "github.com/axg-binder/binder/internal/core/batchfile/storetest"
	"github.com/axg-binder/binder/internal/store/objstore/objstoretest"
	"github.com/axg-binder/binder/internal/store/s3store"
)

// fake is gofakes3 with one bucket, and an S3 client for it.
func fake(t *testing.T, bucket string) *s3.Client { return fakeBehind(t, bucket, nil) }

// fakeBehind is fake with every request passing through in first (nil: none),
// which may answer it instead; the client does not retry what in fails.
func fakeBehind(t *testing.T, bucket string, in func(w http.ResponseWriter, r *http.Request) bool) *s3.Client {
	backend := s3mem.New()
	fake := gofakes3.New(backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in == nil || !in(w, r) {
			fake.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
}

// base is a key prefix of the test's own, so one fake serves every test.
func base(t *testing.T) string { return "t/" + strings.ReplaceAll(t.Name(), "/", "-") + "/" }

func TestConformance(t *testing.T) {
	c := fake(t, "axg-bucket")
	t.Run("Files", func(t *testing.T) {
		filestoretest.RunConformanceTests(t, func(t *testing.T) batchfile.Store {
			return s3store.Files(c, "axg-bucket", base(t)+"bindings.csv")
		})
	})
	t.Run("Records", func(t *testing.T) {
		objstoretest.RunRecordsTests(t, s3store.Records(c, "axg-bucket", base(t)))
	})
}
