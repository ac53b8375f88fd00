package results

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
)

// corpus returns the shared test data folder, or skips the test.
func corpus(t testing.TB, sub string) string {
	t.Helper()
	root := os.Getenv("CRADLE_TEST_DATA")
	if root == "" {
		t.Skip("CRADLE_TEST_DATA is not set (e.g. CRADLE_TEST_DATA=/work/shared/data): skipping the conformance corpus")
	}
	dir := filepath.Join(root, sub)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("CRADLE_TEST_DATA: %v", err)
	}
	return dir
}

// countResults counts runs[].results without this package's decoder.
func countResults(t *testing.T, data []byte) (version string, n int) {
	t.Helper()
	data = []byte(strings.TrimPrefix(string(data), "\ufeff"))
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("independent count: %v", err)
	}
	version, _ = doc["version"].(string)
	runs, _ := doc["runs"].([]any)
	for _, r := range runs {
		run, _ := r.(map[string]any)
		rs, _ := run["results"].([]any)
		n += len(rs)
	}
	return version, n
}

func TestToolOutputs(t *testing.T) {
	dir := corpus(t, "conformance/sarif/tool-outputs")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	decoded := 0
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "LICENSE") {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			version, want := countResults(t, data)
			rep, err := Decode(filepath.Base(f), data)
			if version != "2.1.0" {
				// Three files are pre-standard SARIF 2.0 drafts (tool.name
				// instead of tool.driver, fileLocation instead of
				// artifactLocation): rejected, naming the version.
				if err == nil || cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), version) {
					t.Fatalf("version %q: want an invalid error naming it, got %v", version, err)
				}
				t.Logf("rejected as expected: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			decoded++
			if len(rep.Results) != want {
				t.Errorf("results: got %d, want %d", len(rep.Results), want)
			}
			seen := map[string]bool{}
			for i, r := range rep.Results {
				if r.Tool == "" || len(r.Fingerprint) != 64 || r.Severity == "" || r.Level == "" {
					t.Errorf("result %d incomplete: %+v", i, r)
				}
				if seen[r.Fingerprint] {
					t.Errorf("result %d: duplicate fingerprint %s", i, r.Fingerprint)
				}
				seen[r.Fingerprint] = true
			}
			for _, w := range rep.Warnings {
				t.Logf("warning: %s", w)
			}
		})
	}
	t.Logf("%d tool outputs decoded", decoded)
}

func TestNginxScanners(t *testing.T) {
	dir := corpus(t, "conformance/sarif/tool-outputs")
	find := func(rep *Report, rule string) Result {
		t.Helper()
		for _, r := range rep.Results {
			if r.RuleID == rule {
				return r
			}
		}
		t.Fatalf("no result for rule %s", rule)
		return Result{}
	}
	load := func(file string) *Report {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Decode(file, data)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Kind != KindContainer {
			t.Errorf("%s: kind %q, want container", file, rep.Kind)
		}
		return rep
	}

	trivy := load("nginx-trivy.sarif.json")
	if trivy.Tools[0].Name != "Trivy" || trivy.Tools[0].InformationURI != "https://github.com/aquasecurity/trivy" {
		t.Errorf("trivy tool: %+v", trivy.Tools[0])
	}
	r := find(trivy, "CVE-2011-3374")
	// security-severity of CVE-2011-3374 in trivy's rule is 2.0; level note.
	if r.Severity != SeverityLow || r.Level != "note" || r.RuleName != "OsPackageVulnerability" {
		t.Errorf("trivy CVE-2011-3374: %+v", r)
	}
	// ROOTPATH is file:///, so library/nginx resolves to file:///library/nginx.
	if r.URI != "file:///library/nginx" || r.Location != "file:///library/nginx:1:1" {
		t.Errorf("trivy location: %q %q", r.URI, r.Location)
	}
	counts := map[string]int{}
	for _, r := range trivy.Results {
		counts[r.Severity]++
	}
	t.Logf("trivy severities: %v", counts)
	// Trivy's security-severity values here run from 2.0 to 8.8.
	if counts[SeverityCritical] != 0 || counts[SeverityHigh] == 0 || counts[SeverityMedium] == 0 {
		t.Errorf("trivy: expected high and medium findings from security-severity, got %v", counts)
	}

	grype := load("nginx-grype.sarif.json")
	if grype.Tools[0].Name != "Grype" || grype.Tools[0].Version != "0.63.0" {
		t.Errorf("grype tool: %+v", grype.Tools[0])
	}
	g := find(grype, "CVE-2005-2541-tar")
	// Grype rates it 10.0 in the rule's security-severity; the result
	// has no level (warning by default), so the score decides.
	if g.Severity != SeverityCritical || g.Level != "warning" || g.URI != "image//usr/share/doc/tar/copyright" || g.Line != 1 {
		t.Errorf("grype CVE-2005-2541-tar: %+v", g)
	}

	snyk := load("nginx-snyk.sarif.json")
	if len(snyk.Tools) != 2 || snyk.Tools[0].Name != "Snyk Container" {
		t.Errorf("snyk tools: %+v", snyk.Tools)
	}
	s := find(snyk, "SNYK-DEBIAN12-APT-1541449")
	// Snyk gives no security-severity here: the level (note) decides.
	if s.Severity != SeverityLow || s.Location != "nginx@sha256_13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0:1:1" {
		t.Errorf("snyk: %+v", s)
	}
}

func TestSpotChecks(t *testing.T) {
	dir := corpus(t, "conformance/sarif/tool-outputs")
	for _, c := range []struct {
		file, tool, rule, location, severity string
	}{
		{"MSBuild-SomeErrors.txt.sarif", "MSBuild", "", "", ""},
		{"Pylint-Pylint-01.json.sarif", "Pylint", "", "", ""},
		{"SemmleQL-Simple.csv.sarif", "Semmle QL", "", "", SeverityHigh},
		{"FxCop-FxCopExceptions.xml.sarif", "FxCop", "", "", ""},
	} {
		data, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Decode(c.file, data)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if rep.Tools[0].Name != c.tool {
			t.Errorf("%s: tool %q, want %q", c.file, rep.Tools[0].Name, c.tool)
		}
		if len(rep.Results) > 0 {
			r := rep.Results[0]
			t.Logf("%s: first result %s %s %s %s %q", c.file, r.RuleID, r.Severity, r.Level, r.Location, truncate(r.Message, 80))
			if c.severity != "" && r.Severity != c.severity {
				t.Errorf("%s: severity %q, want %q", c.file, r.Severity, c.severity)
			}
		}
	}
}

func TestSpecExamples(t *testing.T) {
	// The SARIF 2.1 folder holds only the schemas; the 2.2 examples are
	// version "2.2" (a draft): they must be rejected with a clear error,
	// except the one that declares 2.1.0.
	dir := corpus(t, "conformance/sarif")
	files, _ := filepath.Glob(filepath.Join(dir, "sarif-2.1", "*", "*.json"))
	more, _ := filepath.Glob(filepath.Join(dir, "sarif-2.2", "example", "*.json"))
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var probe struct {
			Version string `json:"version"`
			Runs    []any  `json:"runs"`
		}
		if json.Unmarshal(data, &probe) != nil || probe.Runs == nil {
			continue // a schema, not a log
		}
		rep, err := Decode(filepath.Base(f), data)
		switch {
		case probe.Version == "2.1.0" && err != nil:
			t.Errorf("%s: %v", f, err)
		case probe.Version != "2.1.0" && (err == nil || !strings.Contains(err.Error(), probe.Version)):
			t.Errorf("%s (version %s): want an error naming the version, got %v", f, probe.Version, err)
		case err == nil:
			t.Logf("%s: %d results, %d warnings", filepath.Base(f), len(rep.Results), len(rep.Warnings))
		}
	}
}
