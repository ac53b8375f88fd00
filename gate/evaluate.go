package gate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cradle-sdl/cradle"
)

// Check IDs, in the order the decision lists them.
const (
	CheckSBOM          = "sbom"
	CheckFindings      = "findings"
	CheckThreatModel   = "threat_model"
	CheckSAST          = "sast"
	CheckSVVEvidence   = "svv_evidence"
	CheckSupportPeriod = "support_period"
	CheckDisclosure    = "disclosure"
	CheckSDLChecklist  = "sdl_checklist"
)

// CheckInfo describes a check.
type CheckInfo struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Basis string `json:"basis"` // the requirements it serves
}

// Checks lists every check in evaluation order.
var Checks = []CheckInfo{
	{CheckSBOM, "SBOM present and meets the quality profile", "IEC 62443-4-1 SM-11; CRA Annex I Part II (1)"},
	{CheckFindings, "No undecided known vulnerabilities", "IEC 62443-4-1 SM-11, DM-4; CRA Annex I Part I (2)(a)"},
	{CheckThreatModel, "Threat model reviewed, no open high threats", "IEC 62443-4-1 SR-2, SM-11; CRA Annex I Part I (1)"},
	{CheckSAST, "Static analysis run, no open high analysis results (SAST, DAST, fuzzing)", "IEC 62443-4-1 SI-1, SVV-3, SM-11"},
	{CheckSVVEvidence, "Verification and validation evidence present", "IEC 62443-4-1 SVV-1..SVV-5, SM-11"},
	{CheckSupportPeriod, "Support period declared", "CRA Art. 13(8), Annex II (7)"},
	{CheckDisclosure, "Vulnerability disclosure in place", "CRA Annex I Part II (5), (6); IEC 62443-4-1 DM-1"},
	{CheckSDLChecklist, "SDL checklist complete", "IEC 62443-4-1 SM-12"},
}

// Status of a check.
type Status string

// Statuses.
const (
	StatusPass     Status = "pass"
	StatusFail     Status = "fail"
	StatusExcepted Status = "excepted" // every reason is covered by an exception
	StatusDisabled Status = "disabled"
)

// Exception use states in Decision.Exceptions.
const (
	ExceptionApplied = "applied" // covered at least one reason
	ExceptionUnused  = "unused"  // valid, but matched nothing
	ExceptionExpired = "expired" // Expires is not after EvaluatedAt
	ExceptionInvalid = "invalid" // no approver, no reason, unknown check, ...
	ExceptionFuture  = "not_yet" // created after EvaluatedAt
)

// Decision is the gate's verdict on a release.
type Decision struct {
	Product     string    `json:"product"`
	Release     string    `json:"release"`
	EvaluatedAt time.Time `json:"evaluated_at"`
	Pass        bool      `json:"pass"`
	// Failures counts the reasons not covered by an exception.
	Failures   int            `json:"failures"`
	Checks     []CheckResult  `json:"checks"`
	Exceptions []ExceptionUse `json:"exceptions"`
	PolicyHash string         `json:"policy_hash"` // SHA-256 of the canonical JSON policy
	InputsHash string         `json:"inputs_hash"` // SHA-256 of the canonical JSON inputs
	Hash       string         `json:"hash"`        // SHA-256 of this decision's canonical JSON with Hash empty
}

// CheckResult is the outcome of one check.
type CheckResult struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Basis   string   `json:"basis"`
	Status  Status   `json:"status"`
	Reasons []Reason `json:"reasons"`
}

// Reason is one thing that fails a check, and how to resolve it.
type Reason struct {
	Subject     string `json:"subject"` // what it is about: CVE ID, threat ID, fingerprint, ...
	Message     string `json:"message"`
	Resolve     string `json:"resolve"`
	ExceptionID string `json:"exception_id,omitempty"` // set when an exception covers it
}

// ExceptionUse reports what became of one exception in the inputs.
type ExceptionUse struct {
	ID       string    `json:"id"`
	Check    string    `json:"check"`
	Subject  string    `json:"subject"`
	Approver string    `json:"approver"`
	Reason   string    `json:"reason"`
	Expires  time.Time `json:"expires"`
	Status   string    `json:"status"`
	Covered  int       `json:"covered"` // reasons it covered
	Note     string    `json:"note,omitempty"`
}

// Evaluate judges the inputs against the policy. It never changes them.
// A nil policy means the default.
func Evaluate(p *Policy, in *Inputs) *Decision {
	if p == nil {
		p = defaultPolicy
	}
	c := canonical(in)
	d := &Decision{Product: c.Product, Release: c.Release, EvaluatedAt: c.EvaluatedAt}
	ev := &evaluation{p: p, in: c}
	ev.prepareExceptions()
	for _, info := range Checks {
		cr := CheckResult{ID: info.ID, Title: info.Title, Basis: info.Basis, Status: StatusDisabled}
		if ev.enabled(info.ID) {
			ev.aliases = nil
			cr.Reasons = ev.run(info.ID)
			cr.Status = ev.applyExceptions(info.ID, cr.Reasons)
		}
		for _, r := range cr.Reasons {
			if r.ExceptionID == "" {
				d.Failures++
			}
		}
		d.Checks = append(d.Checks, cr)
	}
	d.Pass = d.Failures == 0
	d.Exceptions = ev.uses
	d.PolicyHash = hashJSON(p)
	d.InputsHash = hashJSON(c)
	d.Hash = decisionHash(d)
	return d
}

type evaluation struct {
	p    *Policy
	in   *Inputs
	uses []ExceptionUse
	// usable exceptions by check; each entry indexes uses
	usable map[string][]int
	// expired or otherwise unusable exceptions by check, for hints
	unusable map[string][]int
	// aliases[i] are the other names of the current check's reason i
	aliases [][]string
}

func (ev *evaluation) enabled(id string) bool {
	p := ev.p
	switch id {
	case CheckSBOM:
		return p.SBOM.Enabled
	case CheckFindings:
		return p.Findings.Enabled
	case CheckThreatModel:
		return p.ThreatModel.Enabled
	case CheckSAST:
		return p.SAST.Enabled
	case CheckSVVEvidence:
		return p.SVVEvidence.Enabled
	case CheckSupportPeriod:
		return p.SupportPeriod.Enabled
	case CheckDisclosure:
		return p.Disclosure.Enabled
	case CheckSDLChecklist:
		return p.SDLChecklist.Enabled
	}
	return false
}

func (ev *evaluation) run(id string) []Reason {
	switch id {
	case CheckSBOM:
		return ev.sbom()
	case CheckFindings:
		return ev.findings()
	case CheckThreatModel:
		return ev.threatModel()
	case CheckSAST:
		return ev.sast()
	case CheckSVVEvidence:
		return ev.evidence()
	case CheckSupportPeriod:
		return ev.support()
	case CheckDisclosure:
		return ev.disclosure()
	case CheckSDLChecklist:
		return ev.checklist()
	}
	return nil
}

func isCheck(id string) bool {
	return slices.ContainsFunc(Checks, func(c CheckInfo) bool { return c.ID == id })
}

// exceptionProblems returns why e cannot apply at now (nil when it can).
func exceptionProblems(e Exception, now time.Time) (status string, probs []cradle.Problem) {
	status = ExceptionInvalid
	if strings.TrimSpace(e.ID) == "" {
		probs = append(probs, cradle.Problem{Location: "id", Message: "an exception needs an ID"})
	}
	if !isCheck(e.Check) {
		probs = append(probs, cradle.Problem{Location: "check", Message: fmt.Sprintf("unknown check %q (one of %s)", e.Check, checkIDs())})
	}
	if strings.TrimSpace(e.Approver) == "" {
		probs = append(probs, cradle.Problem{Location: "approver", Message: "an exception needs an approver"})
	}
	if strings.TrimSpace(e.Reason) == "" {
		probs = append(probs, cradle.Problem{Location: "reason", Message: "an exception needs a reason"})
	}
	if e.Expires.IsZero() {
		probs = append(probs, cradle.Problem{Location: "expires", Message: "an exception needs an expiry date"})
	}
	if len(probs) > 0 {
		return status, probs
	}
	if !e.Expires.After(now) {
		return ExceptionExpired, []cradle.Problem{{Location: "expires", Message: fmt.Sprintf("expired %s", stamp(e.Expires))}}
	}
	if !e.CreatedAt.IsZero() && e.CreatedAt.After(now) {
		return ExceptionFuture, []cradle.Problem{{Location: "created_at", Message: fmt.Sprintf("created %s, after the evaluation time %s", stamp(e.CreatedAt), stamp(now))}}
	}
	return "", nil
}

// ValidateException checks an exception before it is recorded: it needs
// an ID, a known check, an approver, a reason, and an expiry after now.
func ValidateException(e Exception, now time.Time) error {
	_, probs := exceptionProblems(e, now)
	if !e.CreatedAt.IsZero() && !e.Expires.IsZero() && !e.Expires.After(e.CreatedAt) {
		probs = append(probs, cradle.Problem{Location: "expires", Message: "expires before it was created"})
	}
	if len(probs) == 0 {
		return nil
	}
	return cradle.Invalid("exception is not valid", probs...)
}

func checkIDs() string {
	ids := make([]string, len(Checks))
	for i, c := range Checks {
		ids[i] = c.ID
	}
	return strings.Join(ids, ", ")
}

func stamp(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

func (ev *evaluation) prepareExceptions() {
	ev.usable = map[string][]int{}
	ev.unusable = map[string][]int{}
	for _, e := range ev.in.Exceptions {
		u := ExceptionUse{ID: e.ID, Check: e.Check, Subject: e.Subject, Approver: e.Approver, Reason: e.Reason, Expires: e.Expires, Status: ExceptionUnused}
		st, probs := exceptionProblems(e, ev.in.EvaluatedAt)
		i := len(ev.uses)
		if len(probs) > 0 {
			u.Status = st
			msgs := make([]string, len(probs))
			for j, p := range probs {
				msgs[j] = p.Message
			}
			u.Note = strings.Join(msgs, "; ")
			ev.unusable[e.Check] = append(ev.unusable[e.Check], i)
		} else {
			if !ev.enabled(e.Check) {
				u.Note = "the check is disabled"
			}
			ev.usable[e.Check] = append(ev.usable[e.Check], i)
		}
		ev.uses = append(ev.uses, u)
	}
}

// matches reports whether an exception's subject covers a reason's.
func matches(subject string, keys []string) bool {
	if subject == "" {
		return true
	}
	for _, k := range keys {
		if strings.EqualFold(strings.TrimSpace(subject), k) {
			return true
		}
	}
	return false
}

// applyExceptions marks the reasons that exceptions cover and returns the
// check's status. Subject exceptions come before whole-check ones; among
// equals, the lowest ID (the inputs are sorted).
func (ev *evaluation) applyExceptions(check string, reasons []Reason) Status {
	if len(reasons) == 0 {
		return StatusPass
	}
	open := 0
	for i := range reasons {
		r := &reasons[i]
		keys := ev.subjectKeys(i, r)
		pick := -1
		for _, j := range ev.usable[check] {
			s := ev.uses[j].Subject
			if s != "" && matches(s, keys) {
				pick = j
				break
			}
		}
		if pick < 0 {
			for _, j := range ev.usable[check] {
				if ev.uses[j].Subject == "" {
					pick = j
					break
				}
			}
		}
		if pick >= 0 {
			r.ExceptionID = ev.uses[pick].ID
			ev.uses[pick].Status = ExceptionApplied
			ev.uses[pick].Covered++
			continue
		}
		open++
		for _, j := range ev.unusable[check] {
			u := ev.uses[j]
			if matches(u.Subject, keys) {
				r.Resolve = fmt.Sprintf("Exception %s does not apply (%s): renew it or resolve the cause. %s", u.ID, u.Note, r.Resolve)
				break
			}
		}
	}
	if open == 0 {
		return StatusExcepted
	}
	return StatusFail
}

// subjectKeys are the names an exception's subject may use for reason i
// of the current check: its subject and, for a finding, the
// vulnerability's aliases.
func (ev *evaluation) subjectKeys(i int, r *Reason) []string {
	keys := []string{r.Subject}
	if i < len(ev.aliases) {
		keys = append(keys, ev.aliases[i]...)
	}
	return keys
}

// ---- severities

// rank orders a rating: none 0 .. critical 4; ok is false for a missing,
// unknown or unrecognised rating.
func rank(r string) (int, bool) {
	switch strings.ToLower(strings.TrimSpace(r)) {
	case "none", "info", "informational":
		return 0, true
	case "low", "note":
		return 1, true
	case "medium", "moderate", "warning":
		return 2, true
	case "high", "error":
		return 3, true
	case "critical":
		return 4, true
	}
	return 0, false
}

// blocks reports whether a rating is at or above the threshold; an
// unknown rating always blocks.
func blocks(rating, threshold string) bool {
	r, ok := rank(rating)
	if !ok {
		return true
	}
	t, _ := rank(threshold)
	return r >= t
}

func ratingText(r string) string {
	if _, ok := rank(r); !ok {
		if r == "" {
			return "unrated"
		}
		return "rated " + r + " (unknown)"
	}
	return strings.ToLower(strings.TrimSpace(r))
}

// ---- checks

func (ev *evaluation) sbom() []Reason {
	s, p := ev.in.SBOM, ev.p.SBOM
	if s == nil {
		return []Reason{{Subject: "sbom", Message: "The release has no SBOM.",
			Resolve: "Generate an SBOM for this release (e.g. syft or cyclonedx-gomod) and import it: cradle sbom import."}}
	}
	var rs []Reason
	if s.Components <= 0 {
		rs = append(rs, Reason{Subject: "components", Message: "The SBOM lists no components.",
			Resolve: "Generate the SBOM from the built artefact or its source so that it lists the components, and import it again."})
	}
	if !p.RequireConformance {
		return rs
	}
	if s.Profile != p.Profile {
		return append(rs, Reason{Subject: "profile", Message: fmt.Sprintf("The SBOM's quality was judged against profile %q, the policy requires %q.", s.Profile, p.Profile),
			Resolve: fmt.Sprintf("Check the SBOM's quality against profile %s, or change sbom.profile in the policy.", p.Profile)})
	}
	if s.Conforms {
		return rs
	}
	if len(s.Failing) == 0 {
		return append(rs, Reason{Subject: "profile", Message: fmt.Sprintf("The SBOM does not meet the %s profile.", p.Profile),
			Resolve: "Show the SBOM's quality report, add the missing fields in the SBOM generator's configuration, and import it again."})
	}
	for _, f := range s.Failing {
		rs = append(rs, Reason{Subject: f.Field, Message: fmt.Sprintf("The SBOM fails %s field %s (%d failing).", p.Profile, f.Field, f.Count),
			Resolve: fmt.Sprintf("Make the SBOM generator emit %s for every component (or complete it in the SBOM) and import it again.", f.Field)})
	}
	return rs
}

var resolvingDecisions = map[string]bool{"not_affected": true, "fixed": true, "false_positive": true, "resolved": true}

func (ev *evaluation) findings() []Reason {
	p := ev.p.Findings
	type hit struct {
		f    Finding
		rank int
	}
	var hits []hit
	for _, f := range ev.in.Findings {
		if resolvingDecisions[strings.ToLower(strings.TrimSpace(f.Decision))] {
			continue
		}
		kev := p.KEV && f.KEV
		if !kev && !blocks(f.Rating, p.MaxSeverity) {
			continue
		}
		r, ok := rank(f.Rating)
		if !ok {
			r = 5
		}
		if f.KEV {
			r += 10
		}
		hits = append(hits, hit{f, r})
	}
	// KEV first, then unrated, critical, high, ...; the inputs' order
	// (sorted by ID) breaks ties.
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(b.rank, a.rank) })
	rs := make([]Reason, 0, len(hits))
	for _, h := range hits {
		f := h.f
		comp := f.Component
		if f.Version != "" {
			comp += " " + f.Version
		}
		var why string
		switch {
		case p.KEV && f.KEV:
			why = fmt.Sprintf("is %s and listed in CISA KEV (known to be exploited)", ratingText(f.Rating))
		default:
			why = fmt.Sprintf("is %s (the policy blocks %s and above)", ratingText(f.Rating), p.MaxSeverity)
		}
		if f.Score > 0 {
			why += fmt.Sprintf(", score %.1f", f.Score)
		}
		state := "has no decision"
		switch d := strings.ToLower(strings.TrimSpace(f.Decision)); d {
		case "":
		case "affected":
			state = "is decided affected and not yet fixed"
		case "under_investigation":
			state = "is under investigation"
		default:
			state = fmt.Sprintf("has decision %q, which does not resolve it", f.Decision)
		}
		msg := fmt.Sprintf("%s in %s %s and %s.", f.VulnID, comp, state, why)
		resolve := fmt.Sprintf("Decide %s in %s: fix it (update the component and release), or record not_affected with a justification (cradle case decide / VEX), or ask for an exception.", f.VulnID, comp)
		if strings.EqualFold(f.Decision, "affected") {
			resolve = fmt.Sprintf("Ship the fix for %s in %s and record it as fixed, or ask for an exception with a residual-risk justification.", f.VulnID, comp)
		}
		rs = append(rs, Reason{Subject: f.VulnID, Message: msg, Resolve: resolve})
	}
	ev.aliases = make([][]string, len(hits))
	for i, h := range hits {
		ev.aliases[i] = h.f.Aliases
	}
	return rs
}

var closedThreat = map[string]bool{"mitigated": true, "accepted": true, "transferred": true, "avoided": true,
	"closed": true, "resolved": true, "not_applicable": true}

func (ev *evaluation) threatModel() []Reason {
	t, p := ev.in.ThreatModel, ev.p.ThreatModel
	if t == nil {
		return []Reason{{Subject: "threat_model", Message: "The product has no threat model.",
			Resolve: "Create the product's threat model (assets, trust boundaries, threats with ratings and mitigations), review it and record the review."}}
	}
	var rs []Reason
	now := ev.in.EvaluatedAt
	switch {
	case t.ReviewedAt == nil || t.ReviewedAt.IsZero():
		rs = append(rs, Reason{Subject: "review", Message: "The threat model has never been reviewed.",
			Resolve: "Review the threat model for this release and record the review."})
	case t.ReviewedAt.Before(p.MaxReviewAge.SubFrom(now)):
		rs = append(rs, Reason{Subject: "review", Message: fmt.Sprintf("The threat model was last reviewed %s, longer ago than %s.", stamp(*t.ReviewedAt), p.MaxReviewAge),
			Resolve: "Review the threat model against this release's changes and record the review."})
	}
	for _, th := range t.Threats {
		if closedThreat[strings.ToLower(strings.TrimSpace(th.Status))] || !blocks(th.Rating, p.MaxOpenSeverity) {
			continue
		}
		status := th.Status
		if status == "" {
			status = "open"
		}
		rs = append(rs, Reason{Subject: th.ID, Message: fmt.Sprintf("Threat %s %q is %s and %s (the policy blocks %s and above).", th.ID, th.Title, status, ratingText(th.Rating), p.MaxOpenSeverity),
			Resolve: fmt.Sprintf("Mitigate threat %s and mark it mitigated, or accept or transfer it with a rationale, or ask for an exception.", th.ID)})
	}
	return rs
}

func (ev *evaluation) sast() []Reason {
	r, p := ev.in.Results, ev.p.SAST
	var rs []Reason
	if p.Required {
		imported := false
		if r != nil {
			for _, im := range r.Imports {
				if strings.EqualFold(strings.TrimSpace(im.Kind), "sast") {
					imported = true
					break
				}
			}
		}
		if !imported {
			rs = append(rs, Reason{Subject: "import", Message: "No static analysis (SAST) results were imported for this release.",
				Resolve: "Run a SAST tool on this release's source (e.g. gosec, semgrep, CodeQL) and import its SARIF for the release."})
		}
	}
	if r == nil {
		return rs
	}
	for _, o := range r.Open {
		if !blocks(o.Severity, p.MaxSeverity) {
			continue
		}
		where := o.Location
		if where == "" {
			where = "an unknown location"
		}
		rs = append(rs, Reason{Subject: o.Fingerprint, Message: fmt.Sprintf("%s result %s at %s is open and %s (the policy blocks %s and above).", o.Tool, o.RuleID, where, ratingText(o.Severity), p.MaxSeverity),
			Resolve: fmt.Sprintf("Fix the code at %s and import fresh results, or suppress the result as a false positive with a justification, or ask for an exception.", where)})
	}
	return rs
}

func (ev *evaluation) evidence() []Reason {
	var rs []Reason
	for _, id := range ev.p.SVVEvidence.Requirements {
		if ev.in.Evidence[id] {
			continue
		}
		rs = append(rs, Reason{Subject: id, Message: fmt.Sprintf("No current evidence is recorded for %s.", id),
			Resolve: fmt.Sprintf("Record the evidence (a test report, CI run or record): cradle evidence add --product %s --requirement %s FILE.", orP(ev.in.Product), id)})
	}
	return rs
}

func orP(s string) string {
	switch {
	case s == "" || strings.ContainsAny(s, "'\n\r") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }):
		return "P"
	case strings.ContainsAny(s, " \t\"$`\\!*?;&|<>()[]{}#~"):
		return "'" + s + "'" // as a shell reads it
	}
	return s
}

func (ev *evaluation) support() []Reason {
	end := strings.TrimSpace(ev.in.SupportEnd)
	resolve := fmt.Sprintf("Declare the support period: cradle product update %s --support-end YYYY-MM-DD (CRA Art. 13(8): at least five years unless the expected use is shorter).", orP(ev.in.Product))
	if end == "" {
		return []Reason{{Subject: "support_end", Message: "The product's support period is not declared.", Resolve: resolve}}
	}
	t, err := time.Parse(time.DateOnly, end)
	if err != nil {
		return []Reason{{Subject: "support_end", Message: fmt.Sprintf("The support end %q is not a date (YYYY-MM-DD).", end), Resolve: resolve}}
	}
	// The support period runs to the end of its last day.
	last := t.AddDate(0, 0, 1)
	now := ev.in.EvaluatedAt
	if !last.After(now) {
		return []Reason{{Subject: "support_end", Message: fmt.Sprintf("The support period ended on %s.", end),
			Resolve: "Extend the support period before shipping a release, or do not ship it."}}
	}
	if a := ev.p.SupportPeriod.MinRemaining; a != "" && last.Before(a.AddTo(now)) {
		return []Reason{{Subject: "support_end", Message: fmt.Sprintf("The support period ends on %s, less than %s after this release.", end, a),
			Resolve: fmt.Sprintf("Extend the support period to at least %s, or lower support_period.min_remaining in the policy with a rationale.", a.AddTo(now).Format(time.DateOnly))}}
	}
	return nil
}

func (ev *evaluation) disclosure() []Reason {
	var rs []Reason
	if ev.p.Disclosure.SecurityTxt && !ev.in.SecurityTxt {
		rs = append(rs, Reason{Subject: "security.txt", Message: "No security.txt (RFC 9116) is configured.",
			Resolve: "Configure the security contact and publish /.well-known/security.txt (cradle's settings generate it)."})
	}
	if ev.p.Disclosure.CVDPolicy && !ev.in.CVDPolicy {
		rs = append(rs, Reason{Subject: "cvd_policy", Message: "No coordinated vulnerability disclosure policy is configured.",
			Resolve: "Write and publish the CVD policy (how to report, what reporters can expect, timelines) and configure its URL."})
	}
	return rs
}

func (ev *evaluation) checklist() []Reason {
	if len(ev.in.Checklist) == 0 {
		return []Reason{{Subject: "checklist", Message: "No SDL checklist items are recorded for the release.",
			Resolve: "Record the SM-12 checklist of this release and work through its items."}}
	}
	var rs []Reason
	for _, it := range ev.in.Checklist {
		if it.Done {
			continue
		}
		msg := fmt.Sprintf("Checklist item %q is not done.", it.Name)
		if it.Detail != "" {
			msg = fmt.Sprintf("Checklist item %q is not done: %s.", it.Name, strings.TrimSuffix(it.Detail, "."))
		}
		rs = append(rs, Reason{Subject: it.Name, Message: msg,
			Resolve: fmt.Sprintf("Complete %q and record it, or ask for an exception.", it.Name)})
	}
	return rs
}
