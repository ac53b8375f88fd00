package cradle

import (
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Intake report statuses, as the reporter sees them on the status page.
const (
	IntakeReceived  = "received" // stored, not yet looked at
	IntakeAccepted  = "accepted" // a case was opened
	IntakeRejected  = "rejected" // not a vulnerability, or out of scope
	IntakeDuplicate = "duplicate"
)

// IntakeReport is a vulnerability report submitted through the public form
// or endpoint (IEC 62443-4-1 DM-1, CRA Annex I Part II (5), (6)). Its
// content is the reporter's: stored as given, always shown escaped.
type IntakeReport struct {
	ID          int64              `json:"-"`
	TrackingID  string             `json:"tracking_id"` // public, e.g. VR-7K3M-Q2PA
	Product     string             `json:"product"`
	Version     string             `json:"version,omitempty"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Name        string             `json:"contact_name,omitempty"`
	Email       string             `json:"contact_email,omitempty"`
	Status      string             `json:"status"`
	StatusNote  string             `json:"status_note,omitempty"` // shown to the reporter
	CaseRef     string             `json:"case,omitempty"`
	Attachments []IntakeAttachment `json:"attachments,omitempty"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
}

// IntakeAttachment is a file attached to a report, stored by SHA-256.
type IntakeAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
}

// Intake limits.
const (
	IntakeMaxAttachments    = 5
	IntakeMaxAttachmentSize = 5 << 20
	IntakeMaxDescription    = 20000
)

// Validate checks a report as submitted. Anonymous reports have no name
// and no e-mail.
func (r *IntakeReport) Validate() error {
	r.Product, r.Version = strings.TrimSpace(r.Product), strings.TrimSpace(r.Version)
	r.Title, r.Description = strings.TrimSpace(r.Title), strings.TrimSpace(r.Description)
	r.Name, r.Email = strings.TrimSpace(r.Name), strings.TrimSpace(r.Email)
	var probs []Problem
	if r.Product == "" {
		probs = append(probs, Problem{"product", "is required"})
	}
	if r.Title == "" {
		probs = append(probs, Problem{"title", "is required"})
	}
	if len(r.Description) < 20 {
		probs = append(probs, Problem{"description", "is required: describe the vulnerability in at least 20 characters (how to reproduce it, its impact)"})
	}
	probs = checkLen(probs, "product", r.Product, 255)
	probs = checkLen(probs, "version", r.Version, 100)
	probs = checkLen(probs, "title", r.Title, 255)
	probs = checkLen(probs, "description", r.Description, IntakeMaxDescription)
	probs = checkLen(probs, "contact_name", r.Name, 200)
	if r.Email != "" {
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email {
			probs = append(probs, Problem{"contact_email", "is not an e-mail address"})
		}
	}
	if len(r.Attachments) > IntakeMaxAttachments {
		probs = append(probs, Problem{"attachments", "at most " + itoa(IntakeMaxAttachments) + " files"})
	}
	for i, a := range r.Attachments {
		if a.Size > IntakeMaxAttachmentSize {
			probs = append(probs, Problem{"attachments/" + itoa(i), a.Filename + " is larger than 5 MiB"})
		}
		probs = checkLen(probs, "attachments/"+itoa(i)+"/filename", a.Filename, 255)
	}
	if len(probs) > 0 {
		return Invalid("invalid report", probs...)
	}
	return nil
}

// SecurityUpdate is a release marked as a security update (IEC 62443-4-1
// SUM-1..SUM-5, CRA Annex I Part II (7), (8)): what it fixes, how it was
// qualified, how to install and verify it, its integrity, and when it
// became available, which starts the Art. 14 final-report clock of the
// cases it fixes.
type SecurityUpdate struct {
	ID            int64     `json:"id"`
	ReleaseID     int64     `json:"release_id"`
	Product       string    `json:"product"`
	Version       string    `json:"version"`
	AvailableAt   time.Time `json:"available_at"`
	Summary       string    `json:"summary"`          // what it fixes, for users
	Install       string    `json:"install"`          // installation instructions
	Verify        string    `json:"verify"`           // how to verify the update is genuine and installed
	Impact        string    `json:"impact,omitempty"` // e.g. "reboot required, 2 minutes downtime"
	Qualification string    `json:"qualification"`    // tests run (SUM-1)
	ArtifactName  string    `json:"artifact,omitempty"`
	ArtifactHash  string    `json:"artifact_sha256,omitempty"`
	SignatureURL  string    `json:"signature_url,omitempty"`
	Cases         []string  `json:"cases"` // refs of the fixed cases
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
	// AvailableUntil: at least ten years after issue or the rest of the
	// support period, whichever is longer (Art. 13(9)).
	AvailableUntil time.Time `json:"available_until"`
}

// Validate checks u at now.
func (u *SecurityUpdate) Validate(now time.Time) error {
	u.Summary, u.Install, u.Verify = strings.TrimSpace(u.Summary), strings.TrimSpace(u.Install), strings.TrimSpace(u.Verify)
	u.ArtifactHash = strings.ToLower(strings.TrimSpace(u.ArtifactHash))
	var probs []Problem
	if u.AvailableAt.IsZero() {
		probs = append(probs, Problem{"available_at", "is required"})
	} else if u.AvailableAt.After(now.Add(5 * time.Minute)) {
		probs = append(probs, Problem{"available_at", "is in the future; mark the update when it is available"})
	}
	if u.Summary == "" {
		probs = append(probs, Problem{"summary", "is required: what the update fixes"})
	}
	if u.Install == "" {
		probs = append(probs, Problem{"install", "is required: installation instructions"})
	}
	if u.Verify == "" {
		probs = append(probs, Problem{"verify", "is required: how users verify the update"})
	}
	if u.Qualification == "" {
		probs = append(probs, Problem{"qualification", "is required: which tests qualified the update (SUM-1)"})
	}
	if u.ArtifactHash != "" && !isHex(u.ArtifactHash, 64) {
		probs = append(probs, Problem{"artifact_sha256", "must be 64 hexadecimal characters"})
	}
	if u.ArtifactHash == "" && u.SignatureURL == "" {
		probs = append(probs, Problem{"artifact_sha256", "give the artefact's SHA-256 or a signature URL so users can check its integrity"})
	}
	if u.SignatureURL != "" {
		if p, err := url.Parse(u.SignatureURL); err != nil || p.Scheme != "https" || p.Host == "" {
			probs = append(probs, Problem{"signature_url", "must be an https URL"})
		}
	}
	for _, f := range []struct {
		n, v string
		max  int
	}{{"summary", u.Summary, 4000}, {"install", u.Install, 10000}, {"verify", u.Verify, 10000}, {"impact", u.Impact, 2000}, {"qualification", u.Qualification, 10000}, {"artifact", u.ArtifactName, 255}} {
		probs = checkLen(probs, f.n, f.v, f.max)
	}
	if len(probs) > 0 {
		return Invalid("invalid security update", probs...)
	}
	u.AvailableAt = u.AvailableAt.UTC()
	return nil
}

// Until computes AvailableUntil from the product's support end.
func (u *SecurityUpdate) Until(supportEnd time.Time) time.Time {
	t := u.AvailableAt.AddDate(10, 0, 0)
	if supportEnd.After(t) {
		return supportEnd
	}
	return t
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// Advisory states (CSAF /document/tracking/status).
const (
	AdvisoryDraft   = "draft"
	AdvisoryInterim = "interim"
	AdvisoryFinal   = "final"
)

// TLP labels of CSAF 2.0.
var TLPLabels = []string{"WHITE", "GREEN", "AMBER", "RED"}

// Advisory is a CSAF document cradle generates from a case: a security
// advisory or a VEX document. Each publication is a new revision.
type Advisory struct {
	ID          int64              `json:"id"`
	CaseRef     string             `json:"case"`
	TrackingID  string             `json:"tracking_id"`
	Category    string             `json:"category"` // csaf_security_advisory, csaf_vex
	Title       string             `json:"title"`
	TLP         string             `json:"tlp"`
	Status      string             `json:"status"`
	Version     string             `json:"version"` // current /document/tracking/version ("0.1.0" drafts, "1", "2" ...)
	Summary     string             `json:"summary"` // the advisory's summary note
	Details     string             `json:"details"` // description note
	Workaround  string             `json:"workaround,omitempty"`
	References  []string           `json:"references,omitempty"`
	Acknowledge []string           `json:"acknowledgments,omitempty"` // names to thank
	InitialDate time.Time          `json:"initial_release_date,omitzero"`
	CurrentDate time.Time          `json:"current_release_date,omitzero"`
	PublishedAt time.Time          `json:"published_at,omitzero"`
	Document    []byte             `json:"-"` // the CSAF JSON of the current revision
	Revisions   []AdvisoryRevision `json:"revisions,omitempty"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
}

// AdvisoryRevision is one published revision.
type AdvisoryRevision struct {
	Number  string    `json:"number"`
	Date    time.Time `json:"date"`
	Summary string    `json:"summary"`
	Status  string    `json:"status"`
}

// Subscriber is a customer who wants advisories by e-mail.
type Subscriber struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name,omitempty"`
	Product   string    `json:"product,omitempty"` // empty: every product
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks s.
func (s *Subscriber) Validate() error {
	s.Email, s.Name = strings.TrimSpace(s.Email), strings.TrimSpace(s.Name)
	var probs []Problem
	if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email {
		probs = append(probs, Problem{"email", "is not an e-mail address"})
	}
	probs = checkLen(probs, "name", s.Name, 200)
	if len(probs) > 0 {
		return Invalid("invalid subscriber", probs...)
	}
	return nil
}

// PSIRTSettings configure the public face of the PSIRT: security.txt, the
// CVD policy page and the CSAF publisher.
type PSIRTSettings struct {
	Contacts           []string `json:"contacts"` // mailto:, https:
	PreferredLanguages []string `json:"preferred_languages,omitempty"`
	ExpiresDays        int      `json:"expires_days"` // security.txt Expires = now + this, regenerated
	Acknowledgments    string   `json:"acknowledgments_url,omitempty"`
	Hiring             string   `json:"hiring_url,omitempty"`
	// BaseURL is the public https URL of this server; Canonical, Policy and
	// CSAF lines are built from it.
	BaseURL   string `json:"base_url"`
	SignTxt   bool   `json:"sign_security_txt"`
	CVDPolicy string `json:"cvd_policy"` // Markdown-ish plain text template; {{.Contact}} etc.
	// CSAF publisher.
	PublisherName      string `json:"publisher_name"`
	PublisherNamespace string `json:"publisher_namespace"` // https URL
	PublisherContact   string `json:"publisher_contact"`
	TrackingPrefix     string `json:"tracking_prefix"` // e.g. NW-SA
	IntakeEnabled      bool   `json:"intake_enabled"`
}

// Validate checks s.
func (s *PSIRTSettings) Validate() error {
	var probs []Problem
	if len(s.Contacts) == 0 {
		probs = append(probs, Problem{"contacts", "at least one contact (mailto: or https:) is required (RFC 9116)"})
	}
	for i, c := range s.Contacts {
		u, err := url.Parse(c)
		if err != nil || (u.Scheme != "mailto" && u.Scheme != "https" && u.Scheme != "tel") || (u.Opaque == "" && u.Host == "") {
			probs = append(probs, Problem{"contacts/" + itoa(i), "must be a mailto:, https: or tel: URI; found " + quote(c)})
		}
	}
	for _, f := range []struct{ n, v string }{{"base_url", s.BaseURL}, {"publisher_namespace", s.PublisherNamespace}, {"acknowledgments_url", s.Acknowledgments}, {"hiring_url", s.Hiring}} {
		if f.v == "" {
			if f.n == "base_url" || f.n == "publisher_namespace" {
				probs = append(probs, Problem{f.n, "is required (an https URL)"})
			}
			continue
		}
		if u, err := url.Parse(f.v); err != nil || u.Scheme != "https" || u.Host == "" {
			probs = append(probs, Problem{f.n, "must be an https URL; found " + quote(f.v)})
		}
	}
	if s.ExpiresDays < 1 || s.ExpiresDays > 366 {
		probs = append(probs, Problem{"expires_days", "must be between 1 and 366 (RFC 9116 recommends less than a year)"})
	}
	if strings.TrimSpace(s.PublisherName) == "" {
		probs = append(probs, Problem{"publisher_name", "is required"})
	}
	if s.TrackingPrefix == "" || strings.ContainsAny(s.TrackingPrefix, " /\\") {
		probs = append(probs, Problem{"tracking_prefix", "is required, without spaces or slashes (e.g. ACME-SA)"})
	}
	probs = checkLen(probs, "cvd_policy", s.CVDPolicy, 50000)
	if len(probs) > 0 {
		return Invalid("invalid PSIRT settings", probs...)
	}
	s.BaseURL = strings.TrimRight(s.BaseURL, "/")
	return nil
}

// DefaultCVDPolicy is the starting text of the CVD policy page.
const DefaultCVDPolicy = `# Coordinated vulnerability disclosure policy

We welcome reports of security vulnerabilities in our products. This policy says how to report one and what you can expect from us.

## How to report

Use the reporting form at {{.ReportURL}} (no account needed; you may stay anonymous) or write to {{.Contact}}. Please include the product and version, a description of the vulnerability, steps to reproduce it and its impact as you see it.

## What we do

- We confirm receipt within 3 working days and give you a tracking ID and a status link.
- We assess the report, keep you informed, and agree a disclosure date with you, normally within 90 days.
- We publish security advisories in CSAF format at {{.CSAFURL}} and credit you if you wish.
- We report actively exploited vulnerabilities as the EU Cyber Resilience Act (Art. 14) requires.

## Safe harbour

We will not take legal action against research done in good faith under this policy: do not access more data than needed, do not disrupt our services or customers, and give us reasonable time to fix before disclosure.
`
