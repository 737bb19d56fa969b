package dypls_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/testkit/benchmeter"
)

func benchClient(b *testing.B) (*dypls.Client, *benchmeter.Meter) {
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	meter := &benchmeter.Meter{Inner: emu.Transport()}
	c, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: emulator.DemoAccessKeySecret, Transport: meter})
	if err != nil {
		b.Fatal(err)
	}
	return c, meter
}

// BenchmarkClientBindAxg is one bind through the client on the in-process
// emulator; upstream-ns/op is the emulator's part, measured in the same run.
func BenchmarkClientBindAxg(b *testing.B) {
	c, meter := benchClient(b)
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	b.ReportAllocs()
	i := 0
	meter.Reset()
	for b.Loop() {
		i++
		if _, err := c.BindAxg(context.Background(), emulator.DemoPoolKey, &core.Item{PhoneNoA: fmt.Sprintf("139%08d", i), GroupId: "1234", Expiration: exp}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(meter.NsPerOp(b.N), "upstream-ns/op")
}

// BenchmarkClientBindBatchAxg100 is one 100-item batch call the same way.
func BenchmarkClientBindBatchAxg100(b *testing.B) {
	c, meter := benchClient(b)
	exp := time.Now().Add(time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	b.ReportAllocs()
	i := 0
	meter.Reset()
	for b.Loop() {
		items := make([]*core.Item, 100)
		for k := range items {
			i++
			items[k] = &core.Item{PhoneNoA: fmt.Sprintf("13%09d", i), GroupId: "1234", Expiration: exp}
		}
		if _, err := c.BindBatchAxg(context.Background(), emulator.DemoPoolKey, items); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(meter.NsPerOp(b.N), "upstream-ns/op")
}
