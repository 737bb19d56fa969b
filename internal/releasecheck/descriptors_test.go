//go:build release

package releasecheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/axg-binder/binder/internal/core/dypls"
)

// descriptors are what a deploy reads, parsed: template.yaml (SAM), s.yaml
// (Serverless Devs), the RAM policies, the README's deploy section and the
// Makefile that sam build runs.
type descriptors struct {
	sam, fc  map[string]any
	policies map[string]string // deploy/*.json by file name
	readme   string            // the README's "Deploy" section
	makefile string
}

func load(t *testing.T, dir, readme string) descriptors {
	t.Helper()
	d := descriptors{sam: readYAML(t, filepath.Join(dir, "template.yaml")), fc: readYAML(t, filepath.Join(dir, "s.yaml")), policies: map[string]string{}}
	for _, name := range []string{"ram-policy.json", "ram-policy-oss.json", "ram-policy-mns.json", "ram-policy-ots.json"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		d.policies[name] = string(b)
	}
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	d.readme = string(b)
	if i := strings.Index(d.readme, "\n## Deploy"); i >= 0 { // a README whose part is the deploy steps
		d.readme = d.readme[i:]
		if j := strings.Index(d.readme[3:], "\n## "); j >= 0 {
			d.readme = d.readme[:j+3]
		}
	}
	mk, _ := os.ReadFile("../../Makefile")
	d.makefile = string(mk)
	return d
}

// current are the descriptors as they are; before, as they were when a first
// deploy would have failed or lost data (testdata/before): each rule must
// find something wrong there, or it checks nothing.
func current(t *testing.T) descriptors {
	d := load(t, "../..", "../../docs/deploy.md")
	for name := range d.policies {
		b, _ := os.ReadFile("../../deploy/" + name)
		d.policies[name] = string(b)
	}
	return d
}

func before(t *testing.T) descriptors {
	return load(t, "testdata/before", "testdata/before/README-deploy.md")
}

func m(v any) map[string]any { x, _ := v.(map[string]any); return x }
func l(v any) []any          { x, _ := v.([]any); return x }
func num(v any) float64      { f, _ := strconv.ParseFloat(fmt.Sprint(v), 64); return f }

// samFunctions are the template's functions, with Globals merged in.
func (d descriptors) samFunctions() map[string]map[string]any {
	global := m(m(d.sam["Globals"])["Function"])
	out := map[string]map[string]any{}
	for name, r := range m(d.sam["Resources"]) {
		if m(r)["Type"] != "AWS::Serverless::Function" {
			continue
		}
		p := map[string]any{}
		for k, v := range global {
			p[k] = v
		}
		for k, v := range m(m(r)["Properties"]) {
			p[k] = v
		}
		vars := map[string]any{}
		for k, v := range m(m(global["Environment"])["Variables"]) {
			vars[k] = v
		}
		for k, v := range m(m(m(m(r)["Properties"])["Environment"])["Variables"]) {
			vars[k] = v
		}
		p["Environment"] = map[string]any{"Variables": vars}
		p["Metadata"] = m(r)["Metadata"]
		out[name] = p
	}
	return out
}

// wholeVar is a value that is one ${vars.x}, or ${str(vars.x)}, and
// nothing else: the forms s.yaml uses where a value's type matters.
var wholeVar = regexp.MustCompile(`^\$\{(?:vars\.(\w+)|str\(vars\.(\w+)\))\}$`)

// resolveVars resolves every wholeVar in v as Serverless Devs does (a
// ${vars.x} keeps x's type; str makes it text), leaving other magic
// variables (env, config) as written. TestServerlessDevsResolvesAsWeDo holds
// it to Serverless Devs' own engine.
func resolveVars(v any, vars map[string]any) any {
	switch x := v.(type) {
	case string:
		ref := wholeVar.FindStringSubmatch(x)
		switch {
		case ref == nil:
			return x
		case ref[1] != "":
			return resolveVars(vars[ref[1]], vars)
		}
		return fmt.Sprint(resolveVars(vars[ref[2]], vars))
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = resolveVars(e, vars)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolveVars(e, vars)
		}
		return out
	}
	return v
}

// fcFunctions are s.yaml's function props, with ${vars.x} values resolved.
func (d descriptors) fcFunctions() map[string]map[string]any {
	vars := m(d.fc["vars"])
	out := map[string]map[string]any{}
	for name, r := range m(d.fc["resources"]) {
		out[name] = m(resolveVars(m(r)["props"], vars))
	}
	return out
}

// statement is one policy statement, flattened to text for matching.
type statement struct{ actions, resources, condition string }

func statements(policy any) []statement {
	var out []statement
	for _, s := range l(m(policy)["Statement"]) {
		st := m(s)
		out = append(out, statement{fmt.Sprint(st["Action"]), fmt.Sprint(st["Resource"]), fmt.Sprint(st["Condition"])})
	}
	return out
}

// grants reports whether some statement allows action on a resource holding
// resource. A list permission must come without a condition: what it is for
// is a GET of a missing key answering 404, not 403, and a GET carries no
// prefix for a condition to match.
func grants(sts []statement, action, resource string) bool {
	list := strings.HasSuffix(action, ":ListBucket") || strings.HasSuffix(action, ":ListObjects")
	for _, s := range sts {
		if strings.Contains(s.actions, action) && strings.Contains(s.resources, resource) && (!list || s.condition == "<nil>") {
			return true
		}
	}
	return false
}

// need is one call a function's code makes, and what its policy must say.
type need struct{ action, resource string }

// rules are the checks a first real deploy would otherwise make, each
// returning what it finds wrong.
var rules = []struct {
	name  string
	check func(d descriptors) []string
}{
	{"policies grant what the code calls (a read of a key that may be absent needs list permission)", func(d descriptors) []string {
		var bad []string
		fns := d.samFunctions()
		secret := need{"secretsmanager:GetSecretValue", "${AlibabaCredentialsSecret}"}
		for fn, needs := range map[string][]need{
			"BinderFunction":    {secret, {"secretsmanager:GetSecretValue", "${ApiTokensSecret}"}},
			"BinderSqsFunction": {{"s3:PutObject", "${ResultBucket}/axg/messages/*"}, secret},
			"BinderS3Function": {
				{"s3:GetObject", "/axg/incoming/*"}, {"s3:PutObject", "/axg/results/*"}, {"s3:DeleteObject", "/axg/results/*"},
				{"s3:AbortMultipartUpload", "/axg/results/*"}, {"s3:ListBucket", "-files-"},
				{"sqs:SendMessage", "FilesDeadLetterQueue"}, secret},
			"BinderReceiptsFunction": {secret},
		} {
			// Every function writes the ledger (internal/store/dynamostore's calls).
			for _, a := range []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"} {
				needs = append(needs, need{"dynamodb:" + a, "LedgerTable"})
			}
			var sts []statement
			for _, p := range l(fns[fn]["Policies"]) {
				sts = append(sts, statements(p)...)
			}
			for _, n := range needs {
				if !grants(sts, n.action, n.resource) {
					bad = append(bad, fmt.Sprintf("template.yaml %s: no %s on %s", fn, n.action, n.resource))
				}
			}
		}
		for file, needs := range map[string][]need{
			"ram-policy.json": append(dyplsNeeds(), need{"dybaseapi:QueryTokenForMnsQueue", "*"}),
			"ram-policy-oss.json": {{"oss:GetObject", "/axg/incoming/*"}, {"oss:PutObject", "/axg/results/*"},
				{"oss:PutObject", "/axg/messages/*"}, {"oss:ListObjects", "AXG_BUCKET"}},
			"ram-policy-mns.json": {{"mns:SendMessage", "/queues/AXG_DLQ_QUEUE"}},
			"ram-policy-ots.json": {{"ots:GetRow", "/table/axg_ledger"}, {"ots:PutRow", "/table/axg_ledger"},
				{"ots:UpdateRow", "/table/axg_ledger"}, {"ots:DeleteRow", "/table/axg_ledger"}, {"ots:BatchWriteRow", "/table/axg_ledger"}},
		} {
			var policy any
			_ = json.Unmarshal([]byte(d.policies[file]), &policy)
			for _, n := range needs {
				if !grants(statements(policy), n.action, n.resource) {
					bad = append(bad, fmt.Sprintf("deploy/%s: no %s on %s", file, n.action, n.resource))
				}
			}
		}
		return bad
	}},
	{"Function Compute's memory is 1 to 4 GB per vCPU", func(d descriptors) []string {
		var bad []string
		for fn, p := range d.fcFunctions() {
			if cpu := num(p["cpu"]); cpu > 0 {
				if r := num(p["memorySize"]) / 1024 / cpu; r < 1 || r > 4 {
					bad = append(bad, fmt.Sprintf("s.yaml %s: %v MB for %v vCPU", fn, p["memorySize"], cpu))
				}
			}
		}
		return bad
	}},
	{"no instanceConcurrency on the built-in go1 runtime (fc3 drops it)", func(d descriptors) []string {
		var bad []string
		for fn, p := range d.fcFunctions() {
			if p["runtime"] == "go1" && p["instanceConcurrency"] != nil {
				bad = append(bad, "s.yaml "+fn)
			}
		}
		return bad
	}},
	{"an SQS event source's visibility timeout is at least 6 times its function's timeout", func(d descriptors) []string {
		var bad []string
		for fn, p := range d.samFunctions() {
			for _, e := range m(p["Events"]) {
				if m(e)["Type"] != "SQS" {
					continue
				}
				queue := strings.TrimSuffix(fmt.Sprint(m(m(e)["Properties"])["Queue"]), ".Arn")
				vis := num(m(m(m(d.sam["Resources"])[queue])["Properties"])["VisibilityTimeout"])
				if vis < 6*num(p["Timeout"]) {
					bad = append(bad, fmt.Sprintf("%s: %s's visibility timeout %v for a %vs function", fn, queue, vis, p["Timeout"]))
				}
			}
		}
		return bad
	}},
	{"every asynchronous path ends in a dead-letter place", func(d descriptors) []string {
		var bad []string
		for fn, p := range d.samFunctions() {
			for _, e := range m(p["Events"]) {
				switch m(e)["Type"] {
				case "SQS":
					queue := strings.TrimSuffix(fmt.Sprint(m(m(e)["Properties"])["Queue"]), ".Arn")
					if m(m(m(d.sam["Resources"])[queue])["Properties"])["RedrivePolicy"] == nil {
						bad = append(bad, "template.yaml "+queue+": no RedrivePolicy")
					}
				case "S3":
					if m(m(m(p["EventInvokeConfig"])["DestinationConfig"])["OnFailure"])["Destination"] == nil {
						bad = append(bad, "template.yaml "+fn+": S3 events with no on-failure destination")
					}
				}
			}
		}
		for fn, p := range d.fcFunctions() {
			for _, tr := range l(p["triggers"]) {
				cfg := m(m(tr)["triggerConfig"])
				switch m(tr)["triggerType"] {
				case "oss":
					if m(m(m(p["asyncInvokeConfig"])["destinationConfig"])["onFailure"])["destination"] == nil {
						bad = append(bad, "s.yaml "+fn+": OSS events with no on-failure destination")
					}
				case "eventbridge":
					run := m(cfg["runOptions"])
					if m(run["deadLetterQueue"])["Arn"] == nil || run["errorsTolerance"] == "ALL" {
						bad = append(bad, "s.yaml "+fn+": an EventBridge trigger that skips or drops what fails")
					}
				case "mns_topic":
					bad = append(bad, "s.yaml "+fn+": an MNS topic trigger has no dead-letter place: subscribe a queue to the topic")
				}
			}
		}
		return bad
	}},
	{"a function of more than one instance names its ledger (else it refuses to start)", func(d descriptors) []string {
		var bad []string
		for fn, p := range d.samFunctions() {
			if v := fmt.Sprint(m(m(p["Environment"])["Variables"])["AXG_LEDGER"]); !strings.Contains(v, "dynamodb:${LedgerTable}") {
				bad = append(bad, fmt.Sprintf("template.yaml %s: AXG_LEDGER %s, not the stack's table", fn, v))
			}
		}
		for fn, p := range d.fcFunctions() {
			if v := m(p["environmentVariables"])["AXG_LEDGER"]; v == nil || strings.Contains(fmt.Sprint(v), "memory") {
				bad = append(bad, fmt.Sprintf("s.yaml %s: AXG_LEDGER %v, not a shared one", fn, v))
			}
		}
		return bad
	}},
	{"instance caps set, and AXG_MAX_INSTANCES equal to them", func(d descriptors) []string {
		var bad []string
		for fn, p := range d.samFunctions() {
			limit, env := fmt.Sprint(p["ReservedConcurrentExecutions"]), fmt.Sprint(m(m(p["Environment"])["Variables"])["AXG_MAX_INSTANCES"])
			if p["ReservedConcurrentExecutions"] == nil || limit != env {
				bad = append(bad, fmt.Sprintf("template.yaml %s: reserved concurrency %s, AXG_MAX_INSTANCES %s", fn, limit, env))
			}
			for _, e := range m(p["Events"]) {
				if mc := m(m(m(e)["Properties"])["ScalingConfig"])["MaximumConcurrency"]; m(e)["Type"] == "SQS" && fmt.Sprint(mc) != limit {
					bad = append(bad, fmt.Sprintf("template.yaml %s: SQS maximum concurrency %v", fn, mc))
				}
			}
		}
		// On Function Compute 3.0 reservedConcurrency counts instances
		// (whatever instanceConcurrency is): every function's is the one cap,
		// vars.maxInstances, and so is its AXG_MAX_INSTANCES, by reference.
		total := 0.0
		for fn, p := range d.fcFunctions() {
			raw := m(m(m(d.fc["resources"])[fn])["props"])
			env := m(raw["environmentVariables"])
			if raw["environmentVariables"] == "${vars.environment}" {
				env = m(m(d.fc["vars"])["environment"])
			}
			if m(raw["concurrencyConfig"])["reservedConcurrency"] != "${vars.maxInstances}" || env["AXG_MAX_INSTANCES"] != "${str(vars.maxInstances)}" {
				bad = append(bad, fmt.Sprintf("s.yaml %s: reservedConcurrency %v and AXG_MAX_INSTANCES %v, want ${vars.maxInstances} and ${str(vars.maxInstances)}",
					fn, m(raw["concurrencyConfig"])["reservedConcurrency"], env["AXG_MAX_INSTANCES"]))
			}
			total += num(m(p["concurrencyConfig"])["reservedConcurrency"])
		}
		// A region's instance quota is 100 to 300 by default, and functions
		// may reserve 90 % of it between them.
		if total == 0 || total > 90 {
			bad = append(bad, fmt.Sprintf("s.yaml reserves %v instances in all, want 1 to 90 (90 %% of the smallest default quota)", total))
		}
		return bad
	}},
	{"one public HTTP function on Function Compute (s deploy publishes every one it deploys)", func(d descriptors) []string {
		var public []string
		for fn, p := range d.fcFunctions() {
			for _, tr := range l(p["triggers"]) {
				if m(tr)["triggerType"] == "http" && m(m(tr)["triggerConfig"])["authType"] == "anonymous" {
					public = append(public, fn)
				}
			}
		}
		if len(public) != 1 {
			slices.Sort(public)
			return []string{fmt.Sprintf("s.yaml: %d anonymous HTTP triggers (%v), want one", len(public), public)}
		}
		return nil
	}},
	{"no name is fixed: two stacks live in one account", func(d descriptors) []string {
		var bad []string
		for name, r := range m(d.sam["Resources"]) {
			for _, k := range []string{"FunctionName", "BucketName", "QueueName", "Name"} {
				if v, ok := m(m(r)["Properties"])[k]; ok && !strings.Contains(fmt.Sprint(v), "${") {
					bad = append(bad, fmt.Sprintf("template.yaml %s: %s %v", name, k, v))
				}
			}
		}
		for fn, p := range d.fcFunctions() {
			if !strings.Contains(fmt.Sprint(p["functionName"]), "${vars.prefix}") {
				bad = append(bad, fmt.Sprintf("s.yaml %s: functionName %v", fn, p["functionName"]))
			}
		}
		return bad
	}},
	{"no secret resolved into a function's configuration", func(d descriptors) []string {
		var bad []string
		for fn, p := range d.samFunctions() {
			for k, v := range m(m(p["Environment"])["Variables"]) {
				if strings.Contains(fmt.Sprint(v), "{{resolve:") {
					bad = append(bad, fmt.Sprintf("template.yaml %s: %s", fn, k))
				}
			}
		}
		return bad
	}},
	{"SAM conventions: Globals, sam build through the Makefile, a function URL", func(d descriptors) []string {
		var bad []string
		if d.sam["Globals"] == nil {
			bad = append(bad, "template.yaml: no Globals")
		}
		for fn, p := range d.samFunctions() {
			if m(p["Metadata"])["BuildMethod"] != "makefile" || !strings.Contains(d.makefile, "\nbuild-"+fn+":") {
				bad = append(bad, "template.yaml "+fn+": not built by sam build through the Makefile")
			}
		}
		if d.samFunctions()["BinderFunction"]["FunctionUrlConfig"] == nil {
			bad = append(bad, "template.yaml BinderFunction: no FunctionUrlConfig")
		}
		return bad
	}},
	{"every variable s.yaml reads and every SAM parameter is named in the README's deploy steps", func(d descriptors) []string {
		var bad []string
		raw, _ := yaml.Marshal(d.fc)
		for _, v := range regexp.MustCompile(`\$\{env\('([A-Z0-9_]+)'`).FindAllStringSubmatch(string(raw), -1) {
			if !strings.Contains(d.readme, v[1]) {
				bad = append(bad, "s.yaml reads "+v[1])
			}
		}
		for p := range m(d.sam["Parameters"]) {
			if !strings.Contains(d.readme, p) {
				bad = append(bad, "template.yaml parameter "+p)
			}
		}
		return bad
	}},
}

func TestDescriptorRules(t *testing.T) {
	now, then := current(t), before(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, p := range r.check(now) {
				t.Error(p)
			}
			if len(r.check(then)) == 0 {
				t.Error("finds nothing wrong in testdata/before, the descriptors it was written against: it checks nothing")
			}
		})
	}
}

// TestTemplatePassesCfnLint: cfn-lint (on this kind of machine, and in CI)
// finds nothing in template.yaml.
func TestTemplatePassesCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("cfn-lint is not on the PATH: .ci/run must provide it")
		}
		t.Skip("cfn-lint is not installed")
	}
	out, err := exec.Command(bin, "../../template.yaml").CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}

// TestServerlessDevsPassesFC3Schema: every resource's props in s.yaml, its
// ${vars.x} resolved as Serverless Devs does, pass the fc3 component's schema
// (testdata/fc3-schema.json, which names its source).
func TestServerlessDevsPassesFC3Schema(t *testing.T) {
	c := jsonschema.NewCompiler()
	f, err := os.Open("testdata/fc3-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("fc3.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("fc3.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile("../../s.yaml")
	var s struct {
		Vars      map[string]any
		Resources map[string]struct{ Props map[string]any }
	}
	if err := yaml.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for name, r := range s.Resources {
		js, _ := json.Marshal(resolveVars(r.Props, s.Vars))
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("s.yaml %s: %v", name, err)
		}
	}
}

// dyplsNeeds are the RAM actions of every upstream API the client calls.
func dyplsNeeds() []need {
	var needs []need
	for _, a := range dypls.Actions {
		needs = append(needs, need{"dypls:" + a, "*"})
	}
	return needs
}

// TestServerlessDevsResolvesAsWeDo: Serverless Devs' own engine
// (@serverless-devs/art-template, as its parse-spec calls it; .ci/run
// installs it) resolves every value of s.yaml that resolveVars resolves to
// the same value and type: the instance cap, set once in vars, reaches
// reservedConcurrency as a number and AXG_MAX_INSTANCES as text.
func TestServerlessDevsResolvesAsWeDo(t *testing.T) {
	compile := devsCompile(t)
	b, err := os.ReadFile("../../s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := yaml.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(spec)
	cmd := exec.Command("node", "testdata/sdevs-resolve.js", compile)
	cmd.Stdin = bytes.NewReader(js)
	cmd.Env = os.Environ()
	for _, v := range regexp.MustCompile(`\$\{env\('([A-Z0-9_]+)'\)\}`).FindAllStringSubmatch(string(b), -1) {
		cmd.Env = append(cmd.Env, v[1]+"=set-"+v[1]) // the variables s.yaml needs, set
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Serverless Devs' engine: %v\n%s", err, stderr.String())
	}
	var theirs struct {
		Resources map[string]struct{ Props any }
	}
	if err := json.Unmarshal(out, &theirs); err != nil {
		t.Fatal(err)
	}
	vars := m(spec["vars"])
	compared := 0
	for name, r := range m(spec["resources"]) {
		var walk func(path string, ours, got any)
		walk = func(path string, ours, got any) {
			switch o := ours.(type) {
			case map[string]any:
				for k, v := range o {
					walk(path+"."+k, v, m(got)[k])
				}
			case []any:
				for i, v := range o {
					g := l(got)
					if i >= len(g) {
						t.Errorf("%s[%d]: missing from Serverless Devs' resolution", path, i)
						continue
					}
					walk(fmt.Sprintf("%s[%d]", path, i), v, g[i])
				}
			case string:
				if strings.Contains(o, "${") {
					return // env() and config(): not ours to resolve
				}
			}
			if _, leaf := ours.(map[string]any); leaf {
				return
			}
			if _, leaf := ours.([]any); leaf {
				return
			}
			a, _ := json.Marshal(ours)
			g, _ := json.Marshal(got)
			if !bytes.Equal(a, g) {
				t.Errorf("%s: we read %s, Serverless Devs %s", path, a, g)
			}
			compared++
		}
		walk(name, resolveVars(m(r)["props"], vars), theirs.Resources[name].Props)
	}
	for name, p := range theirs.Resources {
		props := m(p.Props)
		if c := m(props["concurrencyConfig"])["reservedConcurrency"]; c != vars["maxInstances"] && c != float64(num(vars["maxInstances"])) {
			t.Errorf("%s: reservedConcurrency %#v, want the number vars.maxInstances", name, c)
		}
		if e := m(props["environmentVariables"])["AXG_MAX_INSTANCES"]; e != nil && e != fmt.Sprint(vars["maxInstances"]) {
			t.Errorf("%s: AXG_MAX_INSTANCES %#v, want vars.maxInstances as text", name, e)
		}
	}
	t.Logf("%d values compared", compared)
}

// devsCompile is where Serverless Devs' variable engine is installed.
func devsCompile(t *testing.T) string {
	t.Helper()
	root, err := exec.Command("npm", "root", "-g").Output()
	path := filepath.Join(strings.TrimSpace(string(root)), "@serverless-devs", "art-template", "lib", "devs-compile.js")
	if _, serr := os.Stat(path); err != nil || serr != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("@serverless-devs/art-template is not installed (npm -g): .ci/run must provide it")
		}
		t.Skip("@serverless-devs/art-template is not installed (npm install -g @serverless-devs/art-template@4.13.16-beta.39)")
	}
	return path
}
