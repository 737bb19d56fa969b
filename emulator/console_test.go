package emulator_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dyplsapi"
	"github.com/chromedp/chromedp"

	"github.com/axg-binder/binder/emulator"
)

// chromium finds a headless-capable Chromium: skipped without one, except
// in CI (CI set), where .ci/run installs Debian's chromium and the test
// must run.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on the PATH: .ci/run installs the chromium package")
	}
	t.Skip("no Chromium on the PATH (apt-get install chromium)")
	return ""
}

// TestConsoleInABrowser: in a real browser, a click on a fault button
// queues the fault; a call through the vendor's SDK over the port then
// meets it, and the page shows the call (its number masked) and the
// binding a second call made.
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel() // a browser's start is mostly waiting: the other tests run meanwhile
	path := chromium(t)
	emu := emulator.New(emulator.Demo())
	srv, err := emulator.Start(emu, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	if err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible("#fault-throttle", chromedp.ByID),
		chromedp.Click("#fault-throttle", chromedp.ByID),
		chromedp.WaitVisible(`//ul[@id="faults"]/li[contains(., "BindAxg") or contains(., "any call: isv.FLOW_LIMIT once")]`, chromedp.BySearch),
	); err != nil {
		t.Fatalf("clicking the throttle button: %v", err)
	}

	cfg := sdk.NewConfig()
	client, err := dyplsapi.NewClientWithOptions("cn-hangzhou", cfg, credentials.NewAccessKeyCredential(emulator.DemoAccessKeyID, emulator.DemoAccessKeySecret))
	if err != nil {
		t.Fatal(err)
	}
	bind := func() string {
		req := bindRequest("13800138000")
		req.Domain = strings.TrimPrefix(srv.URL, "http://")
		resp, err := client.BindAxg(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Code
	}
	if got := bind(); got != "isv.FLOW_LIMIT" {
		t.Fatalf("the call after the click answered %s, want isv.FLOW_LIMIT", got)
	}
	if got := bind(); got != "OK" {
		t.Fatalf("the next call answered %s", got)
	}

	var calls, bindings, body string
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(`//tbody[@id="calls"]/tr/td[text()="isv.FLOW_LIMIT"]`, chromedp.BySearch),
		chromedp.WaitVisible(`//tbody[@id="bindings"]/tr/td[text()="active"]`, chromedp.BySearch),
		chromedp.Text("#calls", &calls, chromedp.ByID),
		chromedp.Text("#bindings", &bindings, chromedp.ByID),
		chromedp.OuterHTML("body", &body, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("the page never showed the calls: %v", err)
	}
	if !strings.Contains(calls, "BindAxg") || !strings.Contains(calls, "138****8000") || !strings.Contains(bindings, "138****8000") {
		t.Errorf("calls:\n%s\nbindings:\n%s", calls, bindings)
	}
	// A call placed from the page queues its receipts, which the page shows.
	var queued string
	if err := chromedp.Run(ctx,
		chromedp.Click(`//tbody[@id="bindings"]//button[contains(@class,"call")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//span[@id="queued"][contains(., "SecretReport 1")]`, chromedp.BySearch),
		chromedp.Text("#queued", &queued, chromedp.ByID),
	); err != nil {
		t.Fatalf("placing a call from the page: %v", err)
	}
	if n := emu.State().Queued[emulator.QueueName("SecretStartReport")]; n != 1 {
		t.Errorf("the click queued %d SecretStartReport, want 1 (%s)", n, queued)
	}
	if strings.Contains(body, "13800138000") {
		t.Error("the page shows a whole number")
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.ArtifactDir(), "console.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
}
