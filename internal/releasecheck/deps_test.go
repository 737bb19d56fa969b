//go:build release

package releasecheck

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// buildLine is one line of make build: its tags and the package it builds.
var buildLine = regexp.MustCompile(`(?m)^\tGOOS=linux .*\$\(GOBUILD\)(.*?) -o \$\(DIST\)/\S+ (\./functions/\S+)$`)

// TestDeployablesHoldProductionCodeOnly: what make build ships links neither
// the testing package nor the emulator (with its demo key) nor test helpers,
// nor net/http/httptest (its start-up registers a flag: the flag package,
// 6.5 KB of the Lambda S3 zip, which sits at the 7 MiB mark).
func TestDeployablesHoldProductionCodeOnly(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	lines := buildLine.FindAllStringSubmatch(string(mk), -1)
	if len(lines) < 8 {
		t.Fatalf("found %d build lines in the Makefile, want every deployable", len(lines))
	}
	forbidden := regexp.MustCompile(`^testing$|^net/http/httptest$|^flag$|/emulator$|/benchmeter$|/testkit/|^github.com/axg-binder/binder/.*test$`)
	for _, l := range lines {
		args := []string{"list", "-deps"}
		if tags := regexp.MustCompile(`-tags (\S+)`).FindStringSubmatch(l[1]); tags != nil {
			args = append(args, "-tags", tags[1])
		}
		cmd := exec.Command("go", append(args, l[2])...)
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", l[2], err)
		}
		// Each cloud's deployables link only its own ledger driver.
		other := regexp.MustCompile(`/store/otsstore$|aliyun-tablestore-go-sdk`)
		if strings.Contains(l[2], "/fc/") {
			other = regexp.MustCompile(`/service/dynamodb$|/store/dynamostore$|aliyun-tablestore-go-sdk`)
		}
		for _, dep := range strings.Fields(string(out)) {
			if forbidden.MatchString(dep) || other.MatchString(dep) {
				t.Errorf("%s links %s", l[2], dep)
			}
		}
	}
}

// TestCoreImportsNoCloudSDK: internal/core/ is the domain; a cloud's storage,
// queue or runtime SDK belongs in internal/store/ or internal/function/. The
// upstream's SDK is its own.
func TestCoreImportsNoCloudSDK(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./internal/core/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	cloud := regexp.MustCompile(`alibabacloud-oss-go-sdk|aws-sdk-go|aws-lambda-go|fc-runtime-go-sdk|/internal/store/|/internal/function/|/functions/`)
	for _, dep := range strings.Fields(string(out)) {
		if cloud.MatchString(dep) {
			t.Errorf("core links %s", dep)
		}
	}
}

// TestEmulatorImportsNothingOfOurs: the emulator is a product of its own (a
// sandbox users run, any SDK pointed at it): it imports no package of the
// binder's, so that it imitates the upstream and not our idea of it.
func TestEmulatorImportsNothingOfOurs(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./emulator/...", "./cmd/dypls-emulator")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/axg-binder/binder/") && !strings.HasPrefix(dep, "github.com/axg-binder/binder/emulator") &&
			dep != "github.com/axg-binder/binder/cmd/dypls-emulator" {
			t.Errorf("the emulator links %s", dep)
		}
	}
}
