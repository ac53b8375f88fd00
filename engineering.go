package cradle

import (
	"strings"
	"time"
)

// Engineering evidence (IEC 62443-4-1 SR-2, SD-*, SI-1, SVV-*): threat
// models, scan and test results, and the release gate's records. The
// formats themselves live in the threatmodel, results, quality and gate
// packages; these are the rows cradle keeps.

// ThreatModel is one stored version of a product's threat model.
type ThreatModel struct {
	ID          int64     `json:"id"`
	Product     string    `json:"product"`
	Release     string    `json:"release,omitempty"` // the release it was imported for; "" = the product's
	Version     int       `json:"version"`           // 1, 2, ... per product
	SHA256      string    `json:"sha256"`            // the model's canonical hash
	Filename    string    `json:"filename"`
	Source      string    `json:"source,omitempty"` // the YAML as given
	Threats     int       `json:"threats"`
	OpenThreats int       `json:"open_threats"`
	ImportedBy  string    `json:"imported_by"`
	ImportedAt  time.Time `json:"imported_at"`
}

// Threat model review outcomes.
const (
	ReviewApproved         = "approved"
	ReviewChangesRequested = "changes_requested"
)

// ThreatReview records that a person reviewed a version of a threat model.
type ThreatReview struct {
	ID         int64     `json:"id"`
	Product    string    `json:"product"`
	ModelID    int64     `json:"model_id"`
	Version    int       `json:"model_version"`
	Outcome    string    `json:"outcome"`
	Notes      string    `json:"notes,omitempty"`
	Reviewer   string    `json:"reviewer"`
	ReviewedAt time.Time `json:"reviewed_at"`
}

// Validate checks a review before it is stored.
func (r *ThreatReview) Validate() error {
	var p []Problem
	if r.Outcome != ReviewApproved && r.Outcome != ReviewChangesRequested {
		p = append(p, Problem{Location: "outcome", Message: "must be approved or changes_requested; found " + quoteOrEmpty(r.Outcome)})
	}
	if r.Outcome == ReviewChangesRequested && strings.TrimSpace(r.Notes) == "" {
		p = append(p, Problem{Location: "notes", Message: "say which changes are requested"})
	}
	p = checkLen(p, "notes", r.Notes, 20000)
	if len(p) > 0 {
		return Invalid("invalid threat model review", p...)
	}
	return nil
}

// Kinds of scan and test results.
var ResultKinds = []string{"sast", "dast", "fuzzing", "container", "sca", "test"}

// EvidenceKinds maps IEC 62443-4-1 requirements to the kinds of imported
// results that are evidence for them: the release gate and the derived
// compliance evidence read this one table.
var EvidenceKinds = map[string][]string{
	"SI-1":  {"sast"},
	"SVV-1": {"test"},
	"SVV-3": {"dast", "fuzzing", "container", "sca"},
	"SVV-4": {"dast"},
}

// Evidence reports whether an import is evidence of anything: a SARIF log
// without a run (no tool) or a JUnit report without a test is not, and
// only a test report (JUnit) shows tests were run.
func (i *ResultImport) Evidence() bool {
	switch {
	case i.Format == "sarif" && i.Tool == "sarif", i.Format == "junit" && i.Tests == 0:
		return false
	case i.Kind == "test" && i.Format != "junit":
		return false
	}
	return true
}

// Scan result statuses.
const (
	ResultOpen       = "open"
	ResultFixed      = "fixed"
	ResultSuppressed = "suppressed"
)

// ResultImport is one imported SARIF or JUnit file of a release.
type ResultImport struct {
	ID          int64  `json:"id"`
	Product     string `json:"product"`
	Release     string `json:"release"`
	Format      string `json:"format"` // sarif | junit
	Kind        string `json:"kind"`   // one of ResultKinds
	Tool        string `json:"tool"`
	ToolVersion string `json:"tool_version,omitempty"`
	Filename    string `json:"filename"`
	// Category separates runs of one tool that cover different things
	// (CodeQL per language, unit and integration tests): results missing
	// from an import are fixed only within its category. Default: the
	// file name.
	Category    string `json:"category"`
	SHA256      string `json:"sha256"`
	Results     int    `json:"results"`
	New         int    `json:"new"`
	Fixed       int    `json:"fixed"`
	Tests       int    `json:"tests,omitempty"`
	TestsFailed int    `json:"tests_failed,omitempty"`
	// PassedTests are the names of the test cases that passed (JUnit).
	PassedTests []string  `json:"-"`
	ImportedBy  string    `json:"imported_by"`
	ImportedAt  time.Time `json:"imported_at"`
}

// ScanResult is one result of one tool in one release, deduplicated by
// fingerprint across imports.
type ScanResult struct {
	ID            int64     `json:"id"`
	Release       string    `json:"release,omitempty"`
	Tool          string    `json:"tool"`
	Kind          string    `json:"kind"`
	Fingerprint   string    `json:"fingerprint"`
	RuleID        string    `json:"rule_id,omitempty"`
	RuleName      string    `json:"rule_name,omitempty"`
	Severity      string    `json:"severity"` // critical | high | medium | low | info
	Message       string    `json:"message,omitempty"`
	Location      string    `json:"location,omitempty"`
	Test          string    `json:"test,omitempty"`
	Status        string    `json:"status"` // open | fixed | suppressed
	Justification string    `json:"justification,omitempty"`
	SinceVersion  string    `json:"since_version,omitempty"` // the release it was first seen in
	FirstSeen     time.Time `json:"first_seen"`
	FixedAt       time.Time `json:"fixed_at,omitzero"`
}

// SeverityRank orders result and finding severities: critical 4, high 3,
// medium 2, low 1, info/none 0, unknown -1.
func SeverityRank(s string) int {
	switch strings.ToLower(s) {
	case "critical":
		return 4
	case "high":
		return 3
	case "medium", "moderate":
		return 2
	case "low":
		return 1
	case "info", "none", "note":
		return 0
	}
	return -1
}

// GateException lets a release pass one check (or one item of it) despite
// a failure: it needs a named approver, a reason and an expiry.
type GateException struct {
	ID        int64     `json:"id"`
	Product   string    `json:"product"`
	Release   string    `json:"release,omitempty"` // "" = every release of the product
	Check     string    `json:"check"`
	Subject   string    `json:"subject,omitempty"` // "" = the whole check; else a vulnerability ID, threat ID or result fingerprint
	Approver  string    `json:"approver"`
	Reason    string    `json:"reason"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	RevokedBy string    `json:"revoked_by,omitempty"`
}

// Validate checks an exception before it is stored; now is the time it is
// created (an exception must expire in the future, within two years).
func (e *GateException) Validate(now time.Time) error {
	var p []Problem
	if strings.TrimSpace(e.Check) == "" {
		p = append(p, Problem{Location: "check", Message: "name the gate check the exception is for"})
	}
	if strings.TrimSpace(e.Approver) == "" {
		p = append(p, Problem{Location: "approver", Message: "an exception needs a named approver"})
	}
	if strings.TrimSpace(e.Reason) == "" {
		p = append(p, Problem{Location: "reason", Message: "an exception needs a reason"})
	}
	switch {
	case e.ExpiresAt.IsZero():
		p = append(p, Problem{Location: "expires", Message: "an exception needs an expiry date"})
	case !e.ExpiresAt.After(now):
		p = append(p, Problem{Location: "expires", Message: "the expiry must be in the future"})
	case e.ExpiresAt.After(now.AddDate(2, 0, 0)):
		p = append(p, Problem{Location: "expires", Message: "an exception may last at most two years"})
	}
	for _, f := range []struct{ loc, v string }{{"check", e.Check}, {"subject", e.Subject}, {"approver", e.Approver}, {"reason", e.Reason}} {
		p = checkLen(p, f.loc, f.v, 5000)
	}
	if len(p) > 0 {
		return Invalid("invalid gate exception", p...)
	}
	return nil
}

// GateRecord is a stored gate decision: the verdict with the policy and
// inputs it judged (JSON), so it can be re-evaluated and verified.
type GateRecord struct {
	ID         int64  `json:"id"`
	ReleaseID  int64  `json:"release_id"`
	Product    string `json:"product"`
	Release    string `json:"release"`
	Pass       bool   `json:"pass"`
	Failures   int    `json:"failures"`
	Hash       string `json:"hash"`
	InputsHash string `json:"inputs_hash"`
	PolicyHash string `json:"policy_hash"`
	// Override: the policy was given for this run, not the product's.
	Override bool `json:"override"`
	// Evaluator is the version of the gate's rules that decided.
	Evaluator   string    `json:"evaluator"`
	Policy      string    `json:"-"`
	Inputs      string    `json:"-"`
	Result      string    `json:"-"`
	EvaluatedBy string    `json:"evaluated_by"`
	EvaluatedAt time.Time `json:"evaluated_at"`
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return "nothing"
	}
	return quote(s)
}
