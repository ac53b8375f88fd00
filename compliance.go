package cradle

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Assessment statuses of a requirement.
const (
	StatusNotStarted    = "not_started"
	StatusPartial       = "partial"
	StatusMet           = "met"
	StatusNotApplicable = "not_applicable"
)

// AssessmentStatuses lists the statuses in order.
var AssessmentStatuses = []string{StatusNotStarted, StatusPartial, StatusMet, StatusNotApplicable}

// Assessment scopes: the organisation's process, or one product.
const (
	ScopeOrganisation = "organisation"
	ScopeProduct      = "product"
	// ScopeRelease assesses one release of a product; what it does not
	// assess itself it inherits from the product.
	ScopeRelease = "release"
)

// Assessment is the state of one requirement of a catalogue for the
// organisation or for one product: its status, owner, review date and
// evidence.
type Assessment struct {
	ID          int64      `json:"id"`
	Scope       string     `json:"scope"`
	Product     string     `json:"product,omitempty"`
	Release     string     `json:"release,omitempty"` // a release scope's version
	CatalogID   string     `json:"catalog"`
	Requirement string     `json:"requirement"`
	Status      string     `json:"status"`
	Owner       string     `json:"owner,omitempty"`
	ReviewDate  string     `json:"review_date,omitempty"` // YYYY-MM-DD: next review due
	Notes       string     `json:"notes,omitempty"`
	UpdatedBy   string     `json:"updated_by,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at,omitzero"`
	Evidence    []Evidence `json:"evidence"`
}

// Validate checks a's editable fields.
func (a *Assessment) Validate() error {
	var probs []Problem
	a.Owner, a.Notes = strings.TrimSpace(a.Owner), strings.TrimSpace(a.Notes)
	if a.Status == "" {
		a.Status = StatusNotStarted
	}
	if !slices.Contains(AssessmentStatuses, a.Status) {
		probs = append(probs, Problem{"status", "must be one of " + strings.Join(AssessmentStatuses, ", ") + "; found " + quote(a.Status)})
	}
	if a.Scope != ScopeOrganisation && a.Scope != ScopeProduct && a.Scope != ScopeRelease {
		probs = append(probs, Problem{"scope", "must be organisation, product or release; found " + quote(a.Scope)})
	}
	if (a.Scope == ScopeProduct || a.Scope == ScopeRelease) && a.Product == "" {
		probs = append(probs, Problem{"product", "is required for a product or release assessment"})
	}
	if a.Scope == ScopeRelease && a.Release == "" {
		probs = append(probs, Problem{"release", "is required for a release assessment"})
	}
	checkDate(&probs, "review_date", a.ReviewDate)
	probs = checkLen(probs, "owner", a.Owner, 200)
	probs = checkLen(probs, "notes", a.Notes, 20000)
	if len(probs) > 0 {
		return Invalid("invalid assessment", probs...)
	}
	return nil
}

// Evidence kinds.
const (
	EvidenceFile   = "file"   // an uploaded file, stored by SHA-256
	EvidenceURL    = "url"    // a link to a document elsewhere
	EvidenceRecord = "record" // a cradle record: sbom, advisory, security_update, case, decision
)

// Evidence supports an assessment.
type Evidence struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	SHA256      string    `json:"sha256,omitempty"`
	Filename    string    `json:"filename,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int64     `json:"size,omitempty"`
	URL         string    `json:"url,omitempty"`
	RecordType  string    `json:"record_type,omitempty"`
	RecordRef   string    `json:"record,omitempty"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	AddedBy     string    `json:"added_by"`
	AddedAt     time.Time `json:"added_at"`
	// Computed when read: Stale once ExpiresAt passed; Broken when the
	// record it links to no longer exists (the link stays in the history).
	Stale  bool `json:"stale"`
	Broken bool `json:"broken"`
}

// Fresh reports whether the evidence counts: neither stale nor broken.
func (e Evidence) Fresh() bool { return !e.Stale && !e.Broken }

// EvidenceMaxSize bounds an evidence file.
const EvidenceMaxSize = 50 << 20

// ReqState is what the maturity rule knows of one requirement.
type ReqState struct {
	ID     string
	Status string
	Fresh  int // evidence items that count
}

// MaturityResult is a practice's computed maturity level with the reason
// and what the next level needs.
type MaturityResult struct {
	Level int    `json:"level"` // 1-4; 0 when no requirement of the practice applies
	Name  string `json:"name"`
	Why   string `json:"why"`
	Next  string `json:"next,omitempty"`
	// Blocking lists the requirements that keep the practice from the
	// next level.
	Blocking []string `json:"blocking,omitempty"`
}

// MaturityNames are the levels of IEC 62443-4-1 clause 4.2.
var MaturityNames = map[int]string{0: "Not applicable", 1: "Initial", 2: "Managed", 3: "Defined (practiced)", 4: "Improving"}

// MaturityRule is the rule Maturity applies, as shown to people.
const MaturityRule = `A practice's maturity level follows from the status and evidence of its applicable requirements (not applicable ones are left out; a level cannot be claimed by leaving requirements out):
ML1 Initial: the starting level.
ML2 Managed: every applicable requirement is at least partially in place (status partial or met): a written, repeatable process exists.
ML3 Defined (practiced): every applicable requirement is met and has at least one piece of evidence that is neither stale nor broken: records prove the process is performed.
ML4 Improving: ML3, and the organisation's continuous-improvement requirement (SM-13) is met with current evidence: the process is measured and improved.`

// Maturity computes a practice's level from its requirements' states.
// improving says whether the organisation's continuous improvement is
// evidenced (see MaturityRule).
func Maturity(reqs []ReqState, improving bool) MaturityResult {
	var applicable []ReqState
	for _, r := range reqs {
		if r.Status != StatusNotApplicable {
			applicable = append(applicable, r)
		}
	}
	if len(applicable) == 0 {
		return MaturityResult{Level: 0, Name: MaturityNames[0], Why: "no requirement of this practice applies"}
	}
	var notStarted, notMet, noEvidence []string
	for _, r := range applicable {
		if r.Status == StatusNotStarted || r.Status == "" {
			notStarted = append(notStarted, r.ID)
		}
		if r.Status != StatusMet {
			notMet = append(notMet, r.ID)
		} else if r.Fresh == 0 {
			noEvidence = append(noEvidence, r.ID)
		}
	}
	n := len(applicable)
	switch {
	case len(notStarted) > 0:
		return MaturityResult{Level: 1, Name: MaturityNames[1],
			Why:      fmt.Sprintf("%d of %d applicable requirements are not started", len(notStarted), n),
			Next:     "ML2 needs every applicable requirement at least partially in place: " + strings.Join(notStarted, ", "),
			Blocking: notStarted}
	case len(notMet) > 0 || len(noEvidence) > 0:
		blocking := append(append([]string{}, notMet...), noEvidence...)
		var parts []string
		if len(notMet) > 0 {
			parts = append(parts, "met: "+strings.Join(notMet, ", "))
		}
		if len(noEvidence) > 0 {
			parts = append(parts, "current evidence: "+strings.Join(noEvidence, ", "))
		}
		return MaturityResult{Level: 2, Name: MaturityNames[2],
			Why:      fmt.Sprintf("all %d applicable requirements are in place; %d are not yet met with current evidence", n, len(blocking)),
			Next:     "ML3 needs " + strings.Join(parts, "; "),
			Blocking: blocking}
	case !improving:
		return MaturityResult{Level: 3, Name: MaturityNames[3],
			Why:      fmt.Sprintf("all %d applicable requirements are met with current evidence", n),
			Next:     "ML4 needs the organisation's continuous improvement (SM-13) met with current evidence",
			Blocking: []string{"SM-13"}}
	}
	return MaturityResult{Level: 4, Name: MaturityNames[4],
		Why: fmt.Sprintf("all %d applicable requirements are met with current evidence, and continuous improvement is evidenced", n)}
}
