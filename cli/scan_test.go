package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cradle-sdl/cradle/sbom"
)

const vulnBOM = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
 "metadata":{"component":{"bom-ref":"app","type":"application","name":"gw","version":"1"}},
 "components":[
  {"bom-ref":"net","type":"library","name":"golang.org/x/net","version":"v0.17.0","purl":"pkg:golang/golang.org/x/net@v0.17.0"},
  {"bom-ref":"std","type":"library","name":"stdlib","version":"go1.21.3","purl":"pkg:golang/stdlib@go1.21.3"},
  {"bom-ref":"ok","type":"library","name":"golang.org/x/text","version":"v0.14.0","purl":"pkg:golang/golang.org/x/text@v0.14.0"}],
 "dependencies":[{"ref":"app","dependsOn":["net","std","ok"]}]}`

func TestScanFormats(t *testing.T) {
	bom := writeFile(t, "gw.cdx.json", vulnBOM)
	for _, format := range []string{"table", "json", "sarif", "cyclonedx-vex", "openvex"} {
		t.Run(format, func(t *testing.T) {
			code, out, errs := run(t, "", "scan", bom, "--vulndb", "testdata/osv", "--format", format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			switch format {
			case "table":
				for _, want := range []string{"CVE-2023-45288", "CVE-2025-22870", "0.23.0", "4 components, 3 matchable", "4 vulnerabilities"} {
					if !strings.Contains(out, want) {
						t.Errorf("table lacks %q:\n%s", want, out)
					}
				}
			case "json":
				var res struct {
					Findings []struct {
						ID        string
						Aliases   []string
						Component struct{ Name string }
					}
				}
				if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Findings) != 4 {
					t.Fatalf("json: %v %d findings", err, len(res.Findings))
				}
			case "cyclonedx-vex":
				// Any CycloneDX tool can read it: cradle's own importer
				// validates it against the CycloneDX 1.6 schema.
				doc, err := sbom.Decode("vex.cdx.json", []byte(out))
				if err != nil {
					t.Fatalf("not a valid CycloneDX 1.6 document: %v\n%s", err, out)
				}
				if len(doc.Components) != 4 {
					t.Errorf("components: %d", len(doc.Components))
				}
				var raw struct {
					Vulnerabilities []struct {
						ID         string
						References []struct{ ID string }
						Affects    []struct{ Ref string }
					}
				}
				json.Unmarshal([]byte(out), &raw)
				if len(raw.Vulnerabilities) != 2 {
					t.Fatalf("vulnerabilities: %+v", raw.Vulnerabilities)
				}
				for _, v := range raw.Vulnerabilities {
					if len(v.Affects) != 2 || len(v.References) < 2 {
						t.Errorf("%s: affects %v references %v", v.ID, v.Affects, v.References)
					}
				}
			case "sarif", "openvex":
				var doc any
				if err := json.Unmarshal([]byte(out), &doc); err != nil {
					t.Fatal(err)
				}
				validateAgainstCorpusSchema(t, format, doc)
			}
		})
	}
}

// validateAgainstCorpusSchema checks a document against the format's
// official schema from the shared corpus.
func validateAgainstCorpusSchema(t *testing.T, format string, doc any) {
	t.Helper()
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Log("CRADLE_TEST_DATA not set: not validating against the official schema")
		return
	}
	path := map[string]string{
		"sarif":   "conformance/sarif/sarif-2.1/schema/sarif-schema-2.1.0.json",
		"openvex": "conformance/vex/openvex-spec/openvex_json_schema.json",
	}[format]
	c := jsonschema.NewCompiler()
	f, err := os.Open(filepath.Join(dir, path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("schema.json", s); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("%s output does not validate against its schema: %v", format, err)
	}
}

func TestScanFailOnAndErrors(t *testing.T) {
	bom := writeFile(t, "gw.cdx.json", vulnBOM)
	clean := writeFile(t, "clean.cdx.json", strings.ReplaceAll(strings.ReplaceAll(vulnBOM, "v0.17.0", "v0.40.0"), "go1.21.3", "go1.25.0"))
	kev := writeFile(t, "kev.json", `{"title":"t","catalogVersion":"1","dateReleased":"2026-11-01T00:00:00.000Z","count":1,"vulnerabilities":[
	 {"cveID":"CVE-2023-45288","vendorProject":"Go","product":"net/http","vulnerabilityName":"x","dateAdded":"2026-10-30","shortDescription":"x",
	  "requiredAction":"x","dueDate":"2026-11-20","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":[]}]}`)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"scan", bom, "--vulndb", "testdata/osv", "--fail-on", "kev"}, 0, ""},
		{[]string{"scan", bom, "--vulndb", "testdata/osv", "--fail-on", "kev", "--kev", kev}, 1, "failing"},
		{[]string{"scan", clean, "--vulndb", "testdata/osv", "--fail-on", "low", "--kev", kev}, 0, "No known vulnerabilities"},
		{[]string{"scan", bom}, 2, "--vulndb"},
		{[]string{"scan", bom, "--vulndb", "testdata/osv", "--format", "pdf"}, 2, "unknown --format"},
		{[]string{"scan", bom, "--vulndb", "testdata/osv", "--fail-on", "severe"}, 2, "unknown --fail-on"},
		{[]string{"scan", bom, "--vulndb", "/no/such/dir"}, 2, "cannot read"},
		{[]string{"scan", writeFile(t, "bad.json", `[1,2]`), "--vulndb", "testdata/osv"}, 2, "JSON array"},
	} {
		code, out, errs := run(t, "", tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("cradle %s: exit %d (%q), want %d mentioning %q", strings.Join(tc.args, " "), code, out+errs, tc.code, tc.want)
		}
	}
}

func TestCVSSCommand(t *testing.T) {
	code, out, _ := run(t, "", "cvss", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
	if code != 0 || !strings.Contains(out, "9.8 Critical") || !strings.Contains(out, "9.3 Critical") {
		t.Errorf("cvss: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "cvss", "CVSS:3.1/AV:X/AC:L")
	if code != 2 || !strings.Contains(out, "INVALID") {
		t.Errorf("invalid vector: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "cvss", "--json", "AV:N/AC:L/Au:N/C:P/I:P/A:P")
	if code != 0 || !strings.Contains(out, `"score": 7.5`) {
		t.Errorf("cvss v2 --json: exit %d\n%s", code, out)
	}
}

func TestVulnCommands(t *testing.T) {
	db := writeFileDB(t)
	mustRun(t, db, "product", "create", "--name", "GW")
	mustRun(t, db, "release", "create", "--product", "GW", "--version", "1", "--lifecycle", "released")
	mustRun(t, db, "sbom", "import", "--product", "GW", "--release", "1", writeFile(t, "gw.cdx.json", vulnBOM))
	out := mustRun(t, db, "vulndb", "import", "testdata/osv/Go")
	if !strings.Contains(out, "2 records") || !strings.Contains(out, "findings: 4 new") {
		t.Errorf("vulndb import: %s", out)
	}
	out = mustRun(t, db, "vulndb", "status")
	if !strings.Contains(out, "file:Go") || !strings.Contains(out, "ok") {
		t.Errorf("vulndb status:\n%s", out)
	}
	out = mustRun(t, db, "findings", "--product", "GW")
	if strings.Count(out, "CVE-") != 4 {
		t.Errorf("findings:\n%s", out)
	}
	out = mustRun(t, db, "vuln", "show", "GHSA-qxp5-gwg8-xv66")
	if !strings.Contains(out, "CVE-2025-22870") || !strings.Contains(out, "GO-2025-3503") || !strings.Contains(out, "Shipped in 2") {
		t.Errorf("vuln show:\n%s", out)
	}
	out = mustRun(t, db, "vuln", "impact", "CVE-2023-45288")
	if !strings.Contains(out, "2 affected component version(s); 2 in released products") {
		t.Errorf("vuln impact:\n%s", out)
	}
	if code, _, errs := run(t, db, "vuln", "show", "CVE-1999-0001"); code != 3 || !strings.Contains(errs, "no vulnerability") {
		t.Errorf("unknown vuln: exit %d %s", code, errs)
	}
	if code, out, _ := run(t, db, "vulndb", "import", writeFile(t, "broken.zip", "PK not a zip")); code != 1 || !strings.Contains(out, "FAILED") {
		t.Errorf("broken zip: exit %d %s", code, out)
	}
	out = mustRun(t, db, "vulndb", "status")
	if !strings.Contains(out, "error") {
		t.Errorf("status after a failed import:\n%s", out)
	}
}

func writeFileDB(t *testing.T) string { return filepath.Join(t.TempDir(), "cradle.db") }
