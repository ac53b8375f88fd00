package gate

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle"
)

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	want := &Policy{
		Version:       1,
		SBOM:          SBOMPolicy{Enabled: true, Profile: ProfileNTIA, RequireConformance: true},
		Findings:      FindingsPolicy{Enabled: true, MaxSeverity: "high", KEV: true},
		ThreatModel:   ThreatModelPolicy{Enabled: true, MaxReviewAge: "365d", MaxOpenSeverity: "high"},
		SAST:          SASTPolicy{Enabled: true, Required: true, MaxSeverity: "high"},
		SVVEvidence:   EvidencePolicy{Enabled: true, Requirements: []string{"SVV-1", "SVV-3"}},
		SupportPeriod: SupportPolicy{Enabled: true},
		Disclosure:    DisclosurePolicy{Enabled: true, SecurityTxt: true, CVDPolicy: true},
		SDLChecklist:  ChecklistPolicy{Enabled: true},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("default policy:\n%+v\nwant\n%+v", p, want)
	}
	// A copy: changing it does not change the next one.
	p.SVVEvidence.Requirements[0] = "X"
	if DefaultPolicy().SVVEvidence.Requirements[0] != "SVV-1" {
		t.Fatal("DefaultPolicy shares its slice")
	}
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatal(err)
	}
	if p, err := ParsePolicy("x.yaml", DefaultYAML()); err != nil || !reflect.DeepEqual(p, want) {
		t.Fatalf("parsing default.yaml: %v %+v", err, p)
	}
}

func TestParsePolicyMerge(t *testing.T) {
	p, err := ParsePolicy("p.yaml", []byte(`
findings:
  max_severity: critical
sast:
  enabled: false
svv_evidence:
  requirements: [SVV-2]
support_period:
  min_remaining: 5y
`))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultPolicy()
	want.Findings.MaxSeverity = "critical"
	want.SAST.Enabled = false
	want.SVVEvidence.Requirements = []string{"SVV-2"}
	want.SupportPeriod.MinRemaining = "5y"
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got %+v\nwant %+v", p, want)
	}
	// Layers: onto p, a second file changes only what it names.
	q, err := ParsePolicyOnto(p, "product.yaml", []byte("findings:\n  kev: false\nsvv_evidence:\n  requirements: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	want.Findings.KEV = false
	want.SVVEvidence.Requirements = nil
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("layered: got %+v\nwant %+v", q, want)
	}
	if p.Findings.KEV != true || len(p.SVVEvidence.Requirements) != 1 {
		t.Fatal("ParsePolicyOnto changed its base")
	}
	// Empty file and comment-only file: the default.
	for _, s := range []string{"", "# nothing\n", "---\n"} {
		p, err := ParsePolicy("e.yaml", []byte(s))
		if err != nil || !reflect.DeepEqual(p, DefaultPolicy()) {
			t.Errorf("%q: %v %+v", s, err, p)
		}
	}
}

func TestParsePolicyErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, loc, msg string }{
		{"findings:\n  max_severty: high\n", "p.yaml:2:3", `unknown key "max_severty" in findings`},
		{"findngs:\n  max_severity: high\n", "p.yaml:1:1", `unknown key "findngs"`},
		{"findings:\n  enabled: \"yes\"\n", "p.yaml:2:12", "findings.enabled: wrong type: a string given, true or false expected"},
		{"findings:\n  enabled: 1\n", "p.yaml:2:12", "findings.enabled: wrong type"},
		{"findings:\n  max_severity: 3\n", "p.yaml:2:17", "findings.max_severity: wrong type: a number given, a string expected"},
		{"findings:\n  max_severity: severe\n", "p.yaml:2:17", `findings.max_severity: severity "severe" is not one of none, low, medium, high, critical`},
		{"findings:\n  max_severity: ~\n", "p.yaml:2:3", "findings.max_severity: no value given"},
		{"findings:\n  max_severity: [high]\n", "p.yaml:2:17", "findings.max_severity: wrong type: a list given"},
		{"sbom:\n  profile: spdx\n", "p.yaml:2:12", `sbom.profile: profile "spdx" is not one of`},
		{"threat_model:\n  max_review_age: 1 year\n", "p.yaml:2:19", `threat_model.max_review_age: duration "1 year"`},
		{"threat_model:\n  max_review_age: 0d\n", "p.yaml:2:19", `threat_model.max_review_age: duration "0d"`},
		{"svv_evidence:\n  requirements: SVV-1\n", "p.yaml:2:17", "svv_evidence.requirements: string was used where sequence is expected"},
		{"svv_evidence:\n  requirements: [SVV-1, 2]\n", "p.yaml:2:25", "svv_evidence.requirements: wrong type: a number given in the list"},
		{"svv_evidence:\n  requirements: [SVV-1, SVV-1]\n", "p.yaml:2:17", "listed twice"},
		{"findings: 3\n", "p.yaml:1:11", "int was used where mapping is expected"},
		{"- a\n", "p.yaml:1:1", "sequence was used where mapping is expected"},
		{"findings:\n  kev: true\n  kev: false\n", "p.yaml:3:3", `mapping key "kev" already defined`},
		{"findings: {kev: true\n", "p.yaml:1:11", "could not find flow mapping end"},
		{"\"findings\":\n  'max_severity': 3\n", "p.yaml:2:19", "findings.max_severity: wrong type: a number given"},
		{"version: \"1\"\n", "p.yaml:1:10", "version: wrong type: a string given, a whole number expected"},
		{"version: 2\n", "p.yaml:1:10", "unsupported policy version 2"},
		{"version: 99999999999999999999999\n", "p.yaml:1:10", "version: number out of range"},
		{"findings:\n  kev: true\n---\nsast:\n  enabled: false\n", "p.yaml:4:1", "a second YAML document"},
	} {
		_, err := ParsePolicy("p.yaml", []byte(tc.yaml))
		if cradle.ErrorCode(err) != cradle.EInvalid {
			t.Errorf("%q: got %v, want an invalid error", tc.yaml, err)
			continue
		}
		probs := cradle.ErrorProblems(err)
		ok := false
		for _, p := range probs {
			if p.Location == tc.loc && strings.Contains(p.Message, tc.msg) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%q: problems %v, want %s: ...%s...", tc.yaml, probs, tc.loc, tc.msg)
		}
	}
}

func TestParsePolicyTooLarge(t *testing.T) {
	_, err := ParsePolicy("big.yaml", []byte("# "+strings.Repeat("x", MaxPolicySize)))
	if cradle.ErrorCode(err) != cradle.EInvalid {
		t.Fatal(err)
	}
}

func TestAge(t *testing.T) {
	for _, a := range []Age{"1d", "365d", "12mo", "52w", "5y", "100y"} {
		if !a.Valid() {
			t.Errorf("%s invalid", a)
		}
	}
	for _, a := range []Age{"", "0d", "-1d", "1", "d", "1h", "101y", "1.5y", " 1d", "1D", "999999d"} {
		if a.Valid() {
			t.Errorf("%q valid", a)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add(DefaultYAML())
	f.Add([]byte("findings:\n  max_severity: critical\n"))
	f.Add([]byte("findings: &a {kev: true}\nsast: *a\n"))
	f.Add([]byte("svv_evidence:\n  requirements: [a, b, !!str 3]\n"))
	f.Add([]byte("threat_model: {max_review_age: 12mo}\n"))
	f.Add([]byte("? [a]\n: b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("f.yaml", data)
		if err != nil {
			if cradle.ErrorCode(err) != cradle.EInvalid {
				t.Fatalf("error is not invalid: %v", err)
			}
			for _, pr := range cradle.ErrorProblems(err) {
				if !strings.HasPrefix(pr.Location, "f.yaml") {
					t.Fatalf("unlocated problem %v", pr)
				}
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parsed policy does not validate: %v", err)
		}
		// Evaluating with any valid policy must not panic.
		Evaluate(p, sampleInputs())
	})
}
