package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCSAFValidateCommand(t *testing.T) {
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA not set: skipping csaf validate against the OASIS test files")
	}
	data := filepath.Join(dir, "conformance/csaf/2.0/test/validator/data/mandatory")
	bad := filepath.Join(data, "oasis_csaf_tc-csaf_2_0-2021-6-1-02-01.json")
	good := filepath.Join(data, "oasis_csaf_tc-csaf_2_0-2021-6-1-01-11.json")
	code, out, _ := run(t, "", "csaf", "validate", bad, good)
	if code != 1 || !strings.Contains(out, "INVALID: failed 6.1.2") || !strings.Contains(out, "/product_tree/full_product_names/1/product_id") ||
		!strings.Contains(out, "1 valid, 1 invalid") {
		t.Errorf("mixed: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "csaf", "validate", "--json", good)
	var res struct {
		Valid     int `json:"valid"`
		Documents []struct {
			Valid bool `json:"valid"`
		} `json:"documents"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Valid != 1 || !res.Documents[0].Valid {
		t.Errorf("valid --json: exit %d\n%s", code, out)
	}
	if code, _, errs := run(t, "", "csaf", "validate", writeFile(t, "x.json", "{not json")); code != 2 || !strings.Contains(errs, "could not be read") {
		t.Errorf("broken JSON: exit %d %s", code, errs)
	}
	if code, _, _ := run(t, "", "csaf", "validate", "/nonexistent.json"); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
}

// TestAdvisoryAndVEXCommands publishes an advisory and exports the
// provider tree and the product's VEX from the command line.
func TestAdvisoryAndVEXCommands(t *testing.T) {
	db := writeFileDB(t)
	mustRun(t, db, "product", "create", "--name", "GW", "--manufacturer", "Northwind")
	mustRun(t, db, "release", "create", "--product", "GW", "--version", "1", "--lifecycle", "released")
	mustRun(t, db, "sbom", "import", "--product", "GW", "--release", "1", writeFile(t, "gw.cdx.json", vulnBOM))
	mustRun(t, db, "vulndb", "import", "testdata/osv/Go")
	mustRun(t, db, "case", "open", "--title", "HTTP/2 flood", "--vuln", "CVE-2023-45288", "--component", "golang.org/x/net", "--suggest",
		"--cvss3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H")
	mustRun(t, db, "case", "status", "CASE-1", "--product", "GW", "--release", "1", "--status", "affected", "--action", "Update to 1.1")
	mustRun(t, db, "advisory", "create", "--case", "CASE-1", "--title", "DoS in GW", "--summary", "GW 1 is affected.")
	// Without publisher settings the advisory cannot be rendered.
	if code, _, errs := run(t, db, "advisory", "publish", "SA-2026-0001", "--summary", "Initial"); code == 0 || !strings.Contains(errs, "publisher") {
		t.Fatalf("publish unconfigured: exit %d %s", code, errs)
	}
	// VEX: a supplier statement about the component is applied; the export
	// says so.
	vexDoc := writeFile(t, "supplier.openvex.json", `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://supplier.example/vex/1",
	"author":"Supplier","timestamp":"2026-11-01T00:00:00Z","version":1,"statements":[{"vulnerability":{"name":"CVE-2025-22870"},
	"products":[{"@id":"pkg:golang/golang.org/x/net@v0.17.0"}],"status":"not_affected","justification":"vulnerable_code_not_present"}]}`)
	out := mustRun(t, db, "vex", "import", "--product", "GW", vexDoc)
	if !strings.Contains(out, "1 decision(s)") {
		t.Errorf("vex import: %s", out)
	}
	out = mustRun(t, db, "vex", "export", "--product", "GW")
	if !strings.Contains(out, `"vulnerable_code_not_present"`) || !strings.Contains(out, "under_investigation") {
		t.Errorf("vex export:\n%s", out)
	}
	if code, _, errs := run(t, db, "vex", "import", "--product", "GW", writeFile(t, "bad.json", `{"@context":"https://openvex.dev/ns/v0.2.0"}`)); code != 2 {
		t.Errorf("bad VEX: exit %d %s", code, errs)
	}
}
