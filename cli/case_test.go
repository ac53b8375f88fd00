package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCaseCommands walks a case from opening to the security update that
// fixes it, through the command line only.
func TestCaseCommands(t *testing.T) {
	db := writeFileDB(t)
	mustRun(t, db, "product", "create", "--name", "GW", "--manufacturer", "Northwind")
	mustRun(t, db, "release", "create", "--product", "GW", "--version", "1", "--lifecycle", "released")
	mustRun(t, db, "release", "create", "--product", "GW", "--version", "1.1", "--lifecycle", "released")
	mustRun(t, db, "sbom", "import", "--product", "GW", "--release", "1", writeFile(t, "gw.cdx.json", vulnBOM))
	mustRun(t, db, "vulndb", "import", "testdata/osv/Go")

	// Invalid input: exit 2 with the field named, nothing stored.
	code, _, errs := run(t, db, "case", "open", "--title", "x", "--cvss3", "CVSS:3.1/AV:Q")
	if code != 2 || !strings.Contains(errs, "cvss_v3") {
		t.Fatalf("bad vector: exit %d %s", code, errs)
	}
	if code, _, errs := run(t, db, "case", "open", "--title", "x", "--aware", "2999-01-01 00:00"); code != 2 || !strings.Contains(errs, "future") {
		t.Fatalf("future awareness: exit %d %s", code, errs)
	}
	if out := mustRun(t, db, "case", "list"); !strings.Contains(out, "No cases") {
		t.Fatalf("rejected cases were stored:\n%s", out)
	}

	out := mustRun(t, db, "case", "open", "--title", "HTTP/2 flood in x/net", "--vuln", "CVE-2023-45288", "--component", "golang.org/x/net",
		"--cvss3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "--suggest", "--exploited", "--aware", "now")
	if !strings.Contains(out, "Opened CASE-1") || !strings.Contains(out, "high") || !strings.Contains(out, "1 release(s)") {
		t.Fatalf("case open: %s", out)
	}
	mustRun(t, db, "case", "update", "CASE-1", "--validity", "valid", "--decision", "fix", "--cwe", "CWE-400")
	if code, _, errs := run(t, db, "case", "status", "CASE-1", "--product", "GW", "--release", "1", "--status", "affected"); code != 2 || !strings.Contains(errs, "action_statement") {
		t.Fatalf("affected without action: exit %d %s", code, errs)
	}
	mustRun(t, db, "case", "status", "CASE-1", "--product", "GW", "--release", "1", "--status", "affected", "--action", "Update to 1.1")
	out = mustRun(t, db, "case", "show", "CASE-1")
	for _, want := range []string{"CWE-400", "Update to 1.1", "Early warning", "Final report", "waiting"} {
		if !strings.Contains(out, want) {
			t.Errorf("case show lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, db, "case", "art14", "CASE-1", "--stage", "early_warning")
	if !strings.Contains(out, "Member States") || !strings.Contains(out, "[missing: fill in]") {
		t.Errorf("draft: %s", out)
	}
	mustRun(t, db, "case", "submit", "CASE-1", "--stage", "early_warning", "--reference", "EW-1")
	mustRun(t, db, "subscriber", "add", "--email", "ops@customer.example", "--product", "GW")
	mustRun(t, db, "update", "create", "--product", "GW", "--release", "1.1", "--case", "CASE-1", "--summary", "Fixes the flood",
		"--install", "Upload", "--verify", "Check the hash", "--qualification", "Regression suite", "--sha256", strings.Repeat("a", 64))
	var shown struct {
		Case struct {
			FixAvailable string `json:"fix_available_at"`
			Releases     []struct {
				Version, Status string
			} `json:"releases"`
		} `json:"case"`
		Deadlines []struct{ Stage, State string } `json:"deadlines"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, db, "case", "show", "CASE-1", "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Case.FixAvailable == "" || len(shown.Case.Releases) != 2 || shown.Case.Releases[1].Status != "fixed" {
		t.Fatalf("after the update: %+v", shown)
	}
	if shown.Deadlines[0].State != "submitted" || shown.Deadlines[2].State != "open" {
		t.Fatalf("deadlines after the update: %+v", shown.Deadlines)
	}
	if out := mustRun(t, db, "update", "time-to-fix"); !strings.Contains(out, "high") {
		t.Errorf("time to fix:\n%s", out)
	}
	if out := mustRun(t, db, "policy", "--critical", "5"); !strings.Contains(out, "5 days") {
		t.Errorf("policy: %s", out)
	}
	if code, _, errs := run(t, db, "policy", "--critical", "500"); code != 2 || !strings.Contains(errs, "critical") {
		t.Errorf("policy that grows with severity: exit %d %s", code, errs)
	}
	out = mustRun(t, db, "case", "review", "--notes", "Weekly PSIRT review")
	if !strings.Contains(out, "1 open case(s)") {
		t.Errorf("review: %s", out)
	}
	if code, _, _ := run(t, db, "case", "show", "CASE-77"); code != 3 {
		t.Errorf("unknown case: exit %d", code)
	}
}
