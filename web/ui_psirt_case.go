package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/store"
)

// Opening a case (GET /cases/new, POST /cases) and the case page
// (GET /cases/{ref}) with its forms: triage, per-release VEX statuses,
// component decisions, exploitation, fix availability, upstream reporting
// and Art. 14 submissions; and the Art. 14 draft page.

// scoreView is a CVSS vector as the forms show it next to the field.
type scoreView struct {
	Vector       string
	Base         string // "9.8"
	Overall      string // when the vector's threat or environmental metrics change it
	Rating       string // lower case, for the severity badge
	Nomenclature string
}

// scoreVector scores the vector of a field ("cvss_v3" wants v3.1,
// "cvss_v4" v4.0) the way the psirt service does when it saves, and
// returns the problem it would report.
func scoreVector(field, vector string) (scoreView, *cradle.Problem) {
	vector = strings.TrimSpace(vector)
	if vector == "" {
		return scoreView{}, nil
	}
	want, name := cvss.V31, "v3.1 vector (CVSS:3.1/...)"
	if field == "cvss_v4" {
		want, name = cvss.V40, "v4.0 vector (CVSS:4.0/...)"
	}
	sc, err := cvss.Parse(vector)
	if err != nil {
		var msgs []string
		for _, p := range cradle.ErrorProblems(err) {
			msgs = append(msgs, p.String())
		}
		if len(msgs) == 0 {
			msgs = append(msgs, cradle.ErrorMessage(err))
		}
		return scoreView{}, &cradle.Problem{Location: field, Message: strings.Join(msgs, "; ")}
	}
	if sc.Version != want {
		return scoreView{}, &cradle.Problem{Location: field, Message: "must be a CVSS " + name + "; found version " + string(sc.Version)}
	}
	v := scoreView{Vector: sc.Vector, Base: strconv.FormatFloat(sc.Base, 'f', 1, 64), Rating: strings.ToLower(sc.Rating), Nomenclature: sc.Nomenclature}
	if sc.Overall != sc.Base {
		v.Overall = strconv.FormatFloat(sc.Overall, 'f', 1, 64)
	}
	return v, nil
}

// scoreForm scores a form's two vectors; with check, bad vectors become
// the form's located errors.
func scoreForm(f *form, check bool) (v3, v4 scoreView, err error) {
	var probs []cradle.Problem
	v3, p3 := scoreVector("cvss_v3", f.Val("cvss_v3"))
	v4, p4 := scoreVector("cvss_v4", f.Val("cvss_v4"))
	for _, p := range []*cradle.Problem{p3, p4} {
		if p != nil {
			probs = append(probs, *p)
		}
	}
	if check && len(probs) > 0 {
		return v3, v4, cradle.Invalid("invalid CVSS vector", probs...)
	}
	return v3, v4, nil
}

// New case.

var newCaseFields = []string{"type", "title", "description", "source", "component", "vuln_id", "cvss_v3", "cvss_v4", "cwe",
	"aware_at", "product", "suggest", "actively_exploited", "suspected_malicious", "owner", "intake_id"}

type newCaseView struct {
	base
	Form       *form
	V3, V4     scoreView
	Calculated bool
	Products   []string
	Sources    []option
	Intake     *cradle.IntakeReport
}

func (s *Server) renderNewCase(w http.ResponseWriter, r *http.Request, status int, f *form, calculated bool) error {
	products, err := s.productNames(r)
	if err != nil {
		return err
	}
	v := &newCaseView{Form: f, Products: products, Calculated: calculated}
	v.V3, v.V4, _ = scoreForm(f, false)
	v.Sources = optionsOf([]string{cradle.SourceInternal, cradle.SourceMonitoring, cradle.SourceIntake, cradle.SourceVEX}, sourceLabel, f.Val("source"))
	if id := f.Val("intake_id"); id != "" && principal(r).Can(cradle.PermTriage) {
		if rep, err := s.db.Intake(r.Context(), id); err == nil {
			v.Intake = rep
		}
	}
	v.Title, v.Nav = "Open a case", "cases"
	v.Crumbs = []crumb{{"Cases", "/cases"}}
	return s.render(w, r, status, "case_new", v)
}

func sourceLabel(s string) string {
	switch s {
	case cradle.SourceInternal:
		return "Internal (tester, developer, auditor)"
	case cradle.SourceMonitoring:
		return "Vulnerability monitoring (a component finding)"
	case cradle.SourceIntake:
		return "Public report (intake)"
	case cradle.SourceVEX:
		return "VEX document"
	}
	return s
}

// uiNewCase shows the form, prefilled from the query: a finding
// (?vuln=CVE-…&component=pkg:…&source=monitoring) or a public report
// (?intake=VR-…).
func (s *Server) uiNewCase(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	loc := zoneOf(r)
	f := newForm(map[string]string{"type": cradle.CaseVulnerability, "source": cradle.SourceInternal,
		"aware_at": localValue(s.ps.Now(), loc)})
	for _, k := range newCaseFields {
		if _, ok := f.Values[k]; !ok {
			f.Values[k] = ""
		}
	}
	if v := strings.TrimSpace(q.Get("vuln")); v != "" {
		f.Values["vuln_id"] = v
		f.Values["suggest"] = "true"
		f.Values["source"] = cradle.SourceMonitoring
		f.Values["title"] = v
	}
	if c := strings.TrimSpace(q.Get("component")); c != "" {
		f.Values["component"] = c
		if f.Values["vuln_id"] != "" {
			f.Values["title"] = f.Values["vuln_id"] + " in " + componentTitle(c)
		}
	}
	if src := q.Get("source"); slices.Contains([]string{cradle.SourceInternal, cradle.SourceMonitoring, cradle.SourceIntake, cradle.SourceVEX}, src) {
		f.Values["source"] = src
	}
	if p := strings.TrimSpace(q.Get("product")); p != "" {
		f.Values["product"] = p
	}
	if id := strings.TrimSpace(q.Get("intake")); id != "" {
		// Reports are the PSIRT's: only those who may triage see them.
		if !principal(r).Can(cradle.PermTriage) {
			return cradle.Errorf(cradle.EForbidden, "only a security officer opens cases from reports")
		}
		rep, err := s.db.Intake(r.Context(), id)
		if err != nil {
			return err
		}
		f.Values["intake_id"] = rep.TrackingID
		f.Values["source"] = cradle.SourceIntake
		f.Values["title"] = rep.Title
		f.Values["description"] = rep.Description
		f.Values["aware_at"] = localValue(rep.CreatedAt, loc)
		// The reporter's product name is free text; choose the portfolio's
		// product of that name, if there is one.
		names, err := s.productNames(r)
		if err != nil {
			return err
		}
		for _, n := range names {
			if strings.EqualFold(n, rep.Product) {
				f.Values["product"] = n
				f.Values["suggest"] = "true"
			}
		}
	}
	return s.renderNewCase(w, r, http.StatusOK, f, false)
}

// componentTitle is a purl's package name and version for a title.
func componentTitle(c string) string {
	if p := packageOf(c); p != "" {
		if i := strings.LastIndex(c, "@"); i >= 0 {
			v := c[i+1:]
			if j := strings.IndexAny(v, "?#"); j >= 0 {
				v = v[:j]
			}
			return p + " " + v
		}
		return p
	}
	return c
}

func (s *Server) readNewCase(r *http.Request) *form {
	f := s.readForm(r, newCaseFields...)
	for _, k := range []string{"suggest", "actively_exploited", "suspected_malicious"} {
		if f.Values[k] != "" {
			f.Values[k] = "true"
		}
	}
	return f
}

func (s *Server) uiNewCaseCalculate(w http.ResponseWriter, r *http.Request) error {
	f := s.readNewCase(r)
	if _, _, err := scoreForm(f, true); err != nil {
		return s.renderNewCase(w, r, f.fail(err), f, false)
	}
	return s.renderNewCase(w, r, http.StatusOK, f, true)
}

func (s *Server) uiOpenCase(w http.ResponseWriter, r *http.Request) error {
	f := s.readNewCase(r)
	var probs []cradle.Problem
	aware := formTime(f, "aware_at", zoneOf(r), &probs)
	if len(probs) > 0 {
		return s.renderNewCase(w, r, f.fail(cradle.Invalid("invalid case", probs...)), f, false)
	}
	in := psirt.NewCase{Type: f.Val("type"), Title: f.Val("title"), Description: f.Val("description"), Source: f.Val("source"),
		Component: f.Val("component"), VulnID: f.Val("vuln_id"), CVSS3: f.Val("cvss_v3"), CVSS4: f.Val("cvss_v4"), CWE: f.Val("cwe"),
		AwareAt: aware, Exploited: f.Val("actively_exploited") != "", Malicious: f.Val("suspected_malicious") != "",
		Owner: strings.TrimSpace(f.Val("owner")), IntakeID: strings.TrimSpace(f.Val("intake_id")), Product: f.Val("product"),
		Suggest: f.Val("suggest") != ""}
	if err := checkOpenCase(principal(r), &in); err != nil {
		return s.renderNewCase(w, r, f.fail(err), f, false)
	}
	if in.Product != "" && in.Suggest && in.VulnID == "" {
		if _, err := s.db.Product(r.Context(), in.Product); err != nil {
			if cradle.ErrorCode(err) != cradle.ENotFound {
				return err
			}
			return s.renderNewCase(w, r, f.fail(cradle.Invalid("invalid case", cradle.Problem{Location: "product", Message: "is not a product of the portfolio"})), f, false)
		}
	}
	c, err := s.ps.Open(r.Context(), actorOf(r, "ui"), in)
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderNewCase(w, r, f.fail(err), f, false)
	}
	return s.redirectFlash(w, r, caseURL(c.Ref), "case-opened")
}

func caseURL(ref string) string { return "/cases/" + pathEscape(ref) }

// The case page.

type caseView struct {
	base
	Advisories     []*cradle.Advisory
	Case           *cradle.Case
	Due            dueState
	Deadlines      []deadlineRow
	Submissions    []cradle.Art14Submission
	Triage         *form
	V3, V4         scoreView
	Calculated     bool
	Releases       *form
	Rows           []releaseRow
	NewRow         releaseRow
	Decision       *form
	DecisionOpts   decisionOptions
	Exploit        *form
	Fix            *form
	Upstream       *form
	Submit         *form
	StageOpts      []option
	History        []historyEntry
	HistoryMore    int
	Products       []string
	Validities     []option
	Decisions      []option
	States         []option
	Policy         cradle.RemediationPolicy
	APIURL         string
	AuditURL       string
	IntakeURL      string
	UpdateProducts []string // products of the case's releases, for "record a security update"
}

type deadlineRow struct {
	cradle.Deadline
	Label, Countdown, Class, StateLabel string
	BasisText                           string // Basis with its times in the viewer's zone
}

// rfc3339UTC finds the UTC times the domain writes into a deadline's basis.
var rfc3339UTC = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z`)

func deadlineRowOf(d cradle.Deadline, now time.Time, loc *time.Location) deadlineRow {
	row := deadlineRow{Deadline: d, Label: cradle.StageLabel(d.Stage)}
	row.BasisText = rfc3339UTC.ReplaceAllStringFunc(d.Basis, func(s string) string {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return s
		}
		return formatIn(t, loc)
	})
	switch d.State {
	case cradle.DeadlineOpen:
		row.Class, row.StateLabel = "lc-development", "open"
	case cradle.DeadlineDueSoon:
		row.Class, row.StateLabel = "flag-warn", "due soon"
	case cradle.DeadlineOverdue:
		row.Class, row.StateLabel = "flag-bad", "overdue"
	case cradle.DeadlineSubmitted:
		row.Class, row.StateLabel = "lc-released", "submitted"
	case cradle.DeadlineSubmittedLate:
		row.Class, row.StateLabel = "flag-warn", "submitted late"
	case cradle.DeadlineWaiting:
		row.Class, row.StateLabel = "neutral", "waiting"
	}
	switch d.State {
	case cradle.DeadlineOpen, cradle.DeadlineDueSoon, cradle.DeadlineOverdue:
		row.Countdown = countdown(d.Due, now)
	case cradle.DeadlineSubmittedLate:
		row.Countdown = "late by " + spanOf(d.SubmittedAt.Sub(d.Due))
	}
	return row
}

// releaseRow is one release of the per-release VEX form.
type releaseRow struct {
	cradle.CaseRelease
	Prefix         string // form field prefix: "releases/3", or "new"
	Status         []option
	Justification  []option
	Impact, Action string
	Remove         bool
	ProductValue   string // the new row's product and version
	VersionValue   string
	Errs           map[string]string
}

// Err returns the row's error for a field ("status", "justification",
// "impact_statement", "action_statement", "version").
func (r releaseRow) Err(field string) string { return r.Errs[field] }

type decisionOptions struct {
	Status        []option
	Justification []option
}

func justificationOptions(chosen string) []option {
	return append([]option{{Value: "", Label: "— none —", Selected: chosen == ""}}, optionsOf(cradle.Justifications, justificationLabel, chosen)...)
}

// caseEdits are the forms of a case page in the state to show; nil forms
// show the stored case.
type caseEdits struct {
	Triage, Releases, Decision, Exploit, Fix, Upstream, Submit *form
	Calculated                                                 bool
}

func triageForm(c *cradle.Case, loc *time.Location) *form {
	return newForm(map[string]string{"title": c.Title, "description": c.Description, "component": c.Component, "vuln_id": c.VulnID,
		"aware_at": localValue(c.AwareAt, loc), "validity": c.Validity, "cvss_v3": c.CVSS3, "cvss_v4": c.CVSS4, "cwe": c.CWE,
		"root_cause": c.RootCause, "owner": c.Owner, "decision": c.Decision, "decision_rationale": c.DecisionRationale, "state": c.State})
}

var triageFields = []string{"title", "description", "component", "vuln_id", "aware_at", "validity", "cvss_v3", "cvss_v4", "cwe",
	"root_cause", "owner", "decision", "decision_rationale", "state"}

func releasesForm(c *cradle.Case) *form {
	f := newForm(nil)
	for i, r := range c.Releases {
		p := "releases/" + strconv.Itoa(i)
		f.Values[p+"/release_id"] = strconv.FormatInt(r.ReleaseID, 10)
		f.Values[p+"/status"] = r.Status
		f.Values[p+"/justification"] = r.Justification
		f.Values[p+"/impact_statement"] = r.Impact
		f.Values[p+"/action_statement"] = r.Action
		f.Values[p+"/remove"] = ""
	}
	for _, k := range []string{"product", "version", "status", "justification", "impact_statement", "action_statement"} {
		f.Values["new/"+k] = ""
	}
	f.Values["new/status"] = cradle.VEXUnderInvestigation
	return f
}

var exploitFields = []string{"actively_exploited", "suspected_malicious", "malicious_actor"}

func exploitForm(c *cradle.Case) *form {
	return newForm(map[string]string{"actively_exploited": boolValue(c.Exploited), "suspected_malicious": boolValue(c.Malicious), "malicious_actor": c.MaliciousActor})
}

func boolValue(b bool) string {
	if b {
		return "true"
	}
	return ""
}

var upstreamFields = []string{"upstream_notified_at", "upstream_channel", "upstream_ref", "upstream_note"}

func upstreamForm(c *cradle.Case, loc *time.Location) *form {
	return newForm(map[string]string{"upstream_notified_at": localValue(c.UpstreamNotifiedAt, loc), "upstream_channel": c.UpstreamChannel,
		"upstream_ref": c.UpstreamRef, "upstream_note": c.UpstreamNote})
}

var decisionFields = []string{"status", "justification", "impact_statement", "action_statement", "component"}
var submitFields = []string{"stage", "submitted_at", "reference"}

// historyShownMax bounds the case history; the audit trail has the rest.
const historyShownMax = 200

func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, status int, e caseEdits) error {
	ctx := r.Context()
	c, err := s.db.Case(ctx, r.PathValue("ref"))
	if err != nil {
		return err
	}
	cv, err := s.caseView(r, c)
	if err != nil {
		return err
	}
	policy, err := s.db.RemediationPolicy(ctx)
	if err != nil {
		return err
	}
	loc := zoneOf(r)
	now := s.ps.Now()
	v := &caseView{Case: c, Submissions: cv.Submissions, Policy: policy, Due: dueOf(c, policy, now), Calculated: e.Calculated}
	if v.Advisories, err = s.db.ListAdvisories(ctx, c.Ref, false); err != nil {
		return err
	}
	for _, d := range cv.Deadlines {
		v.Deadlines = append(v.Deadlines, deadlineRowOf(d, now, loc))
	}
	v.Triage, v.Releases, v.Decision, v.Exploit, v.Fix, v.Upstream, v.Submit = e.Triage, e.Releases, e.Decision, e.Exploit, e.Fix, e.Upstream, e.Submit
	if v.Triage == nil {
		v.Triage = triageForm(c, loc)
	}
	v.V3, v.V4, _ = scoreForm(v.Triage, false)
	if v.Releases == nil {
		v.Releases = releasesForm(c)
	}
	v.Rows, v.NewRow = releaseRows(c, v.Releases)
	if v.Decision == nil {
		v.Decision = newForm(map[string]string{"status": cradle.VEXNotAffected, "justification": "", "impact_statement": "", "action_statement": "", "component": c.Component})
	}
	v.DecisionOpts = decisionOptions{Status: optionsOf(cradle.VEXStatuses, vexLabel, v.Decision.Val("status")), Justification: justificationOptions(v.Decision.Val("justification"))}
	if v.Exploit == nil {
		v.Exploit = exploitForm(c)
	}
	if v.Fix == nil {
		v.Fix = newForm(map[string]string{"fix_available_at": localValue(c.FixAvailableAt, loc)})
	}
	if v.Upstream == nil {
		v.Upstream = upstreamForm(c, loc)
	}
	if v.Submit == nil {
		stage := cradle.StageEarlyWarning
		for _, d := range cv.Deadlines {
			if d.State != cradle.DeadlineSubmitted && d.State != cradle.DeadlineSubmittedLate {
				stage = d.Stage
				break
			}
		}
		v.Submit = newForm(map[string]string{"stage": stage, "submitted_at": localValue(now, loc), "reference": ""})
	}
	v.StageOpts = optionsOf(cradle.Art14Stages, cradle.StageLabel, v.Submit.Val("stage"))
	v.Validities = optionsOf([]string{cradle.ValidityPending, cradle.ValidityValid, cradle.ValidityInvalid, cradle.ValidityDuplicate}, validityLabel, v.Triage.Val("validity"))
	v.Decisions = append([]option{{Value: "", Label: "— not decided —", Selected: v.Triage.Val("decision") == ""}},
		optionsOf([]string{cradle.DecisionFix, cradle.DecisionMitigate, cradle.DecisionDefer, cradle.DecisionAccept}, decisionLabel, v.Triage.Val("decision"))...)
	v.States = optionsOf([]string{cradle.CaseOpen, cradle.CaseClosed}, func(s string) string {
		if s == cradle.CaseOpen {
			return "Open"
		}
		return "Closed"
	}, v.Triage.Val("state"))
	if v.Products, err = s.productNames(r); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, rel := range c.Releases {
		if !seen[rel.Product] {
			seen[rel.Product] = true
			v.UpdateProducts = append(v.UpdateProducts, rel.Product)
		}
	}
	entries, total, err := s.db.ListAudit(ctx, store.AuditFilter{EntityType: "case", EntityID: strconv.FormatInt(c.ID, 10)}, cradle.Page{PerPage: historyShownMax})
	if err != nil {
		return err
	}
	for _, en := range entries {
		v.History = append(v.History, historyOf(en, loc))
	}
	v.HistoryMore = total - len(entries)
	v.APIURL = "/api/v1/cases/" + pathEscape(c.Ref)
	v.AuditURL = "/audit?entity_type=case&entity_id=" + strconv.FormatInt(c.ID, 10)
	if c.IntakeID != "" {
		v.IntakeURL = "/intake/" + pathEscape(c.IntakeID)
	}
	v.Title, v.Nav = c.Ref+": "+c.Title, "cases"
	v.Crumbs = []crumb{{"Cases", "/cases"}}
	return s.render(w, r, status, "case", v)
}

func validityLabel(s string) string {
	switch s {
	case cradle.ValidityPending:
		return "Pending (not yet assessed)"
	case cradle.ValidityValid:
		return "Valid"
	case cradle.ValidityInvalid:
		return "Invalid (not a vulnerability)"
	case cradle.ValidityDuplicate:
		return "Duplicate"
	}
	return s
}

// releaseRows builds the VEX table's rows from the stored releases and the
// form's values.
func releaseRows(c *cradle.Case, f *form) ([]releaseRow, releaseRow) {
	for i, rel := range c.Releases {
		if f.Val("releases/"+strconv.Itoa(i)+"/release_id") != strconv.FormatInt(rel.ReleaseID, 10) {
			// The case changed since the form was sent: show what is stored.
			f = releasesForm(c)
			break
		}
	}
	var rows []releaseRow
	for i, rel := range c.Releases {
		p := "releases/" + strconv.Itoa(i)
		row := releaseRow{CaseRelease: rel, Prefix: p, Errs: map[string]string{}}
		row.Status = optionsOf(cradle.VEXStatuses, vexLabel, f.Val(p+"/status"))
		row.Justification = justificationOptions(f.Val(p + "/justification"))
		row.Impact, row.Action, row.Remove = f.Val(p+"/impact_statement"), f.Val(p+"/action_statement"), f.Val(p+"/remove") != ""
		for _, k := range []string{"status", "justification", "impact_statement", "action_statement"} {
			row.Errs[k] = f.Err(p + "/" + k)
		}
		rows = append(rows, row)
	}
	nr := releaseRow{Prefix: "new", Errs: map[string]string{}, ProductValue: f.Val("new/product"), VersionValue: f.Val("new/version")}
	nr.Status = optionsOf(cradle.VEXStatuses, vexLabel, f.Val("new/status"))
	nr.Justification = justificationOptions(f.Val("new/justification"))
	nr.Impact, nr.Action = f.Val("new/impact_statement"), f.Val("new/action_statement")
	for _, k := range []string{"product", "version", "status", "justification", "impact_statement", "action_statement"} {
		nr.Errs[k] = f.Err("new/" + k)
	}
	return rows, nr
}

func (s *Server) uiCase(w http.ResponseWriter, r *http.Request) error {
	return s.renderCase(w, r, http.StatusOK, caseEdits{})
}

// triagePatch builds the patch of the triage form. Times are patched only
// when the form changes them: a datetime-local input has minutes only, and
// saving it unchanged would move the stored second.
func triagePatch(f *form, c *cradle.Case, loc *time.Location) (psirt.CasePatch, error) {
	str := func(k string) *string { v := f.Val(k); return &v }
	p := psirt.CasePatch{Title: str("title"), Description: str("description"), Component: str("component"), VulnID: str("vuln_id"),
		Validity: str("validity"), CVSS3: str("cvss_v3"), CVSS4: str("cvss_v4"), CWE: str("cwe"), RootCause: str("root_cause"),
		Owner: str("owner"), Decision: str("decision"), DecisionRationale: str("decision_rationale"), State: str("state")}
	var probs []cradle.Problem
	if f.Val("aware_at") != localValue(c.AwareAt, loc) {
		t := formTime(f, "aware_at", loc, &probs)
		if t.IsZero() && len(probs) == 0 {
			probs = append(probs, cradle.Problem{Location: "aware_at", Message: "is required (when the manufacturer became aware)"})
		}
		p.AwareAt = &t
	}
	if _, _, err := scoreForm(f, true); err != nil {
		probs = append(probs, cradle.ErrorProblems(err)...)
	}
	if len(probs) > 0 {
		return p, cradle.Invalid("invalid case", probs...)
	}
	return p, nil
}

func (s *Server) uiTriage(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, triageFields...)
	c, err := s.db.Case(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	p, err := triagePatch(f, c, zoneOf(r))
	if err == nil {
		_, err = s.ps.Update(r.Context(), actorOf(r, "ui"), c.Ref, p)
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderCase(w, r, f.fail(err), caseEdits{Triage: f})
	}
	return s.redirectFlash(w, r, caseURL(c.Ref)+"#triage", "case-saved")
}

// uiTriageCalculate scores the triage form's vectors and shows the form
// again, unsaved: the calculator without JavaScript.
func (s *Server) uiTriageCalculate(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, triageFields...)
	if _, _, err := scoreForm(f, true); err != nil {
		return s.renderCase(w, r, f.fail(err), caseEdits{Triage: f})
	}
	return s.renderCase(w, r, http.StatusOK, caseEdits{Triage: f, Calculated: true})
}

// uiCaseReleases saves the per-release VEX statuses in one update: the
// rows of the table, less those marked for removal, plus the new row when
// it names a release.
func (s *Server) uiCaseReleases(w http.ResponseWriter, r *http.Request) error {
	c, err := s.db.Case(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	if err := s.parseForm(r); err != nil {
		return err
	}
	f := newForm(nil)
	var rels []cradle.CaseRelease
	var rowOf []string // patch index → form row prefix
	n := 0
	for {
		p := "releases/" + strconv.Itoa(n)
		id := r.PostFormValue(p + "/release_id")
		if id == "" {
			break
		}
		for _, k := range []string{"release_id", "status", "justification", "impact_statement", "action_statement", "remove"} {
			f.Values[p+"/"+k] = r.PostFormValue(p + "/" + k)
		}
		n++
		if f.Values[p+"/remove"] != "" {
			continue
		}
		rid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return cradle.Invalid("the form could not be read", cradle.Problem{Location: p + "/release_id", Message: "is not a release ID"})
		}
		rels = append(rels, cradle.CaseRelease{ReleaseID: rid, Status: f.Values[p+"/status"], Justification: f.Values[p+"/justification"],
			Impact: f.Values[p+"/impact_statement"], Action: f.Values[p+"/action_statement"]})
		rowOf = append(rowOf, p)
	}
	for _, k := range []string{"product", "version", "status", "justification", "impact_statement", "action_statement"} {
		f.Values["new/"+k] = r.PostFormValue("new/" + k)
	}
	if n != len(c.Releases) {
		return cradle.Errorf(cradle.EConflict, "the case's releases changed since the page was loaded: reload it and enter the statuses again")
	}
	product, version := strings.TrimSpace(f.Val("new/product")), strings.TrimSpace(f.Val("new/version"))
	switch {
	case product != "" && version != "":
		rels = append(rels, cradle.CaseRelease{Product: product, Version: version, Status: f.Val("new/status"), Justification: f.Val("new/justification"),
			Impact: f.Val("new/impact_statement"), Action: f.Val("new/action_statement")})
		rowOf = append(rowOf, "new")
	case product != "" || version != "":
		loc := "new/version"
		if product == "" {
			loc = "new/product"
		}
		return s.renderCase(w, r, f.fail(cradle.Invalid("invalid case releases", cradle.Problem{Location: loc, Message: "is required to add a release"})), caseEdits{Releases: f})
	}
	if rels == nil {
		rels = []cradle.CaseRelease{}
	}
	if _, err := s.ps.Update(r.Context(), actorOf(r, "ui"), c.Ref, psirt.CasePatch{Releases: &rels}); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderCase(w, r, f.fail(remapReleaseProblems(err, rowOf)), caseEdits{Releases: f})
	}
	return s.redirectFlash(w, r, caseURL(c.Ref)+"#releases", "case-releases")
}

// remapReleaseProblems moves problems located at "releases/N/…" (N an
// index into the saved list) to the form row they came from.
func remapReleaseProblems(err error, rowOf []string) error {
	if cradle.ErrorCode(err) != cradle.EInvalid {
		return err
	}
	probs := cradle.ErrorProblems(err)
	out := make([]cradle.Problem, 0, len(probs))
	for _, p := range probs {
		rest, ok := strings.CutPrefix(p.Location, "releases/")
		if !ok {
			out = append(out, p)
			continue
		}
		idx, field, _ := strings.Cut(rest, "/")
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= len(rowOf) {
			out = append(out, p)
			continue
		}
		if field == "" {
			field = "status"
			if rowOf[i] == "new" {
				field = "version"
			}
		}
		out = append(out, cradle.Problem{Location: rowOf[i] + "/" + field, Message: p.Message})
	}
	return cradle.Invalid(cradle.ErrorMessage(err), out...)
}

// The component decision: POST /cases/{ref}/decision.

type decisionView struct {
	base
	Case      *cradle.Case
	Decisions []store.ComponentDecision
}

func (s *Server) uiApplyDecision(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, decisionFields...)
	st := cradle.CaseRelease{Status: f.Val("status"), Justification: f.Val("justification"), Impact: f.Val("impact_statement"), Action: f.Val("action_statement")}
	ds, err := s.db.ApplyDecision(r.Context(), actorOf(r, "ui"), r.PathValue("ref"), st, strings.TrimSpace(f.Val("component")))
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderCase(w, r, f.fail(err), caseEdits{Decision: f})
	}
	c, err := s.db.Case(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	v := &decisionView{Case: c, Decisions: ds}
	v.Title, v.Nav = "Decision applied", "cases"
	v.Crumbs = []crumb{{"Cases", "/cases"}, {c.Ref, caseURL(c.Ref)}}
	return s.render(w, r, http.StatusOK, "case_decision", v)
}

// Exploitation: POST /cases/{ref}/exploited. The one-click form of the
// cases list sends only actively_exploited=true and quick=true.
func (s *Server) uiCaseExploited(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, exploitFields...)
	ref := r.PathValue("ref")
	exploited := f.Val("actively_exploited") != ""
	p := psirt.CasePatch{Exploited: &exploited}
	if r.FormValue("quick") == "" {
		malicious := f.Val("suspected_malicious") != ""
		actor := f.Val("malicious_actor")
		p.Malicious, p.MaliciousActor = &malicious, &actor
	}
	c, err := s.ps.Update(r.Context(), actorOf(r, "ui"), ref, p)
	if err != nil {
		if !isUserError(err) {
			return err
		}
		if r.FormValue("quick") != "" {
			return err
		}
		return s.renderCase(w, r, f.fail(err), caseEdits{Exploit: f})
	}
	return s.redirectFlash(w, r, backTo(r, caseURL(c.Ref)+"#art14"), "case-exploited")
}

// Fix availability: POST /cases/{ref}/fix.
func (s *Server) uiCaseFix(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, "fix_available_at")
	var probs []cradle.Problem
	t := formTime(f, "fix_available_at", zoneOf(r), &probs)
	if len(probs) > 0 {
		return s.renderCase(w, r, f.fail(cradle.Invalid("invalid case", probs...)), caseEdits{Fix: f})
	}
	c, err := s.ps.Update(r.Context(), actorOf(r, "ui"), r.PathValue("ref"), psirt.CasePatch{FixAvailableAt: &t})
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderCase(w, r, f.fail(err), caseEdits{Fix: f})
	}
	return s.redirectFlash(w, r, caseURL(c.Ref)+"#art14", "case-fix")
}

// Upstream reporting (CRA Art. 13(6)): POST /cases/{ref}/upstream.
func (s *Server) uiCaseUpstream(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, upstreamFields...)
	var probs []cradle.Problem
	t := formTime(f, "upstream_notified_at", zoneOf(r), &probs)
	if len(probs) > 0 {
		return s.renderCase(w, r, f.fail(cradle.Invalid("invalid case", probs...)), caseEdits{Upstream: f})
	}
	str := func(k string) *string { v := f.Val(k); return &v }
	c, err := s.ps.Update(r.Context(), actorOf(r, "ui"), r.PathValue("ref"), psirt.CasePatch{UpstreamNotifiedAt: &t,
		UpstreamChannel: str("upstream_channel"), UpstreamRef: str("upstream_ref"), UpstreamNote: str("upstream_note")})
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderCase(w, r, f.fail(err), caseEdits{Upstream: f})
	}
	return s.redirectFlash(w, r, caseURL(c.Ref)+"#upstream", "case-upstream")
}

// Art. 14 submissions: POST /cases/{ref}/art14 records that a person filed
// a report on the single reporting platform. The stage's current draft is
// stored with it as the content filed.
func (s *Server) uiArt14Submit(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, submitFields...)
	ref := r.PathValue("ref")
	var probs []cradle.Problem
	at := formTime(f, "submitted_at", zoneOf(r), &probs)
	if at.IsZero() && len(probs) == 0 {
		probs = append(probs, cradle.Problem{Location: "submitted_at", Message: "is required: when the report was filed"})
	}
	if len(probs) > 0 {
		return s.renderCase(w, r, f.fail(cradle.Invalid("invalid submission", probs...)), caseEdits{Submit: f})
	}
	sub := &cradle.Art14Submission{Stage: f.Val("stage"), SubmittedAt: at, Reference: strings.TrimSpace(f.Val("reference"))}
	if slices.Contains(cradle.Art14Stages, sub.Stage) {
		if fields, err := s.ps.Draft(r.Context(), ref, sub.Stage); err == nil {
			sub.Content = map[string]string{}
			for _, fd := range fields {
				sub.Content[fd.Name] = fd.Value
			}
		}
	}
	if err := s.db.RecordSubmission(r.Context(), actorOf(r, "ui"), ref, sub); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderCase(w, r, f.fail(err), caseEdits{Submit: f})
	}
	id, _ := store.ParseCaseRef(ref)
	return s.redirectFlash(w, r, caseURL(cradle.CaseRef(id))+"#art14", "art14-recorded")
}

// The Art. 14 draft page: GET /cases/{ref}/art14/{stage}.

type art14View struct {
	base
	Case     *cradle.Case
	Stage    string
	Fields   []draftFieldView
	Deadline *deadlineRow
	Missing  int
	APIURL   string
}

type draftFieldView struct {
	cradle.DraftField
	Count int
	Over  bool
	Rows  int
}

func (s *Server) uiArt14Draft(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	stage := r.PathValue("stage")
	c, err := s.db.Case(ctx, r.PathValue("ref"))
	if err != nil {
		return err
	}
	fields, err := s.ps.Draft(ctx, c.Ref, stage)
	if err != nil {
		return err
	}
	v := &art14View{Case: c, Stage: stage, APIURL: "/api/v1/cases/" + pathEscape(c.Ref) + "/art14/" + pathEscape(stage)}
	for _, f := range fields {
		n := len([]rune(f.Value))
		rows := 2
		if f.Limit > cradle.LimitShort {
			rows = min(14, max(4, n/90+strings.Count(f.Value, "\n")+2))
		}
		v.Fields = append(v.Fields, draftFieldView{DraftField: f, Count: n, Over: f.Limit > 0 && n > f.Limit, Rows: rows})
		if f.Missing {
			v.Missing++
		}
	}
	ds, _, err := s.ps.Deadlines(ctx, c)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Stage == stage {
			row := deadlineRowOf(d, s.ps.Now(), zoneOf(r))
			v.Deadline = &row
		}
	}
	v.Title, v.Nav = cradle.StageLabel(stage)+" for "+c.Ref, "cases"
	v.Crumbs = []crumb{{"Cases", "/cases"}, {c.Ref, caseURL(c.Ref)}}
	return s.render(w, r, http.StatusOK, "case_art14", v)
}

// The case history: the case's audit entries as changes people read.

type historyEntry struct {
	At      time.Time
	Actor   string
	What    string
	Changes []fieldChange
}

type fieldChange struct {
	Field, Before, After string
}

var caseFieldLabels = []struct{ Key, Label string }{
	{"type", "Type"}, {"title", "Title"}, {"description", "Description"}, {"source", "Source"}, {"intake_id", "Report"},
	{"component", "Component"}, {"vuln_id", "Vulnerability ID"}, {"validity", "Validity"},
	{"cvss_v3", "CVSS v3.1"}, {"cvss_v3_score", "CVSS v3.1 score"}, {"cvss_v4", "CVSS v4.0"}, {"cvss_v4_score", "CVSS v4.0 score"},
	{"severity", "Severity"}, {"cwe", "CWE"}, {"root_cause", "Root cause"},
	{"decision", "Decision"}, {"decision_rationale", "Residual-risk rationale"}, {"decided_by", "Decided by"}, {"decided_at", "Decided at"},
	{"state", "State"}, {"owner", "Owner"}, {"aware_at", "Aware since"}, {"due_at", "Fix due"}, {"closed_at", "Closed at"},
	{"actively_exploited", "Actively exploited"}, {"exploited_marked_at", "Marked exploited at"},
	{"suspected_malicious", "Suspected malicious"}, {"malicious_actor", "Malicious actor"}, {"fix_available_at", "Fix available"},
	{"upstream_notified_at", "Maintainer informed"}, {"upstream_channel", "Upstream channel"}, {"upstream_ref", "Upstream reference"},
	{"upstream_note", "Upstream note"},
	// Art. 14 submissions.
	{"stage", "Stage"}, {"submitted_at", "Submitted at"}, {"reference", "Platform reference"},
}

// historyValueMax bounds a long text in the history (descriptions).
const historyValueMax = 300

func historyOf(e cradle.AuditEntry, loc *time.Location) historyEntry {
	h := historyEntry{At: e.At, Actor: e.Actor, What: e.Action}
	switch e.Action {
	case "case.create":
		h.What = "opened the case"
	case "case.update":
		h.What = "changed"
	case "art14.submit":
		h.What = "recorded an Art. 14 submission"
	}
	before, after := jsonObject(e.Before), jsonObject(e.After)
	for _, f := range caseFieldLabels {
		b, a := historyValue(f.Key, before[f.Key], loc), historyValue(f.Key, after[f.Key], loc)
		if b == a {
			continue
		}
		h.Changes = append(h.Changes, fieldChange{Field: f.Label, Before: b, After: a})
	}
	if e.Action != "art14.submit" {
		h.Changes = append(h.Changes, releaseChanges(before["releases"], after["releases"])...)
	}
	return h
}

func jsonObject(raw json.RawMessage) map[string]any {
	m := map[string]any{}
	if len(raw) == 0 {
		return m
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	_ = dec.Decode(&m) // an entry that does not decode shows no changes
	return m
}

// historyValue is a JSON value as the history shows it; "" for nothing.
func historyValue(key string, v any, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if !x {
			return ""
		}
		return "yes"
	case json.Number:
		if x.String() == "0" {
			return ""
		}
		return x.String()
	case string:
		if strings.HasSuffix(key, "_at") {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return formatIn(t, loc)
			}
		}
		switch key {
		case "stage":
			return cradle.StageLabel(x)
		case "decision":
			return decisionLabel(x)
		}
		return shorten(x, historyValueMax)
	}
	b, _ := json.Marshal(v)
	return shorten(string(b), historyValueMax)
}

// releaseChanges lists the releases whose VEX statement changed.
func releaseChanges(before, after any) []fieldChange {
	statements := func(v any) (map[string]string, []string) {
		m := map[string]string{}
		var keys []string
		list, _ := v.([]any)
		for _, x := range list {
			o, _ := x.(map[string]any)
			if o == nil {
				continue
			}
			str := func(k string) string { s, _ := o[k].(string); return s }
			key := strings.TrimSpace(str("product") + " " + str("version"))
			if key == "" {
				key = "release #" + fmt.Sprint(o["release_id"])
			}
			st := vexLabel(str("status"))
			if j := str("justification"); j != "" {
				st += " (" + justificationLabel(j) + ")"
			}
			if t := str("impact_statement"); t != "" {
				st += "; impact: " + t
			}
			if t := str("action_statement"); t != "" {
				st += "; action: " + t
			}
			m[key] = shorten(st, historyValueMax)
			keys = append(keys, key)
		}
		return m, keys
	}
	b, bk := statements(before)
	a, ak := statements(after)
	var out []fieldChange
	for _, k := range ak {
		if b[k] != a[k] {
			out = append(out, fieldChange{Field: k, Before: b[k], After: a[k]})
		}
	}
	for _, k := range bk {
		if _, ok := a[k]; !ok {
			out = append(out, fieldChange{Field: k, Before: b[k], After: "removed from the case"})
		}
	}
	return out
}
