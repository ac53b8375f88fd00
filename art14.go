package cradle

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// CRA Article 14 reporting stages. The early warning, notification and
// final report are due by the deadlines below; intermediate reports are
// filed when the coordinating CSIRT asks for one.
const (
	StageEarlyWarning = "early_warning"
	StageNotification = "notification"
	StageIntermediate = "intermediate"
	StageFinal        = "final"
)

// Art14Stages lists the stages in filing order.
var Art14Stages = []string{StageEarlyWarning, StageNotification, StageIntermediate, StageFinal}

// StageLabel is a stage as people name it.
func StageLabel(s string) string {
	switch s {
	case StageEarlyWarning:
		return "Early warning"
	case StageNotification:
		return "Notification"
	case StageIntermediate:
		return "Intermediate report"
	case StageFinal:
		return "Final report"
	}
	return s
}

// EUMemberStates are the ISO 3166-1 alpha-2 codes of the 27 Member States
// where a product can be made available.
var EUMemberStates = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

// NormalizeMemberStates upper-cases, sorts and de-duplicates codes, maps
// the EU's "EL" for Greece to ISO's "GR", and reports unknown codes.
func NormalizeMemberStates(codes []string, field string) ([]string, []Problem) {
	var out []string
	var probs []Problem
	for _, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		if c == "EL" {
			c = "GR"
		}
		if !slices.Contains(EUMemberStates, c) {
			probs = append(probs, Problem{field, "unknown EU Member State " + quote(c) + "; use ISO 3166-1 alpha-2 codes such as DE, FR, NL"})
			continue
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out, probs
}

// Art14Submission records that a person filed a report on the single
// reporting platform: when, by whom, the platform's reference, and the
// content as filed.
type Art14Submission struct {
	ID          int64             `json:"id"`
	CaseID      int64             `json:"case_id"`
	Stage       string            `json:"stage"`
	SubmittedAt time.Time         `json:"submitted_at"`
	SubmittedBy string            `json:"submitted_by"`
	Reference   string            `json:"reference,omitempty"`
	Content     map[string]string `json:"content,omitempty"`
	RecordedAt  time.Time         `json:"recorded_at"`
}

// Deadline states.
const (
	DeadlineWaiting       = "waiting"        // its clock has not started (no fix yet, no notification yet)
	DeadlineOpen          = "open"           // running, not close
	DeadlineDueSoon       = "due_soon"       // within the last quarter of its period
	DeadlineOverdue       = "overdue"        // passed without a submission
	DeadlineSubmitted     = "submitted"      // filed in time
	DeadlineSubmittedLate = "submitted_late" // filed after the deadline
)

// Deadline is one Art. 14 report's due time and where it stands.
type Deadline struct {
	Stage       string        `json:"stage"`
	Due         time.Time     `json:"due,omitzero"`
	Basis       string        `json:"basis"` // how Due was computed
	State       string        `json:"state"`
	Left        time.Duration `json:"-"`
	SubmittedAt time.Time     `json:"submitted_at,omitzero"`
	Reference   string        `json:"reference,omitempty"`
}

// Reportable says whether a case has Art. 14 reporting obligations: an
// actively exploited vulnerability, or a severe incident.
func (c *Case) Reportable() bool {
	return c.Type == CaseIncident || (c.Type == CaseVulnerability && c.Exploited)
}

// Art14Aware is when the Art. 14 clocks start: for a vulnerability, when
// the manufacturer became aware that it is actively exploited (Art. 14(2):
// "becoming aware of it"), which is the case's awareness when it was
// known to be exploited from the start; for an incident, the awareness.
func (c *Case) Art14Aware() time.Time {
	if c.Type == CaseVulnerability && c.ExploitedAt.After(c.AwareAt) {
		return c.ExploitedAt.UTC()
	}
	return c.AwareAt.UTC()
}

// Art14Deadlines computes the reporting deadlines of c at now from the
// recorded awareness time (see Art14Aware), fix availability and submissions (Art. 14(2),
// (4)): early warning 24 h and notification 72 h after awareness; the final
// report of a vulnerability 14 days after a corrective or mitigating
// measure is available, of an incident one month after the notification
// was submitted. All in UTC, so daylight-saving changes in the user's zone
// never move a deadline. Nil when the case is not reportable.
func Art14Deadlines(c *Case, subs []Art14Submission, now time.Time) []Deadline {
	if !c.Reportable() {
		return nil
	}
	first := map[string]Art14Submission{}
	for _, s := range subs {
		if f, ok := first[s.Stage]; !ok || s.SubmittedAt.Before(f.SubmittedAt) {
			first[s.Stage] = s
		}
	}
	aware := c.Art14Aware()
	ds := []Deadline{
		{Stage: StageEarlyWarning, Due: aware.Add(24 * time.Hour), Basis: "24 hours after awareness (" + aware.Format(time.RFC3339) + ")"},
		{Stage: StageNotification, Due: aware.Add(72 * time.Hour), Basis: "72 hours after awareness (" + aware.Format(time.RFC3339) + ")"},
	}
	final := Deadline{Stage: StageFinal}
	if c.Type == CaseVulnerability {
		if c.FixAvailableAt.IsZero() {
			final.Basis = "14 days after a corrective or mitigating measure is available; none is recorded yet"
		} else {
			fix := c.FixAvailableAt.UTC()
			final.Due = fix.Add(14 * 24 * time.Hour)
			final.Basis = "14 days after the corrective or mitigating measure became available (" + fix.Format(time.RFC3339) + ")"
		}
	} else if n, ok := first[StageNotification]; ok {
		at := n.SubmittedAt.UTC()
		final.Due = AddMonth(at)
		final.Basis = "one month after the notification was submitted (" + at.Format(time.RFC3339) + ")"
	} else {
		final.Basis = "one month after the notification is submitted; it has not been yet"
	}
	ds = append(ds, final)
	for i := range ds {
		d := &ds[i]
		if s, ok := first[d.Stage]; ok {
			d.SubmittedAt, d.Reference = s.SubmittedAt, s.Reference
			if !d.Due.IsZero() && s.SubmittedAt.After(d.Due) {
				d.State = DeadlineSubmittedLate
			} else {
				d.State = DeadlineSubmitted
			}
			continue
		}
		if d.Due.IsZero() {
			d.State = DeadlineWaiting
			continue
		}
		d.Left = d.Due.Sub(now)
		period := 24 * time.Hour
		switch d.Stage {
		case StageNotification:
			period = 72 * time.Hour
		case StageFinal:
			period = 14 * 24 * time.Hour
		}
		switch {
		case d.Left < 0:
			d.State = DeadlineOverdue
		case d.Left <= period/4:
			d.State = DeadlineDueSoon
		default:
			d.State = DeadlineOpen
		}
	}
	return ds
}

// AddMonth is t plus one calendar month, clamped to the last day of the
// next month (31 January + 1 month = 28 or 29 February, not 3 March).
func AddMonth(t time.Time) time.Time {
	y, m, d := t.Date()
	last := time.Date(y, m+2, 0, 0, 0, 0, 0, t.Location()).Day()
	if d > last {
		d = last
	}
	return time.Date(y, m+1, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// Art14Input is what a report draft is made of.
type Art14Input struct {
	Case         *Case
	Manufacturer string
	MemberStates []string // where the affected products are made available
	Updates      []string // security updates that fix the case, readable ("Gateway 2.4.1, available 2026-...")
	Sensitivity  string   // e.g. TLP:AMBER
}

// DraftField is one field of the single reporting platform's form.
type DraftField struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Value     string `json:"value"`
	Limit     int    `json:"limit,omitempty"`
	Truncated bool   `json:"truncated,omitempty"` // cradle shortened the generated text to the limit
	Missing   bool   `json:"missing,omitempty"`   // the case has no data for it yet: fill it in
}

// Field limits of the single reporting platform's form, as reported.
const (
	LimitShort         = 255
	LimitNarrative     = 4000
	LimitMeasures      = 2000
	LimitJustification = 800
	LimitActor         = 100
)

// Art14Draft drafts the report of stage for the case, with the content
// Art. 14 requires and each text within the platform's field limits.
func Art14Draft(stage string, in Art14Input) ([]DraftField, error) {
	c := in.Case
	if !c.Reportable() {
		return nil, Errorf(EConflict, "%s is not reportable under Art. 14: mark it actively exploited, or open it as a severe incident", c.Ref)
	}
	if !slices.Contains(Art14Stages, stage) {
		return nil, Invalid("invalid stage", Problem{"stage", "must be one of " + strings.Join(Art14Stages, ", ") + "; found " + quote(stage)})
	}
	products := affectedProducts(c)
	states := strings.Join(in.MemberStates, ", ")
	var out []DraftField
	add := func(name, label, value string, limit int) {
		f := DraftField{Name: name, Label: label, Limit: limit}
		value = strings.TrimSpace(value)
		if value == "" {
			f.Missing = true
		}
		f.Value, f.Truncated = fit(value, limit)
		out = append(out, f)
	}
	add("title", "Title", c.Title, LimitShort)
	add("manufacturer", "Manufacturer", in.Manufacturer, LimitShort)
	add("product", "Product", products, LimitShort)
	if c.Component != "" {
		add("component", "Component", c.Component, LimitShort)
	}
	add("member_states", "Member States where the product is made available", states, LimitShort)
	aware := c.Art14Aware().Format("2006-01-02 15:04 UTC")
	severity := severityText(c)
	measuresUsers := usersMeasures(c)
	measuresTaken := takenMeasures(c, in.Updates)
	if c.Type == CaseVulnerability {
		switch stage {
		case StageEarlyWarning:
			add("summary", "Summary", fmt.Sprintf("%s (%s) is being actively exploited. The manufacturer became aware of it on %s. Affected: %s.", c.Title, vulnRef(c), aware, products), LimitNarrative)
		case StageNotification, StageIntermediate:
			add("vulnerability", "General nature of the vulnerability and its exploitation", joinNonEmpty(c.Description, "Severity: "+severity, cweText(c)), LimitNarrative)
			add("attack_vector", "Attack vector", attackVector(c), LimitShort)
			add("measures_taken", "Corrective or mitigating measures taken", measuresTaken, LimitMeasures)
			add("measures_users", "Corrective or mitigating measures users can take", measuresUsers, LimitMeasures)
			add("sensitivity", "Sensitivity of the information", in.Sensitivity, LimitShort)
		case StageFinal:
			add("description", "Description of the vulnerability, its severity and impact", joinNonEmpty(c.Description, "Severity: "+severity, cweText(c)), LimitNarrative)
			add("severity", "Severity", severity, LimitShort)
			add("root_cause", "Root cause", c.RootCause, LimitShort)
			add("malicious_actor", "Malicious actor that exploited it, if known", c.MaliciousActor, LimitActor)
			add("security_update", "Security update or other corrective measures", joinNonEmpty(measuresTaken, measuresUsers), LimitMeasures)
		}
	} else {
		malicious := "No unlawful or malicious cause is suspected."
		if c.Malicious {
			malicious = "The incident is suspected to be caused by unlawful or malicious acts."
		}
		switch stage {
		case StageEarlyWarning:
			add("summary", "Summary", fmt.Sprintf("Severe incident affecting the security of %s; the manufacturer became aware of it on %s.", products, aware), LimitNarrative)
			add("malicious_cause", "Suspected unlawful or malicious cause", malicious, LimitShort)
		case StageNotification, StageIntermediate:
			add("nature", "Nature of the incident", c.Description, LimitNarrative)
			add("assessment", "Initial assessment", joinNonEmpty("Severity: "+severity, malicious), LimitNarrative)
			add("measures_taken", "Corrective or mitigating measures taken", measuresTaken, LimitMeasures)
			add("measures_users", "Corrective or mitigating measures users can take", measuresUsers, LimitMeasures)
			add("sensitivity", "Sensitivity of the information", in.Sensitivity, LimitShort)
		case StageFinal:
			add("description", "Detailed description of the incident, its severity and impact", joinNonEmpty(c.Description, "Severity: "+severity), LimitNarrative)
			add("root_cause", "Type of threat or root cause", c.RootCause, LimitShort)
			add("measures", "Mitigating measures applied and ongoing", joinNonEmpty(measuresTaken, measuresUsers), LimitMeasures)
		}
	}
	return out, nil
}

// fit shortens s to at most limit characters at a word boundary, ending in
// an ellipsis.
func fit(s string, limit int) (string, bool) {
	if limit <= 0 || utf8.RuneCountInString(s) <= limit {
		return s, false
	}
	r := []rune(s)[:limit-1]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \n\t"); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \n\t,;.") + "…", true
}

func affectedProducts(c *Case) string {
	var names []string
	byProduct := map[string][]string{}
	for _, r := range c.Releases {
		if r.Status != VEXAffected && r.Status != VEXUnderInvestigation && r.Status != VEXFixed {
			continue
		}
		if _, ok := byProduct[r.Product]; !ok {
			names = append(names, r.Product)
		}
		byProduct[r.Product] = append(byProduct[r.Product], r.Version)
	}
	var parts []string
	for _, n := range names {
		parts = append(parts, n+" "+strings.Join(byProduct[n], ", "))
	}
	return strings.Join(parts, "; ")
}

func vulnRef(c *Case) string {
	if c.VulnID != "" {
		return c.VulnID
	}
	return c.Ref
}

func severityText(c *Case) string {
	var parts []string
	if c.CVSS4 != "" {
		parts = append(parts, fmt.Sprintf("CVSS v4.0 %.1f (%s)", c.CVSS4Base, c.CVSS4))
	}
	if c.CVSS3 != "" {
		parts = append(parts, fmt.Sprintf("CVSS v3.1 %.1f (%s)", c.CVSS3Base, c.CVSS3))
	}
	if len(parts) == 0 {
		return c.Rating
	}
	return c.Rating + ": " + strings.Join(parts, "; ")
}

func cweText(c *Case) string {
	if c.CWE == "" {
		return ""
	}
	return "Weakness: " + c.CWE + "."
}

func attackVector(c *Case) string {
	for _, v := range []string{c.CVSS4, c.CVSS3} {
		for _, m := range strings.Split(v, "/") {
			if val, ok := strings.CutPrefix(m, "AV:"); ok {
				switch val {
				case "N":
					return "Network"
				case "A":
					return "Adjacent network"
				case "L":
					return "Local"
				case "P":
					return "Physical"
				}
			}
		}
	}
	return ""
}

func usersMeasures(c *Case) string {
	var lines []string
	seen := map[string]bool{}
	for _, r := range c.Releases {
		if r.Action != "" && !seen[r.Action] {
			seen[r.Action] = true
			lines = append(lines, r.Action)
		}
	}
	return strings.Join(lines, "\n")
}

func takenMeasures(c *Case, updates []string) string {
	var parts []string
	if c.Decision != "" {
		parts = append(parts, "Decision: "+c.Decision+".")
	}
	if len(updates) > 0 {
		parts = append(parts, "Security updates: "+strings.Join(updates, "; ")+".")
	}
	return strings.Join(parts, " ")
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && p != "Severity: " {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}
