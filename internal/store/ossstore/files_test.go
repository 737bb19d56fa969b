package ossstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/validate"
	"github.com/axg-binder/binder/internal/store/ossstore"
	"github.com/axg-binder/binder/internal/testkit/fakeoss"
)

func client(t *testing.T, url string) *oss.Client {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider("id", "secret", "token")).
		WithRegion("cn-hangzhou").WithEndpoint(url).WithUsePathStyle(true)
	return oss.NewClient(cfg)
}

func service(t *testing.T) (*core.Service, *emulator.Emulator) {
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	c, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: emulator.DemoAccessKeySecret, Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := core.NewService(c, core.Options{QPS: 1e6})
	return svc, emu
}

// steps holds the runs' steps, as the function's ledger would.
var steps = ledger.New(ledger.NewMemory(0))

// run reads the input object through the SDK and binds it into the store.
func run(ctx context.Context, t *testing.T, c *oss.Client, st batchfile.Store, svc *core.Service, etag string, o batchfile.Options) (batchfile.Summary, error) {
	res, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("axg-bucket"), Key: oss.Ptr("axg/incoming/b.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	o.PoolKey, o.Ledger = emulator.DemoPoolKey, steps
	f := batchfile.File{Name: "axg/incoming/b.jsonl", ETag: etag, Body: res.Body}
	return batchfile.Bind(ctx, svc, validate.New(nil, 1000), f, st, o)
}

func TestRunOnOSS(t *testing.T) {
	fake := fakeoss.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	exp := time.Now().Add(24 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)
	var b strings.Builder
	const n = 10000 // a 10,000-line JSON Lines file with a bad line
	for i := 1; i <= n; i++ {
		if i == 1234 {
			b.WriteString(`{"PhoneNoA":"1","GroupId":1234,"Expiration":"` + exp + `"}` + "\n")
			continue
		}
		fmt.Fprintf(&b, `{"PhoneNoA":"139%08d","GroupId":1234,"Expiration":"%s"}`+"\n", i, exp)
	}
	etag := fake.Put("axg-bucket", "axg/incoming/b.jsonl", []byte(b.String()))
	c := client(t, srv.URL)
	st := ossstore.Files(c, "axg-bucket", "axg/results/b.jsonl")
	svc, emu := service(t)

	// Interrupted after the first step, then resumed.
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := run(ctx, t, c, st, svc, etag, batchfile.Options{Chunk: 1000, Progress: func(int) { cancel() }}); !errors.Is(err, batchfile.ErrIncomplete) {
		t.Fatalf("interrupted: %v", err)
	}
	s, err := run(context.Background(), t, c, st, svc, etag, batchfile.Options{Chunk: 1000})
	if err != nil || s.Rows != n || s.Counts[core.CodeOK] != n-1 || s.Counts[core.CodeMobileIllegal] != 1 {
		t.Fatalf("summary %+v %v", s, err)
	}
	results := string(fake.Get("axg-bucket", st.ResultsKey()))
	if strings.Count(results, "\n") != n || !strings.HasPrefix(results, `{"Row":1,`) || !strings.Contains(results, `{"Row":1234,"Line":1234,"PhoneNoA":"1"`) {
		t.Fatalf("results: %d lines", strings.Count(results, "\n"))
	}
	if emu.Stats().Bindings != n-1 {
		t.Fatalf("%d bindings", emu.Stats().Bindings)
	}
	// Delivered again: nothing new.
	calls := emu.Stats().Calls["BindBatchAxg"]
	if again, err := run(context.Background(), t, c, st, svc, etag, batchfile.Options{Chunk: 1000}); err != nil || again.Rows != n || emu.Stats().Calls["BindBatchAxg"] != calls {
		t.Fatalf("redelivery: %+v %v", again, err)
	}
}
