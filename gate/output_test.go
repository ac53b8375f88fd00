package gate

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// failingDecision has failures, excepted reasons, a disabled check and
// characters that need escaping.
func failingDecision() *Decision {
	in := sampleInputs()
	in.Product = "gw <\"&'> \x01"
	in.Findings = append(in.Findings,
		Finding{VulnID: "CVE-2025-1", Component: "openssl", Version: "3.0.1", Rating: "critical", KEV: true},
		Finding{VulnID: "CVE-2025-2", Component: "zlib", Version: "1.2", Rating: "high"})
	in.Evidence = nil
	in.Exceptions = []Exception{
		{ID: "EX-1", Check: CheckFindings, Subject: "CVE-2025-2", Approver: "ciso", Reason: "not reachable\nin our build", Expires: now.AddDate(0, 1, 0)},
		{ID: "EX-2", Check: CheckSVVEvidence, Subject: "SVV-1", Approver: "qa", Reason: "r", Expires: now.AddDate(0, -1, 0)},
	}
	p := DefaultPolicy()
	p.SDLChecklist.Enabled = false
	return Evaluate(p, in)
}

func TestWriteText(t *testing.T) {
	d := failingDecision()
	for _, ascii := range []bool{false, true} {
		var b bytes.Buffer
		if err := WriteTextOptions(&b, d, TextOptions{ASCII: ascii}); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		for _, want := range []string{"FAIL: the release may not ship (3 reasons)", "findings: No undecided", "resolve: Decide CVE-2025-1 in openssl 3.0.1",
			"[excepted by EX-1]", "sdl_checklist: SDL checklist complete (disabled by policy)", "EX-2 svv_evidence SVV-1: expired"} {
			if !strings.Contains(s, want) {
				t.Errorf("ascii=%t: text lacks %q:\n%s", ascii, want, s)
			}
		}
		if strings.Contains(s, "\x01") {
			t.Error("control character in text")
		}
		if ascii {
			for _, r := range s {
				if r > 0x7e && !strings.ContainsRune(d.Product, r) {
					t.Fatalf("ascii report has %q:\n%s", r, s)
				}
			}
		}
	}
	var b bytes.Buffer
	WriteText(&b, Evaluate(nil, sampleInputs()))
	if !strings.HasPrefix(b.String(), "cradle gate gateway-fw 2.1.0 — PASS") || !strings.Contains(b.String(), "✓ sbom") {
		t.Fatalf("pass report:\n%s", b.String())
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	d := failingDecision()
	var b bytes.Buffer
	if err := WriteJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	var back Decision
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	// The stored form verifies: the hash covers exactly what JSON keeps.
	if decisionHash(&back) != d.Hash {
		t.Fatal("decision hash changes through JSON")
	}
}

func TestWriteJUnit(t *testing.T) {
	d := failingDecision()
	var b bytes.Buffer
	if err := WriteJUnit(&b, d); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(got.Suites) != 1 || got.Tests != len(Checks) || got.Failures != 2 || got.Skipped != 1 {
		t.Fatalf("counts: %+v", got)
	}
	s := got.Suites[0]
	if len(s.Cases) != len(Checks) || s.Failures != 2 || s.Skipped != 1 {
		t.Fatalf("suite counts %d %d %d", len(s.Cases), s.Failures, s.Skipped)
	}
	var f *junitCase
	for i := range s.Cases {
		if strings.HasPrefix(s.Cases[i].Name, "findings:") {
			f = &s.Cases[i]
		}
	}
	if f == nil || f.Failure == nil || !strings.Contains(f.Failure.Text, "resolve: Decide CVE-2025-1") ||
		strings.Contains(f.Failure.Text, "CVE-2025-2 ") || !strings.Contains(f.SystemOut, "excepted by EX-1") {
		t.Fatalf("findings case: %+v", f)
	}
	if !strings.Contains(s.Name, `gw <"&'>`) {
		t.Fatalf("suite name %q", s.Name)
	}
}

func TestWriteSARIF(t *testing.T) {
	d := failingDecision()
	var b bytes.Buffer
	if err := WriteSARIF(&b, d); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID       string `json:"ruleId"`
				RuleIndex    int    `json:"ruleIndex"`
				Level        string `json:"level"`
				Suppressions []struct {
					Status, Justification string
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if log.Version != "2.1.0" || run.Tool.Driver.Name != "cradle-gate" || len(run.Tool.Driver.Rules) != len(Checks) {
		t.Fatalf("%+v", log)
	}
	suppressed := 0
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID || r.Level != "error" {
			t.Errorf("result %+v", r)
		}
		if len(r.Suppressions) > 0 {
			suppressed++
			if !strings.Contains(r.Suppressions[0].Justification, "EX-1 approved by ciso") {
				t.Errorf("justification %q", r.Suppressions[0].Justification)
			}
		}
	}
	if len(run.Results) != 4 || suppressed != 1 {
		t.Fatalf("%d results, %d suppressed", len(run.Results), suppressed)
	}
	validateSARIF(t, b.Bytes())
	// The schema check has teeth: a wrong level is caught.
	bad := bytes.Replace(b.Bytes(), []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
	if err := sarifSchemaFor(t).Validate(mustJSON(t, bad)); err == nil {
		t.Fatal("schema accepts level fatal")
	}
	// An all-pass decision is valid too (no results).
	b.Reset()
	WriteSARIF(&b, Evaluate(nil, sampleInputs()))
	validateSARIF(t, b.Bytes())
}

func validateSARIF(t *testing.T, doc []byte) {
	t.Helper()
	if err := sarifSchemaFor(t).Validate(mustJSON(t, doc)); err != nil {
		t.Fatalf("SARIF does not validate: %v\n%s", err, doc)
	}
}

func mustJSON(t *testing.T, doc []byte) any {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func sarifSchemaFor(t *testing.T) *jsonschema.Schema {
	t.Helper()
	// The OASIS schema as the results package embeds it (byte-identical
	// to the corpus copy), so the check runs without the corpus too.
	f, err := os.Open(filepath.Join("..", "results", "schema", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sch, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource(SARIFSchema, sch); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SARIFSchema)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestHashes(t *testing.T) {
	a := sampleInputs()
	a.Findings[0].Aliases = []string{"B", "A"}
	d := Evaluate(nil, a)

	// Reordered slices and another time zone: the same hashes.
	b := sampleInputs()
	b.Findings[0].Aliases = []string{"A", "B"}
	b.Findings[0], b.Findings[2] = b.Findings[2], b.Findings[0]
	b.ThreatModel.Threats[0], b.ThreatModel.Threats[1] = b.ThreatModel.Threats[1], b.ThreatModel.Threats[0]
	b.Checklist[0], b.Checklist[1] = b.Checklist[1], b.Checklist[0]
	b.Results.Open = append(b.Results.Open, Result{Fingerprint: "fp0", Severity: "low"})
	a.Results.Open = append([]Result{{Fingerprint: "fp0", Severity: "low"}}, a.Results.Open...)
	d = Evaluate(nil, a)
	b.EvaluatedAt = now.In(time.FixedZone("CEST", 2*3600))
	if e := Evaluate(nil, b); e.InputsHash != d.InputsHash || e.Hash != d.Hash || e.PolicyHash != d.PolicyHash {
		t.Fatalf("hash depends on order or zone:\n%+v\n%+v", d, e)
	}
	// Nil and empty collections hash alike.
	c1, c2 := sampleInputs(), sampleInputs()
	c1.Exceptions, c2.Exceptions = nil, []Exception{}
	if InputsHash(c1) != InputsHash(c2) {
		t.Fatal("nil and empty slices hash differently")
	}

	// Any change changes the inputs hash.
	for name, mod := range map[string]func(*Inputs){
		"time":      func(in *Inputs) { in.EvaluatedAt = in.EvaluatedAt.Add(time.Nanosecond) },
		"alias":     func(in *Inputs) { in.Findings[2].Aliases = append(in.Findings[2].Aliases, "X") },
		"score":     func(in *Inputs) { in.Findings[1].Score = 5.4 },
		"decision":  func(in *Inputs) { in.Findings[1].Decision = "affected" },
		"sbom":      func(in *Inputs) { in.SBOM.DocumentSHA256 = "cd34" },
		"no sbom":   func(in *Inputs) { in.SBOM = nil },
		"reviewed":  func(in *Inputs) { in.ThreatModel.ReviewedAt = ptr(now) },
		"threat":    func(in *Inputs) { in.ThreatModel.Threats[0].Title += "!" },
		"import":    func(in *Inputs) { in.Results.Imports[0].Tool = "semgrep" },
		"result":    func(in *Inputs) { in.Results.Open[0].Location = "main.go:11" },
		"evidence":  func(in *Inputs) { in.Evidence["SVV-2"] = false },
		"support":   func(in *Inputs) { in.SupportEnd = "2032-01-01" },
		"cvd":       func(in *Inputs) { in.CVDPolicy = false },
		"checklist": func(in *Inputs) { in.Checklist[0].Detail = "x" },
		"exception": func(in *Inputs) {
			in.Exceptions = []Exception{{ID: "E", Check: CheckSAST, Approver: "a", Reason: "r", Expires: now.AddDate(1, 0, 0)}}
		},
		"lifecycle": func(in *Inputs) { in.Lifecycle = "released" },
	} {
		in := sampleInputs()
		mod(in)
		if InputsHash(in) == d.InputsHash {
			t.Errorf("%s: inputs hash unchanged", name)
		}
		if Evaluate(nil, in).Hash == d.Hash {
			t.Errorf("%s: decision hash unchanged", name)
		}
	}
	// Any policy change changes the policy hash.
	p := DefaultPolicy()
	p.ThreatModel.MaxReviewAge = "12mo"
	if PolicyHash(p) == d.PolicyHash || Evaluate(p, a).Hash == d.Hash {
		t.Fatal("policy change does not change the hashes")
	}
	// NaN and far-future times still hash deterministically.
	n := sampleInputs()
	n.Findings[0].Score = nanScore()
	n.Exceptions = []Exception{{ID: "E", Expires: time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)}}
	if InputsHash(n) != InputsHash(n) || strings.HasPrefix(InputsHash(n), "unencodable") {
		t.Fatal("unstable hash")
	}
}

func nanScore() float64 { z := 0.0; return z / z }

func TestVerify(t *testing.T) {
	p, in := DefaultPolicy(), sampleInputs()
	in.Findings[1].Rating = "high"
	d := Evaluate(p, in)
	if err := Verify(p, in, d); err != nil {
		t.Fatal(err)
	}
	// Through storage as JSON.
	var b bytes.Buffer
	WriteJSON(&b, d)
	var stored Decision
	json.Unmarshal(b.Bytes(), &stored)
	if err := Verify(p, in, &stored); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		tamper func(*Decision, *Policy, *Inputs)
		want   string
	}{
		"pass flipped":   {func(d *Decision, _ *Policy, _ *Inputs) { d.Pass = true }, "hash"},
		"reason removed": {func(d *Decision, _ *Policy, _ *Inputs) { d.Checks[1].Reasons = nil }, "checks/findings/reasons"},
		"pass and hash":  {func(d *Decision, _ *Policy, _ *Inputs) { d.Pass, d.Failures = true, 0; d.Hash = decisionHash(d) }, "pass"},
		"policy changed": {func(_ *Decision, p *Policy, _ *Inputs) { p.Findings.MaxSeverity = "critical" }, "policy_hash"},
		"inputs changed": {func(_ *Decision, _ *Policy, in *Inputs) { in.Findings[1].Decision = "fixed" }, "inputs_hash"},
	} {
		var s Decision
		json.Unmarshal(b.Bytes(), &s)
		p2, in2 := DefaultPolicy(), sampleInputs()
		in2.Findings[1].Rating = "high"
		tc.tamper(&s, p2, in2)
		err := Verify(p2, in2, &s)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a problem at %s", name, err, tc.want)
		}
	}
	if Verify(p, in, nil) == nil {
		t.Error("nil decision verifies")
	}
}
