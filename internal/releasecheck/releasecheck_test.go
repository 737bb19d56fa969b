//go:build release

package releasecheck

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/function/platform/platformtest"
	"github.com/axg-binder/binder/internal/testkit/runtimeapi"
)

// dist is where TestMain had make build put every deployable.
var dist string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "axg-dist-")
	if err != nil {
		panic(err)
	}
	dist = filepath.Join(dir, "dist")
	out, err := exec.Command("make", "-C", "../..", "build", "DIST="+dist).CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "make build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// artifact opens a zip that a descriptor names ("dist/x.zip" or "./dist/x.zip").
func artifact(t *testing.T, named string) map[string][]byte {
	t.Helper()
	rel, ok := strings.CutPrefix(strings.TrimPrefix(named, "./"), "dist/")
	if !ok {
		t.Fatalf("%s is not under dist/, where make build writes", named)
	}
	zr, err := zip.OpenReader(filepath.Join(dist, rel))
	if err != nil {
		t.Fatalf("%s: %v (not built by make build)", named, err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
		if f.Mode().Perm()&0o111 == 0 {
			t.Errorf("%s: %s is not executable", named, f.Name)
		}
	}
	return files
}

func checkELF(t *testing.T, name string, b []byte, machine elf.Machine) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s is not an ELF binary: %v", name, err)
	}
	if f.Machine != machine || f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
		t.Errorf("%s is %v/%v, want linux %v", name, f.Machine, f.OSABI, machine)
	}
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	return plain(&n).(map[string]any)
}

// plain turns a YAML node into maps, slices and strings, keeping the value of
// a CloudFormation short-form tag (!Ref X is "X").
func plain(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		return plain(n.Content[0])
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = plain(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = plain(c)
		}
		return s
	}
	return n.Value
}

// TestSAMTemplateNamesWhatIsBuilt: sam build builds each function through
// the Makefile (BuildMethod: makefile); the target the template names makes a
// bootstrap for the function's architecture, and the functions read their
// secrets by name at start-up.
func TestSAMTemplateNamesWhatIsBuilt(t *testing.T) {
	tpl := readYAML(t, "../../template.yaml")
	d := descriptors{sam: tpl}
	routes := map[string]bool{}
	functions := 0
	for name, p := range d.samFunctions() {
		functions++
		if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" || p["CodeUri"] != "." {
			t.Errorf("%s: runtime %v, handler %v, code %v", name, p["Runtime"], p["Handler"], p["CodeUri"])
		}
		out := t.TempDir()
		if b, err := exec.Command("make", "-C", "../..", "build-"+name, "ARTIFACTS_DIR="+out).CombinedOutput(); err != nil {
			t.Fatalf("%s: make build-%s: %v\n%s", name, name, err, b)
		}
		bin, err := os.ReadFile(filepath.Join(out, "bootstrap"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		arch := map[string]elf.Machine{"arm64": elf.EM_AARCH64, "x86_64": elf.EM_X86_64}[p["Architectures"].([]any)[0].(string)]
		checkELF(t, name+"'s bootstrap", bin, arch)
		httpAPI := false
		for _, e := range p["Events"].(map[string]any) {
			ev := e.(map[string]any)
			props := ev["Properties"].(map[string]any)
			if ev["Type"] == "HttpApi" {
				routes[fmt.Sprint(props["Method"], " ", props["Path"])], httpAPI = true, true
			}
			if ev["Type"] == "SQS" && fmt.Sprint(props["FunctionResponseTypes"]) != "[ReportBatchItemFailures]" {
				t.Errorf("%s: an SQS event without ReportBatchItemFailures redelivers whole batches", name)
			}
		}
		env := p["Environment"].(map[string]any)["Variables"].(map[string]any)
		secrets := []string{"AXG_ALIBABA_SECRET"}
		if httpAPI {
			secrets = append(secrets, "AXG_API_TOKENS_SECRET")
		}
		for _, v := range secrets {
			if env[v] == nil {
				t.Errorf("%s: %s does not name the secret it reads", name, v)
			}
		}
	}
	if functions == 0 {
		t.Fatal("no function in template.yaml")
	}
	for _, r := range []string{"POST /v1/axg/bind", "POST /v1/axg/batch-bind", "GET /healthz"} {
		if !routes[r] {
			t.Errorf("no HTTP API route %s", r)
		}
	}
}

func TestServerlessDevsNamesWhatIsBuilt(t *testing.T) {
	s := readYAML(t, "../../s.yaml")
	if s["edition"] != "3.0.0" {
		t.Errorf("edition %v", s["edition"])
	}
	kinds := map[string]bool{}
	for name, r := range s["resources"].(map[string]any) {
		res := r.(map[string]any)
		p := res["props"].(map[string]any)
		if res["component"] != "fc3" {
			t.Errorf("%s: component %v", name, res["component"])
		}
		files := artifact(t, p["code"].(string))
		var exe string
		switch p["runtime"] {
		case "go1":
			exe = p["handler"].(string)
		case "custom.debian12":
			exe = strings.TrimPrefix(p["customRuntimeConfig"].(map[string]any)["command"].([]any)[0].(string), "./")
		default:
			t.Fatalf("%s: runtime %v", name, p["runtime"])
		}
		kinds[p["runtime"].(string)] = true
		bin, ok := files[exe]
		if !ok || len(files) != 1 {
			t.Fatalf("%s: %s holds %v, want %s alone", name, p["code"], len(files), exe)
		}
		checkELF(t, p["code"].(string), bin, elf.EM_X86_64) // FC's Go and custom runtimes are x86_64
		if !strings.Contains(fmt.Sprint(p["role"]), "${env('AXG_FC_") || len(p["triggers"].([]any)) == 0 {
			t.Errorf("%s: role %v, triggers %v", name, p["role"], p["triggers"])
		}
	}
	if !kinds["go1"] || !kinds["custom.debian12"] {
		t.Errorf("runtimes %v, want the Go runtime and the web function", kinds)
	}
	var policy struct {
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	b, _ := os.ReadFile("../../deploy/ram-policy.json")
	// The upstream's calls (dypls.Actions), and the receipt queues' token.
	if err := json.Unmarshal(b, &policy); err != nil || len(policy.Statement) != 2 ||
		strings.Join(policy.Statement[0].Action, ",") != "dypls:"+strings.Join(dypls.Actions, ",dypls:") ||
		strings.Join(policy.Statement[1].Action, ",") != "dybaseapi:QueryTokenForMnsQueue" {
		t.Errorf("deploy/ram-policy.json grants other than the calls the client makes (dypls.Actions, QueryTokenForMnsQueue): %s", b)
	}
	// The file and message paths' extra policies: what the code calls (the
	// descriptor rules check each grant), on the binder's prefixes and queue,
	// nothing else.
	allowed := map[string]bool{"oss:GetObject": true, "oss:PutObject": true, "oss:DeleteObject": true, "oss:ListObjects": true, "mns:SendMessage": true}
	for _, file := range []string{"ram-policy-oss.json", "ram-policy-mns.json"} {
		var extra struct {
			Statement []struct {
				Action   []string
				Resource []string
			}
		}
		b, _ = os.ReadFile("../../deploy/" + file)
		if err := json.Unmarshal(b, &extra); err != nil || len(extra.Statement) == 0 {
			t.Fatalf("deploy/%s: %v", file, err)
		}
		for _, st := range extra.Statement {
			for _, a := range st.Action {
				if !allowed[a] {
					t.Errorf("deploy/%s grants %s", file, a)
				}
			}
			for _, r := range st.Resource {
				if !strings.Contains(r, "AXG_BUCKET") && !strings.Contains(r, "AXG_DLQ_QUEUE") {
					t.Errorf("deploy/%s: %s is beyond the binder's bucket and queue", file, r)
				}
			}
		}
	}
}

func TestBuildIsReproducible(t *testing.T) {
	again := filepath.Join(t.TempDir(), "dist")
	if out, err := exec.Command("make", "-C", "../..", "build", "DIST="+again).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	zips, _ := filepath.Glob(filepath.Join(dist, "*.zip"))
	if len(zips) == 0 {
		t.Fatal("no zips built")
	}
	for _, z := range zips {
		a, _ := os.ReadFile(z)
		b, err := os.ReadFile(filepath.Join(again, filepath.Base(z)))
		if err != nil || sha256.Sum256(a) != sha256.Sum256(b) {
			t.Errorf("%s differs between two builds", filepath.Base(z))
		}
	}
}

// hostBinary is a built binary for this machine's architecture.
func hostBinary(t *testing.T, pattern string) string {
	path := filepath.Join(dist, fmt.Sprintf(pattern, runtime.GOARCH))
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s build for this machine's architecture", path)
	}
	return path
}

// fixtures are the adapters' event fixtures, with the golden answers the
// adapters' own tests hold them to.
func fixtures(t *testing.T, dir string) []string {
	files, _ := filepath.Glob(filepath.Join("..", "function", dir, "testdata", "*.json"))
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".golden.json") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatal("no fixtures")
	}
	return out
}

func compareGolden(t *testing.T, fixture string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(strings.TrimSuffix(fixture, ".json") + ".golden.json")
	if err != nil {
		t.Fatal(err)
	}
	if !platformtest.JSONEqual(want, got) {
		t.Errorf("%s:\ngot  %s\nwant %s", filepath.Base(fixture), got, want)
	}
}

// fcCredentials are the role's temporary credentials FC hands each invocation.
var fcCredentials = http.Header{
	"X-Fc-Access-Key-Id":     {"STS.fcenv"},
	"X-Fc-Access-Key-Secret": {"fc-role-secret"},
	"X-Fc-Security-Token":    {"fc-role-token"},
}

func freshEmulator(opts ...emulator.Fault) *emulator.Emulator {
	e := emulator.New(emulator.Demo())
	e.AddKey(emulator.Key{ID: "STS.fcenv", Secret: "fc-role-secret", SecurityToken: "fc-role-token"})
	e.Inject(opts...)
	return e
}

// platformCase is one platform's binary and runtime protocol.
type platformCase struct {
	name     string
	binary   string // pattern with the architecture
	protocol runtimeapi.Protocol
	fixtures string
	env      func(endpoint string) []string
	extra    http.Header
}

var platforms = []platformCase{
	{
		name: "lambda", binary: "lambda-http-%s/bootstrap", protocol: runtimeapi.Lambda, fixtures: "lambdahttp",
		env: func(endpoint string) []string {
			return []string{"DYPLS_ENDPOINT=" + endpoint, "AXG_API_TOKENS=test-token",
				"ALIBABA_CLOUD_ACCESS_KEY_ID=" + emulator.DemoAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + emulator.DemoAccessKeySecret,
				"AXG_UPSTREAM_TIMEOUT=10s"}
		},
	},
	{
		// No credentials in the environment: each invocation brings the role's.
		name: "fc", binary: "fc-http-%s/main", protocol: runtimeapi.FC, fixtures: "fchttp", extra: fcCredentials,
		env: func(endpoint string) []string {
			return []string{"DYPLS_ENDPOINT=" + endpoint, "AXG_API_TOKENS=test-token", "AXG_UPSTREAM_TIMEOUT=10s"}
		},
	},
}

// launch starts pc's built binary against a fake runtime API and the upstream
// at endpoint; both stop with the test.
func launch(t *testing.T, pc platformCase, endpoint string) (*runtimeapi.Server, *process) {
	t.Helper()
	if pc.name == "fc" && runtime.GOARCH != "amd64" {
		t.Skip("Function Compute's Go runtime is x86_64 only")
	}
	rt := runtimeapi.Start(pc.protocol)
	p := start(t, hostBinary(t, pc.binary), append(pc.env(endpoint), rt.Env())...)
	t.Cleanup(rt.Close) // runs before the process is killed; Close releases its poll
	return rt, p
}

// TestBinariesUnderTheirRuntimes feeds every fixture to the built binary
// through its platform's runtime API and holds the answer to the golden file.
func TestBinariesUnderTheirRuntimes(t *testing.T) {
	for _, pc := range platforms {
		t.Run(pc.name, func(t *testing.T) {
			up := &upstream{h: freshEmulator()}
			upSrv := httptest.NewServer(up)
			defer upSrv.Close()
			rt, p := launch(t, pc, upSrv.URL)
			for i, f := range fixtures(t, pc.fixtures) {
				up.set(freshEmulator())
				payload, _ := os.ReadFile(f)
				r, err := rt.Invoke(runtimeapi.Invocation{ID: fmt.Sprintf("inv-%d", i), Payload: payload, Deadline: time.Now().Add(20 * time.Second), Header: pc.extra}, 20*time.Second)
				if err != nil || r.Kind != "response" {
					t.Fatalf("%s: %v %s %s", filepath.Base(f), err, r.Kind, r.Body)
				}
				compareGolden(t, f, r.Body)
			}
			logs := p.stderr.String()
			if !strings.Contains(logs, `"route":"/v1/axg/bind"`) || strings.Contains(logs, "13800138000") || strings.Contains(logs, "fc-role-secret") {
				t.Errorf("logs:\n%s", logs)
			}
			// Every line of ours is a JSON object (valid under Lambda's JSON log
			// format, fields in an SLS logstore; FC's runtime library writes its
			// own Invoke Start/End markers); on Lambda the metrics are among
			// them, as Embedded Metric Format.
			emfLines := 0
			for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
				if strings.HasPrefix(l, "FC Invoke ") {
					continue
				}
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Errorf("a line that is not a JSON object: %q", l)
				}
				if aws, ok := m["_aws"].(map[string]any); ok && strings.Contains(fmt.Sprint(aws["CloudWatchMetrics"]), "AxgBinder") {
					emfLines++
				}
			}
			if strings.HasPrefix(pc.name, "lambda") != (emfLines > 0) {
				t.Errorf("%d Embedded Metric Format lines", emfLines)
			}
			t.Logf("%s: peak resident memory %s after %d invocations", pc.name, p.peakRSS(), len(fixtures(t, pc.fixtures)))
		})
	}
}

// TestDeadline: an invocation with 2 s left, the upstream stalled, answers
// before the deadline with the contract's code.
func TestDeadline(t *testing.T) {
	for _, pc := range platforms {
		t.Run(pc.name, func(t *testing.T) {
			up := httptest.NewServer(freshEmulator(emulator.Fault{Delay: 30 * time.Second, Times: -1}))
			defer up.Close()
			rt, _ := launch(t, pc, up.URL)
			f := fixtures(t, pc.fixtures)[0]
			for _, g := range fixtures(t, pc.fixtures) {
				if strings.HasSuffix(g, "bind.json") && !strings.Contains(g, "batch") {
					f = g
				}
			}
			payload, _ := os.ReadFile(f)
			deadline := time.Now().Add(2 * time.Second)
			r, err := rt.Invoke(runtimeapi.Invocation{ID: "stalled", Payload: payload, Deadline: deadline, Header: pc.extra}, 20*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if r.At.After(deadline) {
				t.Errorf("answered %s after the deadline", r.At.Sub(deadline))
			}
			var resp struct {
				StatusCode int
				Body       string
			}
			_ = json.Unmarshal(r.Body, &resp)
			if r.Kind != "response" || resp.StatusCode != 504 || !strings.Contains(resp.Body, `"Code":"UpstreamTimeout"`) {
				t.Fatalf("%s %s", r.Kind, r.Body)
			}
		})
	}
}
