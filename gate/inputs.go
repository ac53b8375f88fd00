package gate

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Inputs is everything the gate judges, gathered by the caller from the
// database. It is hashed (InputsHash) so that a stored decision can be
// re-verified: fill it from data that is itself kept.
type Inputs struct {
	Product   string `json:"product"`
	Release   string `json:"release"`
	Lifecycle string `json:"lifecycle,omitempty"`
	// EvaluatedAt is "now" for the gate: review ages, support end and
	// exceptions' expiry are judged against it, so a re-run is reproducible.
	EvaluatedAt time.Time `json:"evaluated_at"`

	SBOM        *SBOMInput        `json:"sbom"`         // nil: the release has no SBOM
	Findings    []Finding         `json:"findings"`     // vulnerabilities matched to the release's components
	ThreatModel *ThreatModelInput `json:"threat_model"` // nil: no threat model
	Results     *ResultsInput     `json:"results"`      // nil: no analysis results imported
	// Evidence maps a requirement ID (SVV-1) to whether current, unexpired
	// evidence is recorded for the release or product.
	Evidence    map[string]bool `json:"evidence"`
	SupportEnd  string          `json:"support_end"` // YYYY-MM-DD; "" not declared
	SecurityTxt bool            `json:"security_txt"`
	CVDPolicy   bool            `json:"cvd_policy"`
	// Checklist holds the SM-12 checklist items applicable to the release.
	Checklist  []ChecklistItem `json:"checklist"`
	Exceptions []Exception     `json:"exceptions"`
}

// SBOMInput describes the release's SBOM and its quality result.
type SBOMInput struct {
	DocumentSHA256 string `json:"document_sha256"`
	Format         string `json:"format"` // cyclonedx-1.6, spdx-2.3, ...
	Components     int    `json:"components"`
	// Profile is the quality profile Conforms and Failing were judged
	// against; it must be the policy's sbom.profile.
	Profile  string         `json:"profile"`
	Conforms bool           `json:"conforms"`
	Failing  []FieldFailure `json:"failing"`
}

// FieldFailure is one quality field the SBOM fails and how many
// components (or 1 for a document-level field) fail it.
type FieldFailure struct {
	Field string `json:"field"`
	Count int    `json:"count"`
}

// Finding is one vulnerability matched to a component of the release.
type Finding struct {
	VulnID    string   `json:"vuln_id"`
	Aliases   []string `json:"aliases"`
	Component string   `json:"component"`
	Version   string   `json:"version"`
	Purl      string   `json:"purl"`
	Rating    string   `json:"rating"` // critical, high, medium, low, none; "" or unknown blocks
	Score     float64  `json:"score"`
	KEV       bool     `json:"kev"`
	// Decision is the release's VEX status for the vulnerability: ""
	// (none), under_investigation, affected, not_affected, fixed, or
	// false_positive / resolved. Only not_affected, fixed, false_positive
	// and resolved resolve the finding.
	Decision string `json:"decision"`
}

// ThreatModelInput describes the product's threat model.
type ThreatModelInput struct {
	Hash       string     `json:"hash"`
	ReviewedAt *time.Time `json:"reviewed_at"` // nil: never reviewed
	Threats    []Threat   `json:"threats"`
}

// Threat is one threat of the model. Status mitigated, accepted,
// transferred, avoided, closed, resolved or not_applicable closes it; any
// other status (open, identified, "") is open.
type Threat struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Rating string `json:"rating"`
	Status string `json:"status"`
}

// ResultsInput describes the analysis results of the release.
type ResultsInput struct {
	Imports []ResultImport `json:"imports"`
	Open    []Result       `json:"open"` // not suppressed, not fixed
}

// ResultImport is one import of analysis results for the release.
type ResultImport struct {
	Tool       string    `json:"tool"`
	Kind       string    `json:"kind"` // sast counts for the sast check; others (dast, secrets, ...) do not
	ImportedAt time.Time `json:"imported_at"`
}

// Result is one open analysis result. Severity is critical..none; SARIF
// levels error, warning and note count as high, medium and low.
type Result struct {
	Fingerprint string `json:"fingerprint"`
	Tool        string `json:"tool"`
	RuleID      string `json:"rule_id"`
	Severity    string `json:"severity"`
	Location    string `json:"location"`
	Message     string `json:"message,omitempty"`
}

// ChecklistItem is one applicable SM-12 checklist item.
type ChecklistItem struct {
	Name   string `json:"name"`
	Done   bool   `json:"done"`
	Detail string `json:"detail"`
}

// Exception is an approved, time-limited waiver of one check, or of one
// subject of a check (a vulnerability ID or alias, threat ID, result
// fingerprint, requirement ID, checklist item name, SBOM field, or
// security.txt / cvd_policy).
type Exception struct {
	ID        string    `json:"id"`
	Check     string    `json:"check"`
	Subject   string    `json:"subject"` // "" = the whole check
	Approver  string    `json:"approver"`
	Reason    string    `json:"reason"`
	Expires   time.Time `json:"expires"`
	CreatedAt time.Time `json:"created_at"`
}

// canonical returns a deep copy of in with every slice sorted, empty
// collections nil and times in UTC, so that equal inputs encode equally.
// The caller's value is not changed.
func canonical(in *Inputs) *Inputs {
	if in == nil {
		return &Inputs{}
	}
	c := *in
	c.EvaluatedAt = utc(in.EvaluatedAt)
	if in.SBOM != nil {
		s := *in.SBOM
		s.Failing = sorted(in.SBOM.Failing, func(a, b FieldFailure) int {
			return cmp.Or(strings.Compare(a.Field, b.Field), cmp.Compare(a.Count, b.Count))
		})
		c.SBOM = &s
	}
	if len(in.Findings) > 0 {
		c.Findings = make([]Finding, len(in.Findings))
		for i, f := range in.Findings {
			f.Aliases = sorted(f.Aliases, strings.Compare)
			f.Score = finite(f.Score)
			c.Findings[i] = f
		}
		slices.SortFunc(c.Findings, compareFinding)
	} else {
		c.Findings = nil
	}
	if in.ThreatModel != nil {
		t := *in.ThreatModel
		if t.ReviewedAt != nil {
			r := utc(*t.ReviewedAt)
			t.ReviewedAt = &r
		}
		t.Threats = sorted(t.Threats, func(a, b Threat) int {
			return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Title, b.Title), strings.Compare(a.Rating, b.Rating), strings.Compare(a.Status, b.Status))
		})
		c.ThreatModel = &t
	}
	if in.Results != nil {
		r := ResultsInput{}
		r.Imports = sorted(in.Results.Imports, func(a, b ResultImport) int {
			return cmp.Or(a.ImportedAt.Compare(b.ImportedAt), strings.Compare(a.Tool, b.Tool), strings.Compare(a.Kind, b.Kind))
		})
		for i := range r.Imports {
			r.Imports[i].ImportedAt = utc(r.Imports[i].ImportedAt)
		}
		r.Open = sorted(in.Results.Open, compareResult)
		c.Results = &r
	}
	if len(in.Evidence) > 0 {
		c.Evidence = make(map[string]bool, len(in.Evidence))
		for k, v := range in.Evidence {
			c.Evidence[k] = v
		}
	} else {
		c.Evidence = nil
	}
	c.Checklist = sorted(in.Checklist, func(a, b ChecklistItem) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), compareBool(a.Done, b.Done), strings.Compare(a.Detail, b.Detail))
	})
	c.Exceptions = sorted(in.Exceptions, func(a, b Exception) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Check, b.Check), strings.Compare(a.Subject, b.Subject),
			strings.Compare(a.Approver, b.Approver), strings.Compare(a.Reason, b.Reason),
			a.Expires.Compare(b.Expires), a.CreatedAt.Compare(b.CreatedAt))
	})
	for i := range c.Exceptions {
		c.Exceptions[i].Expires = utc(c.Exceptions[i].Expires)
		c.Exceptions[i].CreatedAt = utc(c.Exceptions[i].CreatedAt)
	}
	return &c
}

func compareFinding(a, b Finding) int {
	return cmp.Or(strings.Compare(a.VulnID, b.VulnID), strings.Compare(a.Component, b.Component),
		strings.Compare(a.Version, b.Version), strings.Compare(a.Purl, b.Purl),
		strings.Compare(a.Rating, b.Rating), cmp.Compare(a.Score, b.Score), compareBool(a.KEV, b.KEV),
		strings.Compare(a.Decision, b.Decision), slices.Compare(a.Aliases, b.Aliases))
}

func compareResult(a, b Result) int {
	return cmp.Or(strings.Compare(a.Fingerprint, b.Fingerprint), strings.Compare(a.Tool, b.Tool),
		strings.Compare(a.RuleID, b.RuleID), strings.Compare(a.Severity, b.Severity),
		strings.Compare(a.Location, b.Location), strings.Compare(a.Message, b.Message))
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// sorted returns a sorted copy of s, nil when s is empty.
func sorted[T any](s []T, f func(a, b T) int) []T {
	if len(s) == 0 {
		return nil
	}
	c := slices.Clone(s)
	slices.SortFunc(c, f)
	return c
}

var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// utc drops the location and monotonic reading and clamps the year to
// 1..9999 (what JSON can encode); the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	t = t.UTC().Round(0)
	if t.Before(minTime) {
		return minTime
	}
	if t.After(maxTime) {
		return maxTime
	}
	return t
}

// finite replaces NaN and infinities, which JSON cannot encode, by 0.
func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}
