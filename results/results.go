package results

import (
	"bytes"
	"fmt"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
)

// Limits on what Decode accepts.
const (
	// MaxSize is the largest input Decode reads (256 MiB).
	MaxSize = 256 << 20
	// MaxResults is the largest number of results (SARIF results, or
	// JUnit test cases) one report may hold.
	MaxResults = 1_000_000
	// maxWarnings caps Report.Warnings; the last one says how many more
	// there were.
	maxWarnings = 100
)

// Formats.
const (
	FormatSARIF = "sarif"
	FormatJUnit = "junit"
)

// Kinds of report: what sort of testing produced it.
const (
	KindSAST      = "sast"
	KindDAST      = "dast"
	KindFuzzing   = "fuzzing"
	KindContainer = "container"
	KindSCA       = "sca"
	KindTest      = "test"
)

// Severities, most severe first.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
	SeverityInfo     = "info"
)

// Report is one imported scan or test report, normalised.
type Report struct {
	Format  string // FormatSARIF or FormatJUnit
	Tools   []Tool // one per SARIF run (its driver), or the JUnit "tool"
	Kind    string // best guess from the tool name (see GuessKind); the caller may override
	Results []Result
	// Tests summarises a JUnit report; nil for SARIF.
	Tests *TestSummary
	// Warnings are defects that did not stop the import (schema
	// violations, JUnit counts that disagree with the test cases), each
	// located ("name:/runs/0/results/3/level: ..." or "name:12:3: ...").
	Warnings []string
}

// Tool is the analysis tool of one SARIF run.
type Tool struct {
	Name            string
	FullName        string
	Version         string
	SemanticVersion string
	InformationURI  string
	Organization    string
	// Category is the run's automationDetails category (SARIF), "" when
	// it has none.
	Category string
}

// Result is one finding: a SARIF result or a failed JUnit test case.
type Result struct {
	Tool     string
	RuleID   string
	RuleName string
	// Severity is critical, high, medium, low or info (see the package
	// documentation for how it is derived).
	Severity string
	// Level is the SARIF level as resolved: error, warning, note or none.
	Level string
	// Kind is the SARIF result kind: fail (the default), pass, open,
	// review, informational or notApplicable. Only "fail" (and "open",
	// "review") results are findings in the usual sense; the others are
	// kept so that counts match the file.
	Kind    string
	Message string
	// Location is "uri:line:col" of the first physical location, "uri" or
	// "uri:line" when the region says less, else the fully qualified name
	// of the first logical location, else "".
	Location string
	URI      string // resolved against originalUriBaseIds where possible
	Line     int
	Column   int
	// Fingerprint identifies the finding across imports (see the package
	// documentation): 64 hex digits.
	Fingerprint string
	// Suppressed is true when the result has an accepted suppression
	// (status "accepted" or no status); Justification is its text.
	Suppressed    bool
	Justification string
	// BaselineState is SARIF's baselineState when the tool compared with
	// a baseline itself (new, unchanged, updated, absent), else "".
	BaselineState string
	// Test is classname.name of a failed or errored JUnit test case.
	Test string
}

// TestSummary counts the test cases of a JUnit report. Counts come from
// the test cases, not from the suites' attributes.
type TestSummary struct {
	Suites   int
	Tests    int
	Passed   int
	Failed   int
	Errored  int
	Skipped  int
	Duration float64 // seconds
	// PassedNames are the classname.name of the test cases that passed:
	// a threat model's mitigations name the tests that verify them.
	PassedNames []string
	// SuiteNames are the names of the top-level test suites: what the
	// report covers.
	SuiteNames []string
}

// Decode reads a SARIF 2.1.0 log or a JUnit XML report. name is used only
// to locate problems ("scan.sarif:12:3"). Every rejection of the input is
// an EInvalid [cradle.Error] (ETooLarge for inputs over the limits) whose
// problems say where and what.
func Decode(name string, data []byte) (*Report, error) {
	if len(data) > MaxSize {
		return nil, &cradle.Error{Code: cradle.ETooLarge, Message: fmt.Sprintf("%s is %d bytes, more than the %d MiB a scan or test report may have", displayName(name), len(data), MaxSize>>20)}
	}
	off := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		off = 3 // UTF-8 byte order mark, written by .NET tools
	}
	i := off
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	if i == len(data) {
		return nil, cradle.Invalid("not a SARIF or JUnit report", cradle.Problem{Location: displayName(name), Message: "expected a SARIF log (JSON) or a JUnit report (XML), found an empty file"})
	}
	switch data[i] {
	case '{':
		return decodeSARIF(name, data, off)
	case '<':
		return decodeJUnit(name, data, off)
	}
	return nil, cradle.Invalid("not a SARIF or JUnit report", cradle.Problem{
		Location: locateOffset(name, data, i),
		Message:  "expected a SARIF log (a JSON object) or a JUnit report (XML), found " + describeStart(data[i:]),
	})
}

func displayName(name string) string {
	if name == "" {
		return "the report"
	}
	return name
}

func locateOffset(name string, data []byte, off int) string {
	return locateAt(name, data, int64(off))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func describeStart(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return fmt.Sprintf("%q", string(b))
}

// GuessKind guesses what sort of testing a tool does from its name:
// container scanners (Trivy, Grype, Snyk Container, Clair, Docker Scout)
// → container; dependency scanners (Snyk Open Source, OSV-Scanner,
// Dependabot, OWASP Dependency-Check, npm audit) → sca; web scanners
// (ZAP, Burp, Nuclei, Nikto, Arachni, w3af) → dast; fuzzers (go-fuzz,
// libFuzzer, AFL, OSS-Fuzz, ClusterFuzz, Jazzer, go test -fuzz) →
// fuzzing; anything else → sast.
func GuessKind(tool string) string {
	t := strings.ToLower(tool)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(t, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("snyk code", "snykcode", "snyk-code"):
		return KindSAST
	case has("trivy", "grype", "clair", "docker scout", "snyk container", "anchore", "neuvector", "xray"):
		return KindContainer
	case has("fuzz", "afl++", "american fuzzy lop", "honggfuzz", "jazzer") || t == "afl" || strings.HasPrefix(t, "afl ") || strings.HasPrefix(t, "afl-"):
		return KindFuzzing
	case has("zap", "burp", "nuclei", "nikto", "arachni", "w3af", "acunetix", "netsparker", "invicti", "webinspect", "appscan dynamic"):
		return KindDAST
	case has("dependabot", "osv-scanner", "dependency-check", "dependency check", "npm audit", "yarn audit", "pip-audit", "govulncheck", "snyk", "retire.js", "ossindex", "safety"):
		return KindSCA
	}
	return KindSAST
}

// Changes is what changed between two imports, by fingerprint. Open
// results are the unsuppressed ones.
type Changes struct {
	// New are open now and were not open before (including ones that
	// were suppressed before).
	New []Result
	// Fixed were open before and are gone now (neither open nor
	// suppressed).
	Fixed []Result
	// Unchanged are open now and were open before.
	Unchanged []Result
	// Suppressed are suppressed now, whatever they were before; a
	// finding that was open and is now suppressed is here, not in Fixed.
	Suppressed []Result
}

// Compare classifies the results of the current import against the
// previous one by Fingerprint. Every current result is in exactly one of
// New, Unchanged or Suppressed; Fixed holds previous open results.
func Compare(previous, current []Result) Changes {
	prevOpen := make(map[string]bool, len(previous))
	for _, r := range previous {
		if !r.Suppressed {
			prevOpen[r.Fingerprint] = true
		}
	}
	now := make(map[string]bool, len(current))
	var c Changes
	for _, r := range current {
		now[r.Fingerprint] = true
		switch {
		case r.Suppressed:
			c.Suppressed = append(c.Suppressed, r)
		case prevOpen[r.Fingerprint]:
			c.Unchanged = append(c.Unchanged, r)
		default:
			c.New = append(c.New, r)
		}
	}
	for _, r := range previous {
		if !r.Suppressed && !now[r.Fingerprint] {
			c.Fixed = append(c.Fixed, r)
		}
	}
	return c
}

// warnings collects located warnings up to maxWarnings.
type warnings struct {
	list    []string
	dropped int
}

func (w *warnings) add(loc, msg string) {
	if len(w.list) >= maxWarnings {
		w.dropped++
		return
	}
	if loc != "" {
		msg = loc + ": " + msg
	}
	w.list = append(w.list, msg)
}

func (w *warnings) done() []string {
	if w.dropped > 0 {
		w.list = append(w.list, fmt.Sprintf("... and %d more warnings", w.dropped))
	}
	return w.list
}
