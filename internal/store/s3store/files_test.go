package s3store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/store/s3store"
)

// TestResultsAssembledAcrossParts: steps appended as parts come out as one
// results object, in order, through a multipart upload of several parts;
// a stale append is refused and the parts are gone afterwards.
func TestResultsAssembledAcrossParts(t *testing.T) {
	client := fake(t, "axg-files")
	st := s3store.Files(client, "axg-files", "axg/results/f.csv")
	ctx := context.Background()

	var want bytes.Buffer
	for step := 0; step < 12; step++ { // 12 steps of ~1 MB: three 5 MiB parts
		b := bytes.Repeat([]byte(fmt.Sprintf(`{"Row":%d}`+"\n", step)), 100000)
		if err := st.AppendResults(ctx, int64(want.Len()), b); err != nil {
			t.Fatal(err)
		}
		want.Write(b)
	}
	if err := st.AppendResults(ctx, 0, []byte("again\n")); !errors.Is(err, batchfile.ErrAhead) {
		t.Fatalf("stale append: %v", err)
	}
	if err := st.WriteSummary(ctx, batchfile.Summary{ETag: "e", Rows: 12}); err != nil {
		t.Fatal(err)
	}
	res, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("axg-files"), Key: aws.String(st.ResultsKey())})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("results: %d bytes, want %d", len(got), want.Len())
	}
	if s, err := st.ReadSummary(ctx); err != nil || s.Rows != 12 {
		t.Fatalf("summary %+v %v", s, err)
	}
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("axg-files"), Prefix: aws.String("axg/results/f.csv.results.parts/")})
	if err != nil || len(list.Contents) != 0 {
		t.Fatalf("%d parts left: %v", len(list.Contents), err)
	}
}

// TestReadResultsFailure: a failed read of the finished results is an
// error, not an empty read, which recovery would take for "no step was
// recorded" and send the step's rows again.
func TestReadResultsFailure(t *testing.T) {
	var failRanges atomic.Bool
	client := fakeBehind(t, "axg-files", func(w http.ResponseWriter, r *http.Request) bool {
		if failRanges.Load() && r.Header.Get("Range") != "" {
			http.Error(w, "", http.StatusInternalServerError)
			return true
		}
		return false
	})
	st := s3store.Files(client, "axg-files", "axg/results/f.csv")
	ctx := context.Background()
	if err := st.AppendResults(ctx, 0, []byte("a\n")); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteSummary(ctx, batchfile.Summary{ETag: "e", Rows: 1}); err != nil {
		t.Fatal(err)
	}
	failRanges.Store(true)
	rc, err := st.ReadResults(ctx, 0)
	if err == nil {
		b, _ := io.ReadAll(rc)
		rc.Close()
		t.Fatalf("read %q and no error", b)
	}
}
