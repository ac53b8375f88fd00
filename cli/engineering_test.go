package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cli"
	"github.com/cradle-sdl/cradle/engineering"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
	"github.com/cradle-sdl/cradle/web"
)

// The CI examples in examples/ci are run here, command by command, against
// a live server: the cradle lines of the GitHub Actions workflow and of the
// GitLab CI job, with the files their generators would have written. A
// change to a command or flag that breaks an example fails this test.

// ciThreatModel is the product's threat model as the repository keeps it.
const ciThreatModel = `version: 1
product:
  name: Edge Gateway EG-200
reviews:
  - date: 2026-11-01
    by: A. Architect
boundaries:
  - id: device
    name: Device
elements:
  - id: app
    kind: process
    name: Gateway firmware
    boundary: device
  - id: user
    kind: external_entity
    name: Operator
flows:
  - id: f1
    from: user
    to: app
    protocol: HTTPS
    authenticated: true
    encrypted: true
threats:
  - id: process-eop-exposed:app
    status: mitigated
    mitigation: Input validated against a schema; the service runs unprivileged in a sandbox.
    tests: [TestRejectsOversizedInput, TestRunsUnprivileged]
`

// ciSBOM meets the NTIA minimum elements (the default gate profile).
const ciSBOM = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
 "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
 "metadata":{"timestamp":"2026-11-27T10:00:00Z","authors":[{"name":"Northwind CI","email":"ci@northwind.example"}],
  "component":{"bom-ref":"app","type":"application","name":"eg200-firmware","version":"2.5.0","supplier":{"name":"Northwind"},"purl":"pkg:golang/example.com/eg200@v2.5.0"}},
 "components":[{"bom-ref":"x","type":"library","name":"golang.org/x/text","version":"v0.44.0","supplier":{"name":"The Go Authors"},"purl":"pkg:golang/golang.org/x/text@v0.44.0"}],
 "dependencies":[{"ref":"app","dependsOn":["x"]},{"ref":"x","dependsOn":[]}]}`

const ciSARIFClean = `{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"gosec","version":"2.21.4","rules":[{"id":"G104","defaultConfiguration":{"level":"note"}}]}},
 "results":[{"ruleId":"G104","level":"note","message":{"text":"Errors unhandled."},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"main.go"},"region":{"startLine":12,"startColumn":2}}}]}]}]}`

const ciSARIFHigh = `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec","version":"2.21.4","rules":[{"id":"G101"}]}},
 "results":[{"ruleId":"G101","level":"error","message":{"text":"Potential hardcoded credentials."},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"config.go"},"region":{"startLine":7}}}]}]}]}`

// ciGovulncheck is what govulncheck -format sarif writes when no
// vulnerable code is reachable: the rules, no results.
const ciGovulncheck = `{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"govulncheck","semanticVersion":"v1.1.4","informationUri":"https://golang.org/x/vuln","rules":[]}},"results":[]}]}`

const ciJUnit = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites><testsuite name="example.com/eg200" tests="2" failures="0">
<testcase classname="example.com/eg200" name="TestRejectsOversizedInput" time="0.01"/>
<testcase classname="example.com/eg200" name="TestRunsUnprivileged" time="0.02"/>
</testsuite></testsuites>`

// exampleCommands returns the cradle command lines of a CI example, in order.
func exampleCommands(t *testing.T, file string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", "ci", file))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s is not valid YAML: %v", file, err)
	}
	var scripts []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch x := v.(type) {
		case map[string]any:
			// Keys in document order are not kept by a map; the examples
			// have one job each, whose steps are a list.
			for _, k := range []string{"jobs", "release-gate", "cradle-release-gate", "steps", "script"} {
				if c, ok := x[k]; ok {
					walk(c, k)
				}
			}
			if r, ok := x["run"].(string); ok {
				scripts = append(scripts, r)
			}
		case []any:
			for _, e := range x {
				walk(e, key)
			}
		case string:
			if key == "script" {
				scripts = append(scripts, x)
			}
		}
	}
	walk(doc, "")
	var out []string
	for _, s := range scripts {
		for _, line := range strings.Split(strings.ReplaceAll(s, "\\\n", " "), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "cradle ") {
				out = append(out, line)
			}
		}
	}
	if len(out) < 5 {
		t.Fatalf("%s: only %d cradle commands found: %q", file, len(out), out)
	}
	return out
}

// shellWords splits a command line as a POSIX shell would for the forms
// the examples use: words, double quotes, $VAR and ${VAR}.
func shellWords(t *testing.T, line string, env map[string]string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"':
			quoted, inWord = !quoted, true
		case c == '$':
			j := i + 1
			brace := j < len(line) && line[j] == '{'
			if brace {
				j++
			}
			k := j
			for k < len(line) && (line[k] == '_' || line[k] >= 'A' && line[k] <= 'Z' || line[k] >= 'a' && line[k] <= 'z' || line[k] >= '0' && line[k] <= '9') {
				k++
			}
			name := line[j:k]
			v, ok := env[name]
			if !ok {
				t.Fatalf("the example uses $%s, which the test does not set: %s", name, line)
			}
			cur.WriteString(v)
			if brace {
				k++
			}
			i, inWord = k-1, true
		case (c == ' ' || c == '\t') && !quoted:
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case c == '|' && !quoted, c == ';' && !quoted, c == '&' && !quoted:
			t.Fatalf("the test runs simple commands only; found %q in %s", c, line)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func TestCIExamples(t *testing.T) {
	for _, file := range []string{"github-actions.yml", "gitlab-ci.yml"} {
		t.Run(file, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				officer := cradle.Actor{Name: "officer@example.com", Via: "test"}
				const product = "Edge Gateway EG-200"
				// What the security officer sets up once, in cradle.
				if err := db.CreateProduct(ctx, officer, &cradle.Product{Name: product, SupportStart: "2025-01-01", SupportEnd: "2035-12-31", SupportRationale: "Ten years of field use."}); err != nil {
					t.Fatal(err)
				}
				if err := db.SetScope(ctx, officer, &store.ProductScope{Product: product, InScope: true, Justification: "Sold in the EU.", Approver: "CISO"}); err != nil {
					t.Fatal(err)
				}
				settings := cradle.PSIRTSettings{Contacts: []string{"mailto:psirt@northwind.example"}, BaseURL: "https://cradle.northwind.example", ExpiresDays: 180,
					CVDPolicy: cradle.DefaultCVDPolicy, TrackingPrefix: "NW-SA", PreferredLanguages: []string{"en"}, IntakeEnabled: true}
				if err := db.PutSetting(ctx, officer, "psirt", settings, nil); err != nil {
					t.Fatal(err)
				}
				// The threat model in the repository was reviewed in cradle.
				if _, err := engineering.New(db).ImportThreatModel(ctx, officer, product, "", "threat-model.yaml", []byte(ciThreatModel)); err != nil {
					t.Fatal(err)
				}
				if err := db.AddThreatReview(ctx, officer, &cradle.ThreatReview{Product: product, Version: 1, Outcome: cradle.ReviewApproved, Notes: "Architecture board, 2026-11-01."}); err != nil {
					t.Fatal(err)
				}
				u := &cradle.User{Email: "ci@example.com", Name: "CI", Role: cradle.RoleDeveloper}
				if err := db.CreateUser(ctx, officer, u, "correct horse battery"); err != nil {
					t.Fatal(err)
				}
				token, err := db.CreateToken(ctx, officer, &cradle.Token{Name: "ci", Role: cradle.RoleDeveloper, UserID: u.ID})
				if err != nil {
					t.Fatal(err)
				}
				srv, err := web.New(db, web.Config{Version: "test"}, nil)
				if err != nil {
					t.Fatal(err)
				}
				ts := httptest.NewServer(srv)
				defer ts.Close()

				// What the generators wrote into the job's work tree.
				dir := t.TempDir()
				for name, content := range map[string]string{"threat-model.yaml": ciThreatModel, "sbom.cdx.json": ciSBOM, "gosec.sarif": ciSARIFClean, "junit.xml": ciJUnit, "govulncheck.sarif": ciGovulncheck} {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				cmds := exampleCommands(t, file)
				t.Chdir(dir)
				t.Setenv("CRADLE_SERVER", ts.URL)
				t.Setenv("CRADLE_TOKEN", token)
				t.Setenv("CRADLE_DB", filepath.Join(dir, "must-not-be-used.db"))
				env := map[string]string{"PRODUCT": product, "VERSION": "2.5.0"}

				runAll := func() (int, string) {
					var last int
					var out string
					for _, line := range cmds {
						args := shellWords(t, line, env)[1:]
						var o, e bytes.Buffer
						code := cli.Run(ctx, args, strings.NewReader(""), &o, &e)
						if args[0] != "gate" && code != 0 {
							t.Fatalf("%s: exit %d\n%s%s", line, code, o.String(), e.String())
						}
						last, out = code, o.String()+e.String()
					}
					return last, out
				}
				// The pipeline imports the reviewed model for the release
				// (same content: the review counts): the gate passes.
				code, out := runAll()
				if code != 0 {
					t.Fatalf("gate exit %d, want 0 (pass):\n%s", code, out)
				}
				if _, err := os.Stat(filepath.Join(dir, "must-not-be-used.db")); err == nil {
					t.Fatal("a remote command opened the local database")
				}
				rel, err := db.Release(ctx, product, "2.5.0")
				if err != nil || rel.CurrentSBOMID == 0 {
					t.Fatalf("release after the pipeline: %+v %v", rel, err)
				}
				ds, _ := db.GateDecisions(ctx, product, "2.5.0", 10)
				if len(ds) != 1 || !ds[0].Pass || !strings.Contains(ds[0].EvaluatedBy, "ci@example.com") {
					t.Fatalf("stored decisions: %+v", ds)
				}
				// The next run finds a hard-coded credential: the pipeline
				// fails at the gate with the reason, and the previous
				// result of the same tool is marked fixed.
				if err := os.WriteFile(filepath.Join(dir, "gosec.sarif"), []byte(ciSARIFHigh), 0o644); err != nil {
					t.Fatal(err)
				}
				code, out = runAll()
				if code != cli.ExitFailure || !strings.Contains(out, "G101") {
					t.Fatalf("gate with a high SAST result: exit %d, want 1:\n%s", code, out)
				}
				fixed, _, _ := db.ListResults(ctx, product, "2.5.0", store.ResultFilter{Status: cradle.ResultFixed}, cradle.Page{})
				if len(fixed) != 1 || fixed[0].RuleID != "G104" {
					t.Fatalf("fixed results: %+v", fixed)
				}
			})
		})
	}
}

// The gate's exit codes: 0 pass, 1 fail, 2 for usage or input errors (an
// unknown release, an invalid policy), with the reason on stderr; decisions
// verify; exceptions need an approver and let a check pass.
func TestGateCLI(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			db := storetest.Open(t, engine)
			dsn := db.DSN()
			mustRun(t, dsn, "product", "create", "--name", "GW", "--support-end", "2034-01-01")
			mustRun(t, dsn, "release", "create", "--product", "GW", "--version", "1.0")
			mustRun(t, dsn, "sbom", "import", "--product", "GW", "--release", "1.0", writeFile(t, "sbom.json", ciSBOM))

			code, out, _ := run(t, dsn, "gate", "--product", "GW", "--release", "1.0")
			if code != 1 || !strings.Contains(out, "FAIL") || !strings.Contains(out, "threat_model") || !strings.Contains(out, "resolve:") {
				t.Fatalf("gate without threat model: exit %d\n%s", code, out)
			}
			code, _, errs := run(t, dsn, "gate", "--product", "GW", "--release", "9.9")
			if code != 2 || !strings.Contains(errs, "no release") {
				t.Fatalf("unknown release: exit %d, %s", code, errs)
			}
			code, _, errs = run(t, dsn, "gate", "--product", "GW", "--release", "1.0", "--policy", writeFile(t, "p.yaml", "findings:\n  max_severty: high\n"))
			if code != 2 || !strings.Contains(errs, "p.yaml:2:3") || !strings.Contains(errs, "max_severty") {
				t.Fatalf("bad policy: exit %d, %s", code, errs)
			}
			code, _, errs = run(t, dsn, "gate", "--product", "GW", "--release", "1.0", "--policy", writeFile(t, "p.yaml", "sast:\n  required: \"yes\"\n"))
			if code != 2 || !strings.Contains(errs, "p.yaml:2") {
				t.Fatalf("wrong type in policy: exit %d, %s", code, errs)
			}
			code, _, errs = run(t, dsn, "gate", "--product", "GW", "--release", "1.0", "--policy", writeFile(t, "p.yaml", "svv_evidence:\n  requirements: [SVV-9]\n"))
			if code != 2 || !strings.Contains(errs, "SVV-9") {
				t.Fatalf("unknown requirement in policy: exit %d, %s", code, errs)
			}
			code, _, _ = run(t, dsn, "gate", "--release", "1.0")
			if code != 2 {
				t.Fatalf("missing --product: exit %d", code)
			}
			// A policy that checks only what this release has passes.
			policy := writeFile(t, "ok.yaml", "threat_model:\n  enabled: false\nsast:\n  enabled: false\nsvv_evidence:\n  enabled: false\ndisclosure:\n  enabled: false\nsdl_checklist:\n  enabled: false\n")
			code, out, _ = run(t, dsn, "gate", "--product", "GW", "--release", "1.0", "--policy", policy, "--json")
			if code != 0 {
				t.Fatalf("narrow policy: exit %d\n%s", code, out)
			}
			var d struct {
				Pass bool   `json:"pass"`
				Hash string `json:"hash"`
			}
			if err := json.Unmarshal([]byte(out), &d); err != nil || !d.Pass || len(d.Hash) != 64 {
				t.Fatalf("JSON decision: %+v %v\n%s", d, err, out)
			}
			out = mustRun(t, dsn, "gate", "history", "--product", "GW", "--release", "1.0")
			if strings.Count(out, "\n") != 3 { // header + two stored decisions
				t.Fatalf("history:\n%s", out)
			}
			if out := mustRun(t, dsn, "gate", "verify", "2"); !strings.Contains(out, "Verified") {
				t.Fatalf("verify: %s", out)
			}
			// Exceptions: the approver is required; one for the whole
			// threat_model check makes that check pass as excepted.
			code, _, errs = run(t, dsn, "gate", "exception", "add", "--product", "GW", "--check", "threat_model", "--reason", "x", "--expires", "2099-01-01")
			if code != 2 || !strings.Contains(errs, "approver") {
				t.Fatalf("exception without approver: exit %d, %s", code, errs)
			}
			mustRun(t, dsn, "gate", "exception", "add", "--product", "GW", "--release", "1.0", "--check", "threat_model", "--approver", "CISO", "--reason", "Model in review, due next sprint.", "--expires", "2027-06-30")
			_, out, _ = run(t, dsn, "gate", "--product", "GW", "--release", "1.0", "--format", "json")
			if !strings.Contains(out, `"status": "excepted"`) {
				t.Fatalf("excepted check not reported:\n%s", out)
			}
			// JUnit and SARIF reports.
			_, out, _ = run(t, dsn, "gate", "--product", "GW", "--release", "1.0", "--format", "junit")
			if !strings.HasPrefix(out, "<?xml") || !strings.Contains(out, "<testcase") {
				t.Fatalf("junit:\n%s", out)
			}
			_, out, _ = run(t, dsn, "gate", "--product", "GW", "--release", "1.0", "--format", "sarif")
			if !strings.Contains(out, `"version": "2.1.0"`) {
				t.Fatalf("sarif:\n%s", out)
			}
		})
	}
}

// sbom check exits 0 when the SBOM conforms, 1 when it does not and 2 for
// input errors.
func TestSBOMCheckCLI(t *testing.T) {
	good := writeFile(t, "good.json", ciSBOM)
	if code, out, _ := run(t, "", "sbom", "check", good, "--profile", "ntia"); code != 0 || !strings.Contains(out, "conform") {
		t.Fatalf("NTIA on a good SBOM: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, "", "sbom", "check", good); code != 1 {
		t.Fatalf("BSI v2.1 on an SBOM without hashes and licences: exit %d\n%s", code, out)
	}
	if code, _, errs := run(t, "", "sbom", "check", writeFile(t, "bad.json", `{"bomFormat":`)); code != 2 || errs == "" {
		t.Fatalf("truncated SBOM: exit %d, %s", code, errs)
	}
	if code, _, _ := run(t, "", "sbom", "check", good, "--profile", "iso-9001"); code != 2 {
		t.Fatalf("unknown profile: exit %d", code)
	}
	if code, _, _ := run(t, "", "sbom", "check", filepath.Join(t.TempDir(), "missing.json")); code != 2 {
		t.Fatalf("missing file: exit %d", code)
	}
}

// Threat models: invalid ones are refused with located problems and
// nothing stored; results import deduplicates and tracks fixes.
func TestThreatModelAndResultsCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	mustRun(t, db, "product", "create", "--name", "GW")
	mustRun(t, db, "release", "create", "--product", "GW", "--version", "1.0")
	bad := writeFile(t, "bad.yaml", "version: 1\nelements:\n  - id: a\n    kind: process\n    name: A\n  - id: a\n    kind: process\n    name: B\nflows:\n  - id: f\n    from: a\n    to: nowhere\n")
	code, _, errs := run(t, db, "threatmodel", "import", "--product", "GW", bad)
	if code != 2 || !strings.Contains(errs, "bad.yaml:6") || !strings.Contains(errs, "nowhere") {
		t.Fatalf("invalid model: exit %d\n%s", code, errs)
	}
	if code, _, _ := run(t, db, "threatmodel", "show", "--product", "GW"); code != cli.ExitNotFound {
		t.Fatalf("a refused model was stored: exit %d", code)
	}
	tm := writeFile(t, "tm.yaml", ciThreatModel)
	if out := mustRun(t, db, "threatmodel", "import", "--product", "GW", "--release", "1.0", tm); !strings.Contains(out, "version 1") {
		t.Fatalf("import: %s", out)
	}
	if out := mustRun(t, db, "threatmodel", "import", "--product", "GW", "--release", "1.0", tm); !strings.Contains(out, "Unchanged") {
		t.Fatalf("same model again: %s", out)
	}
	if out := mustRun(t, db, "threatmodel", "diagram", "--product", "GW"); !strings.HasPrefix(strings.TrimSpace(out), "<svg") && !strings.HasPrefix(strings.TrimSpace(out), "<?xml") {
		t.Fatalf("diagram: %.200s", out)
	}
	mustRun(t, db, "threatmodel", "import", "--product", "GW", writeFile(t, "tm2.yaml", strings.Replace(ciThreatModel, "encrypted: true", "encrypted: false", 1)))
	if out := mustRun(t, db, "threatmodel", "diff", "--product", "GW", "--from", "1", "--to", "2"); !strings.Contains(out, "encrypted") {
		t.Fatalf("diff: %s", out)
	}
	mustRun(t, db, "threatmodel", "review", "--product", "GW", "--notes", "Checked with the architects.")

	sarif := writeFile(t, "gosec.sarif", ciSARIFHigh)
	if out := mustRun(t, db, "results", "import", "--product", "GW", "--release", "1.0", sarif); !strings.Contains(out, "1 results, 1 new") {
		t.Fatalf("results import: %s", out)
	}
	if out := mustRun(t, db, "results", "import", "--product", "GW", "--release", "1.0", sarif); !strings.Contains(out, "1 results, 0 new") {
		t.Fatalf("the same results again: %s", out)
	}
	code, _, errs = run(t, db, "results", "import", "--product", "GW", "--release", "1.0", writeFile(t, "t.sarif", `{"version":"2.1.0","runs":[{"tool":`))
	if code != 2 || !strings.Contains(errs, "t.sarif:1:") {
		t.Fatalf("truncated SARIF: exit %d\n%s", code, errs)
	}
	if out := mustRun(t, db, "results", "list", "--product", "GW", "--release", "1.0"); !strings.Contains(out, "G101") || !strings.Contains(out, "config.go:7") {
		t.Fatalf("results list: %s", out)
	}
}

// Remote mode never follows a redirect (a redirected POST would become a
// GET and look like success), and a gate that cannot write its report
// exits 2, not 1.
func TestRemoteRedirectAndGateExitCodes(t *testing.T) {
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://cradle.example.com"+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer redirect.Close()
	t.Setenv("CRADLE_TOKEN", "cradle_x")
	sarif := writeFile(t, "g.sarif", ciSARIFClean)
	for _, args := range [][]string{
		{"results", "import", "--server", redirect.URL, "--product", "P", "--release", "1", sarif},
		{"sbom", "import", "--server", redirect.URL, "--product", "P", "--release", "1", writeFile(t, "s.json", ciSBOM)},
		{"gate", "--server", redirect.URL, "--product", "P", "--release", "1"},
	} {
		code, _, errs := run(t, "", args...)
		if code == 0 || !strings.Contains(errs, "redirecting to") {
			t.Errorf("%s: exit %d, %s", args[0], code, errs)
		}
		if args[0] == "gate" && code != cli.ExitUsage {
			t.Errorf("gate against a redirect: exit %d, want 2 (no decision)", code)
		}
	}
	db := filepath.Join(t.TempDir(), "c.db")
	mustRun(t, db, "product", "create", "--name", "GW")
	mustRun(t, db, "release", "create", "--product", "GW", "--version", "1.0")
	code, _, errs := run(t, db, "gate", "--product", "GW", "--release", "1.0", "--format", "json", "-o", filepath.Join(t.TempDir(), "missing", "gate.json"))
	if code != cli.ExitUsage || !strings.Contains(errs, "was stored") {
		t.Fatalf("unwritable report: exit %d, %s", code, errs)
	}
}
