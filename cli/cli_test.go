package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle/cli"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// run runs the CLI in-process and returns exit code, stdout and stderr.
func run(t *testing.T, db string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if db != "" {
		args = append(args, "--db", db)
	}
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	code, out, errs := run(t, db, args...)
	if code != 0 {
		t.Fatalf("cradle %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const smallBOM = `{
  "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "metadata": {"component": {"bom-ref": "app", "type": "application", "name": "gateway-fw", "version": "2.4.1"}},
  "components": [
    {"bom-ref": "log4j", "type": "library", "group": "org.apache.logging.log4j", "name": "log4j-core", "version": "2.14.1",
     "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "licenses": [{"license": {"id": "Apache-2.0"}}]},
    {"bom-ref": "api", "type": "library", "group": "org.apache.logging.log4j", "name": "log4j-api", "version": "2.14.1",
     "purl": "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"},
    {"bom-ref": "zlib", "type": "library", "name": "zlib", "version": "1.2.13", "purl": "pkg:generic/zlib@1.2.13",
     "cpe": "cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*"}
  ],
  "dependencies": [
    {"ref": "app", "dependsOn": ["log4j", "zlib"]},
    {"ref": "log4j", "dependsOn": ["api"]}
  ]
}`

func TestCLIWorkflow(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			db := storetest.DSN(t, engine)
			if engine != "sqlite" {
				mustRun(t, db, "migrate")
			}
			bom := writeFile(t, "bom.cdx.json", smallBOM)
			mustRun(t, db, "product", "create", "--name", "Edge Gateway", "--class", "important-class-i",
				"--support-start", "2025-01-01", "--support-end", "2035-01-01", "--support-rationale", "10 years in the field")
			mustRun(t, db, "release", "create", "--product", "Edge Gateway", "--version", "2.4.1", "--lifecycle", "released", "--date", "2025-06-01")
			mustRun(t, db, "release", "create", "--product", "Edge Gateway", "--version", "2.5.0")
			out := mustRun(t, db, "sbom", "import", "--product", "Edge Gateway", "--release", "2.4.1", bom)
			if !strings.Contains(out, "4 components, 3 dependency edges") {
				t.Errorf("import output: %s", out)
			}
			out = mustRun(t, db, "sbom", "import", "--product", "Edge Gateway", "--release", "2.4.1", bom)
			if !strings.Contains(out, "Unchanged") {
				t.Errorf("re-import output: %s", out)
			}

			// Export in each format and import the export into another release:
			// the same components and edges come back.
			var first string
			for _, format := range []string{"cyclonedx-json", "cyclonedx-xml", "spdx-json"} {
				exp := filepath.Join(t.TempDir(), "export")
				mustRun(t, db, "sbom", "export", "--product", "Edge Gateway", "--release", "2.4.1", "--format", format, "-o", exp)
				mustRun(t, db, "sbom", "import", "--product", "Edge Gateway", "--release", "2.5.0", exp)
				got := mustRun(t, db, "component", "search", "pkg:", "--json")
				var res struct {
					Items []struct {
						Release   string
						Component struct {
							Name, Version, PURL, Licenses string
							Depth                         int
						}
					}
					Total int
				}
				if err := json.Unmarshal([]byte(got), &res); err != nil {
					t.Fatal(err)
				}
				if res.Total != 6 {
					t.Errorf("%s: %d purl components across releases, want 6 (3 per release)", format, res.Total)
				}
				var sig []string
				for _, it := range res.Items {
					if it.Release == "2.5.0" {
						c := it.Component
						sig = append(sig, c.Name+" "+c.Version+" "+c.PURL+" "+c.Licenses+" "+string(rune('0'+c.Depth)))
					}
				}
				s := strings.Join(sig, "\n")
				if first == "" {
					first = s
				} else if s != first {
					t.Errorf("%s round trip differs:\n%s\nvs\n%s", format, s, first)
				}
			}

			out = mustRun(t, db, "component", "search", "pkg:maven/org.apache.logging.log4j/log4j-core")
			if !strings.Contains(out, "Edge Gateway") || !strings.Contains(out, "direct") || !strings.Contains(out, "2.4.1") {
				t.Errorf("search output:\n%s", out)
			}
			out = mustRun(t, db, "component", "search", "log4j-api")
			if !strings.Contains(out, "transitive") {
				t.Errorf("transitive search output:\n%s", out)
			}
			out = mustRun(t, db, "sbom", "list", "--product", "Edge Gateway", "--release", "2.5.0")
			if strings.Count(out, "#") != 3 || !strings.Contains(out, "current") {
				t.Errorf("sbom list:\n%s", out)
			}
			mustRun(t, db, "product", "show", "Edge Gateway")
			mustRun(t, db, "release", "show", "--product", "Edge Gateway", "--version", "2.4.1")
			out = mustRun(t, db, "user", "create", "--email", "ci@example.com", "--role", "developer")
			if !strings.Contains(out, "Password (shown once)") {
				t.Errorf("user create: %s", out)
			}
			out = mustRun(t, db, "token", "create", "--user", "ci@example.com", "--name", "pipeline")
			if !strings.Contains(out, "cradle_") {
				t.Errorf("token create: %s", out)
			}
			out = mustRun(t, db, "audit", "verify")
			if !strings.Contains(out, "intact") {
				t.Errorf("audit verify: %s", out)
			}
		})
	}
}

func TestCLIErrors(t *testing.T) {
	db := storetest.DSN(t, "sqlite")
	mustRun(t, db, "product", "create", "--name", "P")
	mustRun(t, db, "release", "create", "--product", "P", "--version", "1")
	bad := writeFile(t, "bad.json", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library"}]}`)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"product", "frobnicate"}, 2, "unknown subcommand"},
		{[]string{"product", "create", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"product", "create", "--name", "P"}, 4, "already exists"},
		{[]string{"product", "create", "--name", "Q", "--class", "premium"}, 2, "cra_class"},
		{[]string{"product", "show", "Nope"}, 3, "no product"},
		{[]string{"release", "create", "--product", "Nope", "--version", "1"}, 3, "no product"},
		{[]string{"sbom", "import", "--product", "P", "--release", "9", bad}, 3, "no release"},
		{[]string{"sbom", "import", "--product", "P", "--release", "1", bad}, 2, "bad.json"},
		{[]string{"sbom", "import", "--product", "P", "--release", "1", "/does/not/exist.json"}, 2, "cannot read"},
		{[]string{"sbom", "import", "--product", "P", "--release", "1", "--max-size", "10", bad}, 2, "larger than the limit"},
		{[]string{"sbom", "export", "--product", "P", "--release", "1"}, 3, "no SBOM"},
		{[]string{"sbom", "export", "--product", "P", "--release", "1", "--format", "pdf"}, 2, "unknown --format"},
		{[]string{"user", "create", "--email", "not-an-email", "--role", "admin"}, 2, "email"},
		{[]string{"user", "create", "--email", "a@example.com", "--role", "king"}, 2, "role"},
		{[]string{"token", "create", "--user", "ghost@example.com", "--name", "x"}, 3, "no user"},
	} {
		code, out, errs := run(t, db, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("cradle %s: exit %d, output %q; want exit %d mentioning %q", strings.Join(tc.args, " "), code, out+errs, tc.code, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{{[]string{"nope"}, "unknown command"}, {[]string{"product"}, "needs a subcommand"}} {
		if code, out, errs := run(t, "", tc.args...); code != 2 || !strings.Contains(out+errs, tc.want) {
			t.Errorf("cradle %s: exit %d, %q", strings.Join(tc.args, " "), code, out+errs)
		}
	}
	// Nothing above changed the release.
	out := mustRun(t, db, "sbom", "list", "--product", "P", "--release", "1")
	if !strings.Contains(out, "No SBOMs") {
		t.Errorf("a failed import left something behind:\n%s", out)
	}
	// --json errors are machine-readable.
	code, _, errs := run(t, db, "product", "show", "Nope", "--json")
	var body struct {
		Error struct{ Code, Message string }
	}
	if code != 3 || json.Unmarshal([]byte(errs), &body) != nil || body.Error.Code != "not_found" {
		t.Errorf("--json error: exit %d, %q", code, errs)
	}
}

func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"serve", "--help"}, {"migrate", "--help"}, {"demo", "--help"},
		{"product", "--help"}, {"product", "create", "--help"}, {"product", "list", "--help"}, {"product", "show", "--help"},
		{"release", "create", "--help"}, {"release", "list", "--help"}, {"release", "show", "--help"},
		{"sbom", "import", "--help"}, {"sbom", "export", "--help"}, {"sbom", "list", "--help"},
		{"component", "search", "--help"}, {"user", "create", "--help"}, {"user", "list", "--help"},
		{"token", "create", "--help"}, {"audit", "verify", "--help"},
	} {
		code, out, errs := run(t, "", args...)
		if code != 0 || !strings.Contains(out+errs, "Usage") {
			t.Errorf("cradle %s: exit %d, %q", strings.Join(args, " "), code, out+errs)
		}
	}
}

func TestDemo(t *testing.T) {
	db := storetest.DSN(t, "sqlite")
	out := mustRun(t, db, "demo")
	if !strings.Contains(out, "3 products") {
		t.Errorf("demo: %s", out)
	}
	out = mustRun(t, db, "component", "search", "pkg:maven/org.apache.logging.log4j/log4j-core")
	if !strings.Contains(out, "HMI Studio") || !strings.Contains(out, "7.8.0") {
		t.Errorf("demo search:\n%s", out)
	}
	out = mustRun(t, db, "demo")
	if !strings.Contains(out, "already has products") {
		t.Errorf("second demo: %s", out)
	}
}
