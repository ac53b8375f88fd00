package cradle

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Case types: a vulnerability (in the manufacturer's own code or in a
// component) or a severe incident affecting the security of a product
// (CRA Art. 14(3)).
const (
	CaseVulnerability = "vulnerability"
	CaseIncident      = "incident"
)

// Where a case came from (IEC 62443-4-1 DM-1: reports from any source).
const (
	SourceIntake     = "intake"     // the public reporting form
	SourceInternal   = "internal"   // a tester, developer or auditor
	SourceMonitoring = "monitoring" // a component finding from vulnerability monitoring
	SourceVEX        = "vex"        // an imported VEX document
)

// Validity of a report (DM-2).
const (
	ValidityPending   = "pending"
	ValidityValid     = "valid"
	ValidityInvalid   = "invalid"
	ValidityDuplicate = "duplicate"
)

// Decisions on a valid case (DM-3, DM-4).
const (
	DecisionFix      = "fix"
	DecisionMitigate = "mitigate"
	DecisionDefer    = "defer"  // with a residual-risk justification
	DecisionAccept   = "accept" // with a residual-risk justification
)

// VEX statuses of a product release for a vulnerability, in OpenVEX's
// vocabulary (see the mapping in the vex package).
const (
	VEXUnderInvestigation = "under_investigation"
	VEXAffected           = "affected"
	VEXNotAffected        = "not_affected"
	VEXFixed              = "fixed"
)

// VEXStatuses lists the statuses.
var VEXStatuses = []string{VEXUnderInvestigation, VEXAffected, VEXNotAffected, VEXFixed}

// Justifications for not_affected (OpenVEX labels = CSAF flag labels).
var Justifications = []string{
	"component_not_present",
	"vulnerable_code_not_present",
	"vulnerable_code_not_in_execute_path",
	"vulnerable_code_cannot_be_controlled_by_adversary",
	"inline_mitigations_already_exist",
}

// Case states.
const (
	CaseOpen   = "open"
	CaseClosed = "closed"
)

// Case is one vulnerability or incident the PSIRT handles, from report to
// disclosure. Times are UTC.
type Case struct {
	ID          int64  `json:"id"`
	Ref         string `json:"ref"` // CASE-<id>
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Source      string `json:"source"`
	IntakeID    string `json:"intake_id,omitempty"` // the public tracking ID of the report that opened it
	// A vulnerability in a component: its purl (or name@version) and the
	// known vulnerability ID (CVE, GHSA, OSV...). Empty for own code.
	Component string `json:"component,omitempty"`
	VulnID    string `json:"vuln_id,omitempty"`

	Validity  string  `json:"validity"`
	CVSS3     string  `json:"cvss_v3,omitempty"` // CVSS v3.1 vector
	CVSS3Base float64 `json:"cvss_v3_score,omitempty"`
	CVSS4     string  `json:"cvss_v4,omitempty"` // CVSS v4.0 vector
	CVSS4Base float64 `json:"cvss_v4_score,omitempty"`
	// Rating is the qualitative severity the remediation policy uses:
	// from the v4.0 score when set, else v3.1, else "unknown".
	Rating    string `json:"severity"`
	CWE       string `json:"cwe,omitempty"` // CWE-79
	RootCause string `json:"root_cause,omitempty"`

	Decision          string    `json:"decision,omitempty"`
	DecisionRationale string    `json:"decision_rationale,omitempty"`
	DecidedBy         string    `json:"decided_by,omitempty"`
	DecidedAt         time.Time `json:"decided_at,omitzero"`

	State    string    `json:"state"`
	Owner    string    `json:"owner,omitempty"`
	AwareAt  time.Time `json:"aware_at"` // when the manufacturer became aware (Art. 14 clocks)
	DueAt    time.Time `json:"due_at,omitzero"`
	ClosedAt time.Time `json:"closed_at,omitzero"`

	// CRA Art. 14.
	Exploited bool `json:"actively_exploited"`
	// ExploitedAt is when the manufacturer became aware that the
	// vulnerability is actively exploited: the Art. 14 clocks start there.
	ExploitedAt    time.Time `json:"exploited_marked_at,omitzero"`
	Malicious      bool      `json:"suspected_malicious,omitempty"` // incidents: suspected unlawful or malicious cause
	MaliciousActor string    `json:"malicious_actor,omitempty"`
	FixAvailableAt time.Time `json:"fix_available_at,omitzero"` // a corrective or mitigating measure is available

	// Upstream reporting (Art. 13(6)).
	UpstreamNotifiedAt time.Time `json:"upstream_notified_at,omitzero"`
	UpstreamChannel    string    `json:"upstream_channel,omitempty"`
	UpstreamRef        string    `json:"upstream_ref,omitempty"`
	UpstreamNote       string    `json:"upstream_note,omitempty"`

	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	Releases []CaseRelease `json:"releases"`
}

// CaseRef is the human reference of case id.
func CaseRef(id int64) string { return fmt.Sprintf("CASE-%d", id) }

// CaseRelease is the VEX status of one release for a case.
type CaseRelease struct {
	ReleaseID     int64     `json:"release_id"`
	Product       string    `json:"product"`
	Version       string    `json:"version"`
	Lifecycle     Lifecycle `json:"lifecycle"`
	Status        string    `json:"status"`
	Justification string    `json:"justification,omitempty"`
	Impact        string    `json:"impact_statement,omitempty"`
	Action        string    `json:"action_statement,omitempty"`
	UpdatedBy     string    `json:"updated_by,omitempty"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// Validate checks the statement's rules: not_affected needs a
// justification or an impact statement, affected an action statement.
func (s *CaseRelease) Validate(loc string) []Problem {
	var probs []Problem
	s.Justification = strings.TrimSpace(s.Justification)
	s.Impact, s.Action = strings.TrimSpace(s.Impact), strings.TrimSpace(s.Action)
	if !slices.Contains(VEXStatuses, s.Status) {
		probs = append(probs, Problem{loc + "status", "must be one of " + strings.Join(VEXStatuses, ", ") + "; found " + quote(s.Status)})
	}
	if s.Justification != "" && !slices.Contains(Justifications, s.Justification) {
		probs = append(probs, Problem{loc + "justification", "must be one of " + strings.Join(Justifications, ", ") + "; found " + quote(s.Justification)})
	}
	switch s.Status {
	case VEXNotAffected:
		if s.Justification == "" && s.Impact == "" {
			probs = append(probs, Problem{loc + "justification", "not_affected needs a justification or an impact statement"})
		}
	case VEXAffected:
		if s.Action == "" {
			probs = append(probs, Problem{loc + "action_statement", "affected needs an action statement (what users should do)"})
		}
	}
	if s.Status != VEXNotAffected && s.Justification != "" {
		probs = append(probs, Problem{loc + "justification", "only a not_affected status takes a justification"})
	}
	probs = checkLen(probs, loc+"impact_statement", s.Impact, 4000)
	probs = checkLen(probs, loc+"action_statement", s.Action, 4000)
	return probs
}

// Validate checks c (after normalising whitespace), as created or edited
// at now. It does not check CVSS vectors (the cvss package does, in the
// layer that scores them).
func (c *Case) Validate(now time.Time) error {
	c.Title = strings.TrimSpace(c.Title)
	c.Description = strings.TrimSpace(c.Description)
	c.Component, c.VulnID = strings.TrimSpace(c.Component), strings.TrimSpace(c.VulnID)
	c.CWE = strings.ToUpper(strings.TrimSpace(c.CWE))
	var probs []Problem
	if c.Type == "" {
		c.Type = CaseVulnerability
	}
	if c.Type != CaseVulnerability && c.Type != CaseIncident {
		probs = append(probs, Problem{"type", "must be vulnerability or incident; found " + quote(c.Type)})
	}
	if c.Title == "" {
		probs = append(probs, Problem{"title", "is required"})
	}
	probs = checkLen(probs, "title", c.Title, 255)
	probs = checkLen(probs, "description", c.Description, 20000)
	probs = checkLen(probs, "root_cause", c.RootCause, 4000)
	probs = checkLen(probs, "component", c.Component, 1000)
	if c.Source == "" {
		c.Source = SourceInternal
	}
	if !slices.Contains([]string{SourceIntake, SourceInternal, SourceMonitoring, SourceVEX}, c.Source) {
		probs = append(probs, Problem{"source", "must be intake, internal, monitoring or vex; found " + quote(c.Source)})
	}
	if c.Validity == "" {
		c.Validity = ValidityPending
	}
	if !slices.Contains([]string{ValidityPending, ValidityValid, ValidityInvalid, ValidityDuplicate}, c.Validity) {
		probs = append(probs, Problem{"validity", "must be pending, valid, invalid or duplicate; found " + quote(c.Validity)})
	}
	if c.CWE != "" && !validCWE(c.CWE) {
		probs = append(probs, Problem{"cwe", "must look like CWE-79; found " + quote(c.CWE)})
	}
	if c.Decision != "" {
		if !slices.Contains([]string{DecisionFix, DecisionMitigate, DecisionDefer, DecisionAccept}, c.Decision) {
			probs = append(probs, Problem{"decision", "must be fix, mitigate, defer or accept; found " + quote(c.Decision)})
		}
		if (c.Decision == DecisionDefer || c.Decision == DecisionAccept) && strings.TrimSpace(c.DecisionRationale) == "" {
			probs = append(probs, Problem{"decision_rationale", c.Decision + " needs a residual-risk justification"})
		}
		if c.Validity != ValidityValid {
			probs = append(probs, Problem{"decision", "only a valid case can be decided; validity is " + c.Validity})
		}
	}
	probs = checkLen(probs, "decision_rationale", c.DecisionRationale, 4000)
	if c.State == "" {
		c.State = CaseOpen
	}
	if c.State != CaseOpen && c.State != CaseClosed {
		probs = append(probs, Problem{"state", "must be open or closed; found " + quote(c.State)})
	}
	// Clock rules: the Art. 14 deadlines run from these, so they must make sense.
	slack := now.Add(5 * time.Minute) // tolerate small clock skew between machines
	if c.AwareAt.IsZero() {
		probs = append(probs, Problem{"aware_at", "is required (when the manufacturer became aware)"})
	} else if c.AwareAt.After(slack) {
		probs = append(probs, Problem{"aware_at", "is in the future (" + c.AwareAt.UTC().Format(time.RFC3339) + "); awareness cannot be later than now"})
	}
	if !c.FixAvailableAt.IsZero() {
		if c.FixAvailableAt.After(slack) {
			probs = append(probs, Problem{"fix_available_at", "is in the future; record it when the fix or mitigation is available"})
		}
		if !c.AwareAt.IsZero() && c.FixAvailableAt.Before(c.AwareAt) {
			probs = append(probs, Problem{"fix_available_at", "is before the awareness time " + c.AwareAt.UTC().Format(time.RFC3339)})
		}
	}
	if c.Exploited && !c.ExploitedAt.IsZero() {
		if c.ExploitedAt.After(slack) {
			probs = append(probs, Problem{"exploited_at", "is in the future"})
		}
		if !c.AwareAt.IsZero() && c.ExploitedAt.Before(c.AwareAt) {
			probs = append(probs, Problem{"exploited_at", "is before the awareness time " + c.AwareAt.UTC().Format(time.RFC3339)})
		}
	}
	if !c.UpstreamNotifiedAt.IsZero() && c.UpstreamNotifiedAt.After(slack) {
		probs = append(probs, Problem{"upstream_notified_at", "is in the future"})
	}
	if c.Exploited && c.Type == CaseIncident {
		probs = append(probs, Problem{"actively_exploited", "applies to vulnerability cases; an incident has its own reporting stream"})
	}
	probs = checkLen(probs, "malicious_actor", c.MaliciousActor, 100)
	probs = checkLen(probs, "upstream_note", c.UpstreamNote, 4000)
	for i := range c.Releases {
		probs = append(probs, c.Releases[i].Validate(fmt.Sprintf("releases/%d/", i))...)
	}
	if len(probs) > 0 {
		return Invalid("invalid case", probs...)
	}
	c.AwareAt = c.AwareAt.UTC()
	return nil
}

func validCWE(s string) bool {
	n, ok := strings.CutPrefix(s, "CWE-")
	if !ok || n == "" || len(n) > 6 {
		return false
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return false
		}
	}
	return n[0] != '0'
}

// RemediationPolicy sets how many days a case of each severity may stay
// open before its fix is due (IEC 62443-4-1 DM-4, SUM-5).
type RemediationPolicy struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	// Unknown applies while a case has no score.
	Unknown int `json:"unknown"`
	// DueSoonDays: a case is listed as due soon this many days before.
	DueSoonDays int `json:"due_soon_days"`
	// ReviewEveryDays: how often open cases must be reviewed (DM-4, DM-6).
	ReviewEveryDays int `json:"review_every_days"`
}

// DefaultRemediationPolicy is what a new installation starts with.
var DefaultRemediationPolicy = RemediationPolicy{Critical: 7, High: 30, Medium: 90, Low: 180, Unknown: 30, DueSoonDays: 7, ReviewEveryDays: 30}

// Days is the allowed time for rating r.
func (p RemediationPolicy) Days(r string) int {
	switch r {
	case "critical":
		return p.Critical
	case "high":
		return p.High
	case "medium":
		return p.Medium
	case "low", "none":
		return p.Low
	}
	return p.Unknown
}

// Due is when a case aware at t with rating r must be fixed.
func (p RemediationPolicy) Due(t time.Time, r string) time.Time {
	return t.UTC().Add(time.Duration(p.Days(r)) * 24 * time.Hour)
}

// Validate checks every period is between 1 day and 10 years.
func (p *RemediationPolicy) Validate() error {
	var probs []Problem
	for _, f := range []struct {
		name string
		v    int
	}{{"critical", p.Critical}, {"high", p.High}, {"medium", p.Medium}, {"low", p.Low}, {"unknown", p.Unknown}, {"review_every_days", p.ReviewEveryDays}} {
		if f.v < 1 || f.v > 3650 {
			probs = append(probs, Problem{f.name, fmt.Sprintf("must be between 1 and 3650 days; found %d", f.v)})
		}
	}
	if p.DueSoonDays < 0 || p.DueSoonDays > 365 {
		probs = append(probs, Problem{"due_soon_days", fmt.Sprintf("must be between 0 and 365; found %d", p.DueSoonDays)})
	}
	if p.Critical > p.High || p.High > p.Medium || p.Medium > p.Low {
		probs = append(probs, Problem{"critical", "periods must not grow with severity: critical ≤ high ≤ medium ≤ low"})
	}
	if len(probs) > 0 {
		return Invalid("invalid remediation policy", probs...)
	}
	return nil
}

// CaseReview records a periodic review of the open cases (DM-4, DM-6).
type CaseReview struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Reviewer  string    `json:"reviewer"`
	Notes     string    `json:"notes"`
	OpenCases int       `json:"open_cases"`
	Overdue   int       `json:"overdue"`
	Cases     []string  `json:"cases"` // refs reviewed
}
