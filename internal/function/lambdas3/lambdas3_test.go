package lambdas3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/core/validate"
	"github.com/axg-binder/binder/internal/function/lambdas3"
	"github.com/axg-binder/binder/internal/function/platform"
	"github.com/axg-binder/binder/internal/function/platform/platformtest"
	"github.com/axg-binder/binder/internal/function/wiring"
	"github.com/axg-binder/binder/internal/function/wiring/wiringtest"
	"github.com/axg-binder/binder/internal/testkit/fakes3"
)

var update = flag.Bool("update", false, "rewrite the golden answers")

const inputKey = "axg/incoming/2026/11/bindings today.csv"

func setup(t *testing.T, rows int, progress func(int)) (*lambdas3.Handler, *emulator.Emulator, *s3.Client, events.S3Event) {
	client := fakes3.New(t, "axg-input")
	exp := time.Now().Add(24 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)
	var b strings.Builder
	b.WriteString("PhoneNoA,GroupId,Expiration\n")
	for i := 1; i <= rows; i++ {
		if i%1000 == 0 {
			b.WriteString("999,1234," + exp + "\n")
			continue
		}
		fmt.Fprintf(&b, "136%08d,1234,%s\n", i, exp)
	}
	if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("axg-input"), Key: aws.String(inputKey),
		Body: bytes.NewReader([]byte(b.String()))}); err != nil {
		t.Fatal(err)
	}
	env, emu := wiringtest.EnvFor(t, wiring.Files, wiring.Deps{}, map[string]string{"AXG_POOL_KEY": emulator.DemoPoolKey})
	h := &lambdas3.Handler{Env: env, Client: client, FileOptions: platform.FileOptions{Step: 1000, Progress: progress}}
	raw, err := os.ReadFile("testdata/s3-object-created.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.S3Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	back, _ := json.Marshal(ev)
	if !platformtest.JSONSubset([]byte(strings.ReplaceAll(string(raw), ".000Z", "Z")), back) {
		t.Fatalf("round trip changed the event: %s", back)
	}
	return h, emu, client, ev
}

func results(t *testing.T, client *s3.Client) string {
	res, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("axg-input"), Key: aws.String("axg/results/2026/11/bindings today.csv.results.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// TestObjects: the fixture's records, as the file path's neutral objects
// (testdata/*.objects.golden.json; -update rewrites it).
func TestObjects(t *testing.T) {
	_, _, _, ev := setup(t, 1, nil)
	platformtest.Golden(t, "testdata/s3-object-created.objects.golden.json", lambdas3.Objects(ev), *update)
}

func TestTenThousandRowsFromS3(t *testing.T) {
	const rows = 10000
	h, emu, client, ev := setup(t, rows, nil)
	out, err := platformtest.Invoke[platform.Files](h, context.Background(), ev)
	if err != nil || len(out.Files) != 1 || out.Files[0].Summary.Rows != rows || out.Files[0].Summary.Counts[core.CodeOK] != rows-10 ||
		out.Files[0].Results != "axg/results/2026/11/bindings today.csv.results.jsonl" {
		t.Fatalf("%+v %v", out, err)
	}
	got := results(t, client)
	if strings.Count(got, "\n") != rows || !strings.HasPrefix(got, `{"Row":1,`) || !strings.Contains(got, `{"Row":10000,"Line":10001,"PhoneNoA":"999"`) {
		t.Fatalf("results: %d lines", strings.Count(got, "\n"))
	}
	if emu.Stats().Bindings != rows-10 {
		t.Fatalf("%d bindings", emu.Stats().Bindings)
	}
	calls := emu.Stats().Calls["BindBatchAxg"]
	if _, err := platformtest.Invoke[platform.Files](h, context.Background(), ev); err != nil || emu.Stats().Calls["BindBatchAxg"] != calls {
		t.Fatalf("redelivery: %v", err)
	}
}

func TestContinuedAcrossInvocations(t *testing.T) {
	const rows = 3000
	var cancel context.CancelFunc
	h, emu, client, ev := setup(t, rows, func(done int) {
		if done == 1000 && cancel != nil {
			cancel()
		}
	})
	ctx, c := context.WithCancel(context.Background())
	cancel = c
	if _, err := platformtest.Invoke[platform.Files](h, ctx, ev); !errors.Is(err, batchfile.ErrNotFinished) {
		t.Fatalf("first invocation: %v", err)
	}
	cancel = nil
	if out, err := platformtest.Invoke[platform.Files](h, context.Background(), ev); err != nil || out.Files[0].Summary.Rows != rows {
		t.Fatalf("second invocation: %+v %v", out, err)
	}
	for i := 1; i <= rows; i++ {
		if i%1000 != 0 && len(emu.BindingsOf(fmt.Sprintf("136%08d", i))) != 1 {
			t.Fatalf("row %d bound %d times", i, len(emu.BindingsOf(fmt.Sprintf("136%08d", i))))
		}
	}
	if strings.Count(results(t, client), "\n") != rows {
		t.Fatal("results incomplete")
	}
}
