package gate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cradle-sdl/cradle"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// sampleInputs passes the default policy.
func sampleInputs() *Inputs {
	return &Inputs{
		Product: "gateway-fw", Release: "2.1.0", Lifecycle: "development",
		EvaluatedAt: now,
		SBOM:        &SBOMInput{DocumentSHA256: "ab12", Format: "cyclonedx-1.6", Components: 120, Profile: ProfileNTIA, Conforms: true},
		Findings: []Finding{
			{VulnID: "CVE-2024-0001", Component: "openssl", Version: "3.0.1", Rating: "critical", Score: 9.8, Decision: "fixed"},
			{VulnID: "CVE-2024-0002", Component: "zlib", Version: "1.2.11", Rating: "medium", Score: 5.3},
			{VulnID: "GHSA-aaaa-bbbb-cccc", Aliases: []string{"CVE-2024-0003"}, Component: "busybox", Version: "1.36", Rating: "high", Decision: "not_affected"},
		},
		ThreatModel: &ThreatModelInput{Hash: "tm1", ReviewedAt: ptr(now.AddDate(0, -3, 0)), Threats: []Threat{
			{ID: "T-1", Title: "Spoofed update", Rating: "critical", Status: "mitigated"},
			{ID: "T-2", Title: "Log injection", Rating: "low", Status: "open"},
		}},
		Results: &ResultsInput{
			Imports: []ResultImport{{Tool: "gosec", Kind: "sast", ImportedAt: now.Add(-time.Hour)}},
			Open:    []Result{{Fingerprint: "fp1", Tool: "gosec", RuleID: "G104", Severity: "low", Location: "main.go:10"}},
		},
		Evidence:    map[string]bool{"SVV-1": true, "SVV-3": true},
		SupportEnd:  "2031-12-31",
		SecurityTxt: true, CVDPolicy: true,
		Checklist: []ChecklistItem{{Name: "Release notes list security fixes", Done: true}, {Name: "Hardening guide updated", Done: true}},
	}
}

func check(d *Decision, id string) CheckResult {
	for _, c := range d.Checks {
		if c.ID == id {
			return c
		}
	}
	return CheckResult{}
}

func subjects(c CheckResult) []string {
	var s []string
	for _, r := range c.Reasons {
		s = append(s, r.Subject)
	}
	return s
}

func TestSamplePasses(t *testing.T) {
	d := Evaluate(DefaultPolicy(), sampleInputs())
	if !d.Pass || d.Failures != 0 {
		var b strings.Builder
		WriteText(&b, d)
		t.Fatalf("sample fails:\n%s", b.String())
	}
	if len(d.Checks) != len(Checks) {
		t.Fatalf("%d checks", len(d.Checks))
	}
	for _, c := range d.Checks {
		if c.Status != StatusPass {
			t.Errorf("%s: %s", c.ID, c.Status)
		}
	}
	if len(d.PolicyHash) != 64 || len(d.InputsHash) != 64 || len(d.Hash) != 64 {
		t.Fatal("hashes missing")
	}
}

// TestChecks breaks each check in turn.
func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		check    string
		mod      func(*Inputs)
		subjects []string
		resolve  string // a word the first resolve hint contains
	}{
		{"no sbom", CheckSBOM, func(in *Inputs) { in.SBOM = nil }, []string{"sbom"}, "import"},
		{"empty sbom", CheckSBOM, func(in *Inputs) { in.SBOM.Components = 0 }, []string{"components"}, "Generate"},
		{"other profile", CheckSBOM, func(in *Inputs) { in.SBOM.Profile = ProfileBSI21 }, []string{"profile"}, "ntia"},
		{"sbom fails", CheckSBOM, func(in *Inputs) {
			in.SBOM.Conforms = false
			in.SBOM.Failing = []FieldFailure{{"supplier", 3}, {"purl", 7}}
		}, []string{"purl", "supplier"}, "purl"},
		{"sbom fails unspecified", CheckSBOM, func(in *Inputs) { in.SBOM.Conforms = false }, []string{"profile"}, "quality"},
		{"undecided high", CheckFindings, func(in *Inputs) { in.Findings[1].Rating = "high" }, []string{"CVE-2024-0002"}, "not_affected"},
		{"affected still blocks", CheckFindings, func(in *Inputs) { in.Findings[0].Decision = "affected" }, []string{"CVE-2024-0001"}, "fix"},
		{"under investigation", CheckFindings, func(in *Inputs) { in.Findings[0].Decision = "under_investigation" }, []string{"CVE-2024-0001"}, "Decide"},
		{"unrated blocks", CheckFindings, func(in *Inputs) { in.Findings[1].Rating = "" }, []string{"CVE-2024-0002"}, "Decide"},
		{"unknown blocks", CheckFindings, func(in *Inputs) { in.Findings[1].Rating = "unknown" }, []string{"CVE-2024-0002"}, "Decide"},
		{"kev medium", CheckFindings, func(in *Inputs) { in.Findings[1].KEV = true }, []string{"CVE-2024-0002"}, "Decide"},
		{"no threat model", CheckThreatModel, func(in *Inputs) { in.ThreatModel = nil }, []string{"threat_model"}, "Create"},
		{"never reviewed", CheckThreatModel, func(in *Inputs) { in.ThreatModel.ReviewedAt = nil }, []string{"review"}, "Review"},
		{"review too old", CheckThreatModel, func(in *Inputs) { in.ThreatModel.ReviewedAt = ptr(now.AddDate(0, 0, -366)) }, []string{"review"}, "Review"},
		{"open high threat", CheckThreatModel, func(in *Inputs) { in.ThreatModel.Threats[1].Rating = "high" }, []string{"T-2"}, "Mitigate"},
		{"reopened threat", CheckThreatModel, func(in *Inputs) { in.ThreatModel.Threats[0].Status = "" }, []string{"T-1"}, "T-1"},
		{"no sast", CheckSAST, func(in *Inputs) { in.Results = nil }, []string{"import"}, "SARIF"},
		{"dast is not sast", CheckSAST, func(in *Inputs) { in.Results.Imports[0].Kind = "dast" }, []string{"import"}, "SARIF"},
		{"open high result", CheckSAST, func(in *Inputs) { in.Results.Open[0].Severity = "error" }, []string{"fp1"}, "main.go:10"},
		{"missing evidence", CheckSVVEvidence, func(in *Inputs) { in.Evidence["SVV-3"] = false }, []string{"SVV-3"}, "evidence add"},
		{"no evidence", CheckSVVEvidence, func(in *Inputs) { in.Evidence = nil }, []string{"SVV-1", "SVV-3"}, "SVV-1"},
		{"no support end", CheckSupportPeriod, func(in *Inputs) { in.SupportEnd = "" }, []string{"support_end"}, "--support-end"},
		{"bad support end", CheckSupportPeriod, func(in *Inputs) { in.SupportEnd = "soon" }, []string{"support_end"}, "--support-end"},
		{"support ended", CheckSupportPeriod, func(in *Inputs) { in.SupportEnd = "2026-05-31" }, []string{"support_end"}, "Extend"},
		{"no security.txt", CheckDisclosure, func(in *Inputs) { in.SecurityTxt = false }, []string{"security.txt"}, "security.txt"},
		{"no cvd", CheckDisclosure, func(in *Inputs) { in.CVDPolicy = false }, []string{"cvd_policy"}, "CVD"},
		{"item open", CheckSDLChecklist, func(in *Inputs) { in.Checklist[1].Done = false }, []string{"Hardening guide updated"}, "Complete"},
		{"no checklist", CheckSDLChecklist, func(in *Inputs) { in.Checklist = nil }, []string{"checklist"}, "SM-12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := sampleInputs()
			tc.mod(in)
			d := Evaluate(DefaultPolicy(), in)
			if d.Pass {
				t.Fatal("passes")
			}
			for _, c := range d.Checks {
				if c.ID != tc.check && c.Status != StatusPass {
					t.Errorf("check %s also %s: %v", c.ID, c.Status, c.Reasons)
				}
			}
			c := check(d, tc.check)
			if c.Status != StatusFail || !slices.Equal(subjects(c), tc.subjects) {
				t.Fatalf("%s: %s %q, want fail %q", tc.check, c.Status, subjects(c), tc.subjects)
			}
			if d.Failures != len(tc.subjects) {
				t.Errorf("failures %d", d.Failures)
			}
			for _, r := range c.Reasons {
				if r.Message == "" || r.Resolve == "" {
					t.Errorf("reason without text: %+v", r)
				}
			}
			if !strings.Contains(c.Reasons[0].Resolve, tc.resolve) {
				t.Errorf("resolve %q lacks %q", c.Reasons[0].Resolve, tc.resolve)
			}
			// Disabling the check makes the gate pass.
			p := DefaultPolicy()
			setEnabled(p, tc.check, false)
			d = Evaluate(p, in)
			if !d.Pass || check(d, tc.check).Status != StatusDisabled || len(check(d, tc.check).Reasons) != 0 {
				t.Errorf("disabled: pass=%t %+v", d.Pass, check(d, tc.check))
			}
		})
	}
}

func setEnabled(p *Policy, id string, on bool) {
	switch id {
	case CheckSBOM:
		p.SBOM.Enabled = on
	case CheckFindings:
		p.Findings.Enabled = on
	case CheckThreatModel:
		p.ThreatModel.Enabled = on
	case CheckSAST:
		p.SAST.Enabled = on
	case CheckSVVEvidence:
		p.SVVEvidence.Enabled = on
	case CheckSupportPeriod:
		p.SupportPeriod.Enabled = on
	case CheckDisclosure:
		p.Disclosure.Enabled = on
	case CheckSDLChecklist:
		p.SDLChecklist.Enabled = on
	}
}

func TestDisableViaYAML(t *testing.T) {
	var b strings.Builder
	for _, c := range Checks {
		fmt.Fprintf(&b, "%s:\n  enabled: false\n", c.ID)
	}
	p, err := ParsePolicy("off.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	d := Evaluate(p, &Inputs{EvaluatedAt: now})
	if !d.Pass {
		t.Fatal("all disabled, empty inputs: fails")
	}
	for _, c := range d.Checks {
		if c.Status != StatusDisabled {
			t.Errorf("%s %s", c.ID, c.Status)
		}
	}
	// The default on empty inputs fails every check but findings.
	d = Evaluate(nil, &Inputs{EvaluatedAt: now})
	for _, c := range d.Checks {
		if (c.Status != StatusFail) != (c.ID == CheckFindings) {
			t.Errorf("empty inputs: %s %s", c.ID, c.Status)
		}
	}
	// A nil Inputs does not panic.
	if Evaluate(nil, nil).Pass {
		t.Error("nil inputs pass")
	}
}

func TestSeverityThresholds(t *testing.T) {
	ratings := []string{"none", "low", "medium", "high", "critical"}
	for ti, threshold := range ratings {
		for ri, rating := range ratings {
			p := DefaultPolicy()
			p.Findings.MaxSeverity = threshold
			p.ThreatModel.MaxOpenSeverity = threshold
			p.SAST.MaxSeverity = threshold
			in := sampleInputs()
			in.Findings = []Finding{{VulnID: "CVE-1", Component: "c", Rating: rating}}
			in.ThreatModel.Threats = []Threat{{ID: "T-9", Rating: rating, Status: "open"}}
			in.Results.Open = []Result{{Fingerprint: "f", Severity: rating}}
			d := Evaluate(p, in)
			want := ri >= ti
			for _, id := range []string{CheckFindings, CheckThreatModel, CheckSAST} {
				if got := check(d, id).Status == StatusFail; got != want {
					t.Errorf("%s: rating %s, threshold %s: fails=%t", id, rating, threshold, got)
				}
			}
		}
	}
}

func TestKEV(t *testing.T) {
	in := sampleInputs()
	in.Findings = []Finding{{VulnID: "CVE-9", Component: "c", Rating: "low", KEV: true}}
	if d := Evaluate(DefaultPolicy(), in); check(d, CheckFindings).Status != StatusFail ||
		!strings.Contains(check(d, CheckFindings).Reasons[0].Message, "KEV") {
		t.Fatalf("KEV low passes: %+v", check(d, CheckFindings))
	}
	in.Findings[0].Rating = "none"
	if d := Evaluate(DefaultPolicy(), in); d.Pass {
		t.Fatal("KEV none passes")
	}
	in.Findings[0].Decision = "not_affected"
	if d := Evaluate(DefaultPolicy(), in); !d.Pass {
		t.Fatal("decided KEV fails")
	}
	in.Findings[0].Decision = ""
	p := DefaultPolicy()
	p.Findings.KEV = false
	if d := Evaluate(p, in); !d.Pass {
		t.Fatal("kev: false still blocks a low KEV finding")
	}
}

func TestFindingOrder(t *testing.T) {
	in := sampleInputs()
	in.Findings = []Finding{
		{VulnID: "CVE-3", Component: "a", Rating: "high"},
		{VulnID: "CVE-1", Component: "a", Rating: "critical"},
		{VulnID: "CVE-2", Component: "a", Rating: "low", KEV: true},
		{VulnID: "CVE-0", Component: "a"},
	}
	got := subjects(check(Evaluate(nil, in), CheckFindings))
	want := []string{"CVE-2", "CVE-0", "CVE-1", "CVE-3"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestExceptions(t *testing.T) {
	base := func() *Inputs {
		in := sampleInputs()
		in.Findings = append(in.Findings,
			Finding{VulnID: "GHSA-xxxx-yyyy-zzzz", Aliases: []string{"CVE-2025-1111"}, Component: "lib", Rating: "critical"},
			Finding{VulnID: "CVE-2025-2222", Component: "lib", Rating: "high"})
		return in
	}
	ex := func(id, check, subject string, expires time.Time) Exception {
		return Exception{ID: id, Check: check, Subject: subject, Approver: "ciso@example.com", Reason: "mitigated by network isolation", Expires: expires, CreatedAt: now.AddDate(0, -1, 0)}
	}
	later := now.AddDate(0, 1, 0)

	t.Run("subject by alias", func(t *testing.T) {
		in := base()
		in.Exceptions = []Exception{ex("EX-1", CheckFindings, "cve-2025-1111", later)}
		d := Evaluate(nil, in)
		c := check(d, CheckFindings)
		if c.Status != StatusFail || d.Failures != 1 || c.Reasons[0].ExceptionID != "EX-1" || c.Reasons[1].ExceptionID != "" {
			t.Fatalf("%+v", c)
		}
		if d.Exceptions[0].Status != ExceptionApplied || d.Exceptions[0].Covered != 1 {
			t.Fatalf("%+v", d.Exceptions)
		}
	})
	t.Run("all subjects excepted", func(t *testing.T) {
		in := base()
		in.Exceptions = []Exception{ex("EX-1", CheckFindings, "GHSA-xxxx-yyyy-zzzz", later), ex("EX-2", CheckFindings, "CVE-2025-2222", later)}
		d := Evaluate(nil, in)
		if !d.Pass || check(d, CheckFindings).Status != StatusExcepted {
			t.Fatalf("%+v", check(d, CheckFindings))
		}
	})
	t.Run("whole check", func(t *testing.T) {
		in := base()
		in.Exceptions = []Exception{ex("EX-3", CheckFindings, "", later)}
		d := Evaluate(nil, in)
		if !d.Pass || check(d, CheckFindings).Status != StatusExcepted || d.Exceptions[0].Covered != 2 {
			t.Fatalf("%+v %+v", check(d, CheckFindings), d.Exceptions)
		}
	})
	t.Run("expired", func(t *testing.T) {
		in := base()
		in.Exceptions = []Exception{ex("EX-4", CheckFindings, "", now)} // expiring at the instant: expired
		d := Evaluate(nil, in)
		c := check(d, CheckFindings)
		if d.Pass || c.Status != StatusFail || d.Exceptions[0].Status != ExceptionExpired {
			t.Fatalf("%+v %+v", c, d.Exceptions)
		}
		if !strings.Contains(c.Reasons[0].Resolve, "EX-4 does not apply (expired") {
			t.Fatalf("resolve %q", c.Reasons[0].Resolve)
		}
		in.Exceptions[0].Expires = now.Add(time.Second)
		if d := Evaluate(nil, in); !d.Pass {
			t.Fatal("unexpired exception does not apply")
		}
	})
	t.Run("no approver", func(t *testing.T) {
		in := base()
		e := ex("EX-5", CheckFindings, "", later)
		e.Approver = " "
		in.Exceptions = []Exception{e}
		d := Evaluate(nil, in)
		if d.Pass || d.Exceptions[0].Status != ExceptionInvalid || !strings.Contains(d.Exceptions[0].Note, "approver") {
			t.Fatalf("%+v", d.Exceptions)
		}
	})
	t.Run("no reason", func(t *testing.T) {
		in := base()
		e := ex("EX-6", CheckFindings, "", later)
		e.Reason = ""
		in.Exceptions = []Exception{e}
		if d := Evaluate(nil, in); d.Pass || d.Exceptions[0].Status != ExceptionInvalid {
			t.Fatalf("%+v", d.Exceptions)
		}
	})
	t.Run("future", func(t *testing.T) {
		in := base()
		e := ex("EX-7", CheckFindings, "", later)
		e.CreatedAt = now.Add(time.Hour)
		in.Exceptions = []Exception{e}
		if d := Evaluate(nil, in); d.Pass || d.Exceptions[0].Status != ExceptionFuture {
			t.Fatalf("%+v", d.Exceptions)
		}
	})
	t.Run("other check, unused", func(t *testing.T) {
		in := base()
		in.Exceptions = []Exception{ex("EX-8", CheckSAST, "", later)}
		d := Evaluate(nil, in)
		if d.Pass || d.Exceptions[0].Status != ExceptionUnused {
			t.Fatalf("%+v", d.Exceptions)
		}
	})
	t.Run("other checks", func(t *testing.T) {
		in := sampleInputs()
		in.ThreatModel.Threats[1].Rating = "critical"
		in.Results.Open[0].Severity = "critical"
		in.Evidence = nil
		in.Exceptions = []Exception{ex("A", CheckThreatModel, "T-2", later), ex("B", CheckSAST, "fp1", later), ex("C", CheckSVVEvidence, "svv-1", later)}
		d := Evaluate(nil, in)
		if d.Failures != 1 || !slices.Equal(subjects(check(d, CheckSVVEvidence)), []string{"SVV-1", "SVV-3"}) || check(d, CheckSVVEvidence).Reasons[1].ExceptionID != "" {
			t.Fatalf("%d failures %+v", d.Failures, d.Checks)
		}
	})
}

func TestValidateException(t *testing.T) {
	ok := Exception{ID: "EX-1", Check: CheckFindings, Subject: "CVE-1", Approver: "a", Reason: "r", Expires: now.Add(time.Hour), CreatedAt: now}
	if err := ValidateException(ok, now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mod  func(*Exception)
		want string
	}{
		{func(e *Exception) { e.Approver = "" }, "approver"},
		{func(e *Exception) { e.Reason = "  " }, "reason"},
		{func(e *Exception) { e.Check = "nope" }, "check"},
		{func(e *Exception) { e.ID = "" }, "id"},
		{func(e *Exception) { e.Expires = time.Time{} }, "expires"},
		{func(e *Exception) { e.Expires = now }, "expires"},
		{func(e *Exception) { e.CreatedAt = now.Add(2 * time.Hour); e.Expires = now.Add(time.Hour) }, "expires"},
	} {
		e := ok
		tc.mod(&e)
		err := ValidateException(e, now)
		if cradle.ErrorCode(err) != cradle.EInvalid || !slices.ContainsFunc(cradle.ErrorProblems(err), func(p cradle.Problem) bool { return p.Location == tc.want }) {
			t.Errorf("%+v: %v, want a problem at %s", e, err, tc.want)
		}
	}
}

func TestThreatReviewBoundary(t *testing.T) {
	in := sampleInputs()
	in.ThreatModel.ReviewedAt = ptr(now.AddDate(0, 0, -365))
	if d := Evaluate(nil, in); !d.Pass {
		t.Fatal("review exactly 365 days ago fails")
	}
	in.ThreatModel.ReviewedAt = ptr(now.AddDate(0, 0, -365).Add(-time.Second))
	if d := Evaluate(nil, in); d.Pass {
		t.Fatal("review 365 days and a second ago passes")
	}
}

func TestSupportBoundary(t *testing.T) {
	in := sampleInputs()
	in.SupportEnd = "2026-06-01" // the evaluation day: support runs through it
	if d := Evaluate(nil, in); !d.Pass {
		t.Fatal("support ending today fails")
	}
	p := DefaultPolicy()
	p.SupportPeriod.MinRemaining = "5y"
	in.SupportEnd = "2031-05-31"
	if d := Evaluate(p, in); d.Pass {
		t.Fatal("support for 5y minus a day passes min_remaining 5y")
	}
	in.SupportEnd = "2031-06-01"
	if d := Evaluate(p, in); !d.Pass {
		t.Fatalf("support for 5y fails: %+v", check(d, CheckSupportPeriod))
	}
}

func TestNoMutation(t *testing.T) {
	in := sampleInputs()
	in.Findings[0], in.Findings[2] = in.Findings[2], in.Findings[0]
	in.Findings[0].Aliases = []string{"Z", "A"}
	before := fmt.Sprintf("%+v %+v", in.Findings, in.ThreatModel.Threats)
	Evaluate(nil, in)
	InputsHash(in)
	if after := fmt.Sprintf("%+v %+v", in.Findings, in.ThreatModel.Threats); after != before {
		t.Fatalf("inputs changed:\n%s\n%s", before, after)
	}
}
