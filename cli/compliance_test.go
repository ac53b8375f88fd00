package cli_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCatalogCommands(t *testing.T) {
	db := writeFileDB(t)
	out := mustRun(t, db, "catalog", "show", "iec-62443-4-1-2018", "--json")
	var c struct {
		Requirements []struct{ ID, Title, Parent string } `json:"requirements"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || len(c.Requirements) != 47 || c.Requirements[0].ID != "SM-1" || c.Requirements[0].Parent != "SM" {
		t.Fatalf("catalog show --json: %v %+v", err, c.Requirements[:1])
	}
	out = mustRun(t, db, "catalog", "export", "cra-2024-2847")
	if !strings.Contains(out, `"oscal-version"`) {
		t.Errorf("OSCAL export:\n%.300s", out)
	}
	// A custom catalogue, then a cross-walk to the built-in one; bad files are refused.
	custom := writeFile(t, "acme.json", `{"id":"acme-sdl-2026","title":"ACME SDL","version":"1","groups":[{"id":"A","title":"All"}],
	"requirements":[{"id":"A-1","title":"Threat model every product","parent":"A","kind":"product"}]}`)
	mustRun(t, db, "catalog", "import", custom)
	walk := writeFile(t, "walk.json", `{"id":"acme-to-62443","title":"ACME to 62443","version":"1","from":"acme-sdl-2026","to":"iec-62443-4-1-2018",
	"links":[{"from":"A-1","to":["SR-2","SM-99"]}]}`)
	if code, _, errs := run(t, db, "catalog", "import", walk); code != 2 || !strings.Contains(errs, "SM-99") {
		t.Errorf("cross-walk to an unknown ID: exit %d %s", code, errs)
	}
	dup := writeFile(t, "dup.json", `{"id":"dup","title":"D","version":"1","requirements":[{"id":"X","title":"x","kind":"product"},{"id":"X","title":"y","kind":"product"}]}`)
	if code, _, errs := run(t, db, "catalog", "import", dup); code != 2 || !strings.Contains(errs, "X") {
		t.Errorf("duplicate IDs: exit %d %s", code, errs)
	}
	if out := mustRun(t, db, "catalog", "list"); !strings.Contains(out, "acme-sdl-2026") || strings.Contains(out, "dup ") {
		t.Errorf("catalog list:\n%s", out)
	}
}

func TestComplianceCommands(t *testing.T) {
	db := writeFileDB(t)
	mustRun(t, db, "product", "create", "--name", "GW", "--support-start", "2024-01-01", "--support-end", "2034-01-01")
	mustRun(t, db, "release", "create", "--product", "GW", "--version", "1", "--lifecycle", "released")
	mustRun(t, db, "sbom", "import", "--product", "GW", "--release", "1", writeFile(t, "gw.cdx.json", vulnBOM))
	mustRun(t, db, "scope", "--product", "GW", "--in-scope=true", "--justification", "Networked product sold in the EU")
	if code, _, errs := run(t, db, "assess", "--product", "GW", "--requirement", "SVV-3", "--status", "done"); code != 2 || !strings.Contains(errs, "status") {
		t.Errorf("bad status: exit %d %s", code, errs)
	}
	mustRun(t, db, "assess", "--product", "GW", "--requirement", "SI-1", "--status", "met")
	mustRun(t, db, "assess", "--product", "GW", "--requirement", "SI-2", "--status", "met")
	mustRun(t, db, "evidence", "add", "--product", "GW", "--requirement", "SI-1", writeFile(t, "sast.sarif", `{"version":"2.1.0","runs":[]}`))
	mustRun(t, db, "evidence", "add", "--product", "GW", "--requirement", "SI-2", "--url", "https://wiki.example.com/coding-standard")
	if code, _, errs := run(t, db, "evidence", "add", "--product", "GW", "--requirement", "SI-2", "--record", "advisory:NOPE"); code != 2 || !strings.Contains(errs, "no advisory") {
		t.Errorf("link to a missing record: exit %d %s", code, errs)
	}
	out := mustRun(t, db, "compliance", "status", "--product", "GW")
	for _, want := range []string{"SI  ", "ML3 Defined", "SM-9", "✓ all 1 releases on the market have an SBOM"} {
		if !strings.Contains(out, want) {
			t.Errorf("compliance status lacks %q:\n%s", want, out)
		}
	}
	var st struct {
		Practices []struct {
			ID    string `json:"id"`
			Level int    `json:"level"`
		} `json:"practices"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "compliance", "status", "--product", "GW", "--json")), &st); err != nil || len(st.Practices) != 8 {
		t.Fatalf("--json: %v %+v", err, st)
	}
	if code, _, errs := run(t, db, "maturity", "--product", "GW", "--practice", "SI", "--level", "2"); code != 2 || !strings.Contains(errs, "rationale") {
		t.Errorf("override without rationale: exit %d %s", code, errs)
	}
	mustRun(t, db, "maturity", "--product", "GW", "--practice", "SI", "--level", "2", "--rationale", "SAST covers the C code only")
	if out := mustRun(t, db, "compliance", "status", "--product", "GW", "--gaps"); !strings.Contains(out, "override; computed ML3") {
		t.Errorf("gaps:\n%s", out)
	}
	// One release assessed on its own; the rest inherited.
	mustRun(t, db, "assess", "--product", "GW", "--release", "1", "--requirement", "SVV-3", "--status", "partial")
	out = mustRun(t, db, "compliance", "status", "--product", "GW", "--release", "1")
	if !strings.Contains(out, "GW 1:") || !strings.Contains(out, "SVV-3        partial") {
		t.Errorf("release status:\n%s", out)
	}
	if code, _, _ := run(t, db, "assess", "--release", "1", "--requirement", "SVV-3", "--status", "met"); code != 2 {
		t.Errorf("--release without --product: exit %d", code)
	}
	mustRun(t, db, "applicability", "--product", "GW", "--requirement", "SVV-4", "--applies=false", "--justification", "No network interface in scope")
	if out := mustRun(t, db, "compliance", "status", "--organisation"); strings.Contains(out, "SVV-4") || !strings.Contains(out, "SM-1") {
		t.Errorf("organisation status:\n%s", out)
	}
}

func TestComplianceDocumentCommand(t *testing.T) {
	db := writeFileDB(t)
	mustRun(t, db, "product", "create", "--name", "GW", "--support-start", "2024-01-01", "--support-end", "2034-01-01")
	mustRun(t, db, "release", "create", "--product", "GW", "--version", "1", "--lifecycle", "released", "--date", "2025-06-15")
	mustRun(t, db, "sbom", "import", "--product", "GW", "--release", "1", writeFile(t, "gw.cdx.json", vulnBOM))
	dir := t.TempDir()
	for _, kind := range []string{"self-assessment", "soa", "declaration", "user-information"} {
		out := filepath.Join(dir, kind+".pdf")
		mustRun(t, db, "compliance", "document", "--kind", kind, "--product", "GW", "--output", out)
		if b, err := os.ReadFile(out); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("%s: not a PDF: %v", kind, err)
		}
	}
	out := filepath.Join(dir, "bundle.zip")
	mustRun(t, db, "compliance", "document", "--kind", "technical-documentation", "--product", "GW", "--output", out)
	if zr, err := zip.OpenReader(out); err != nil || len(zr.File) < 5 {
		t.Errorf("bundle: %v", err)
	} else {
		zr.Close()
	}
	if code, _, _ := run(t, db, "compliance", "document", "--kind", "poem", "--product", "GW", "--output", out); code != 2 {
		t.Errorf("unknown kind: exit %d", code)
	}
}
