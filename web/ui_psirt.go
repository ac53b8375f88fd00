package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

// Vulnerability handling pages: cases (list, new, triage, per-release VEX
// statuses, CRA Art. 14 reports), the public reporting form and the PSIRT's
// inbox, security updates with the time-to-fix report, the remediation
// policy and the customer subscriptions. The pages offer what the JSON API
// in api_psirt.go and intake.go offers, through the same service and store
// calls, and work without JavaScript.
//
// Times are stored in UTC and shown in the viewer's time zone (a per-browser
// preference in the cradle_tz cookie, see ui_psirt_tz.go); times typed into
// forms are read in that zone.

var psirtUIPages = []string{
	"cases", "case_new", "case", "case_art14", "case_decision",
	"report", "report_receipt", "report_status", "intake", "intake_report",
	"updates", "updates_form", "psirt_policy", "psirt_subscribers",
}

func (s *Server) psirtUIRoutes() []route {
	const rel = "/products/{product}/releases/{version}"
	return []route{
		{"GET /cases", cradle.PermRead, true, s.uiCases},
		{"GET /cases/new", cradle.PermOpenCase, true, s.uiNewCase},
		{"POST /cases/new/calculate", cradle.PermOpenCase, true, s.uiNewCaseCalculate},
		{"POST /cases", cradle.PermOpenCase, true, s.uiOpenCase},
		{"GET /cases/{ref}", cradle.PermRead, true, s.uiCase},
		{"POST /cases/{ref}", cradle.PermTriage, true, s.uiTriage},
		{"POST /cases/{ref}/calculate", cradle.PermTriage, true, s.uiTriageCalculate},
		{"POST /cases/{ref}/releases", cradle.PermTriage, true, s.uiCaseReleases},
		{"POST /cases/{ref}/decision", cradle.PermTriage, true, s.uiApplyDecision},
		{"POST /cases/{ref}/exploited", cradle.PermTriage, true, s.uiCaseExploited},
		{"POST /cases/{ref}/fix", cradle.PermTriage, true, s.uiCaseFix},
		{"POST /cases/{ref}/upstream", cradle.PermTriage, true, s.uiCaseUpstream},
		{"POST /cases/{ref}/art14", cradle.PermTriage, true, s.uiArt14Submit},
		{"GET /cases/{ref}/art14/{stage}", cradle.PermTriage, true, s.uiArt14Draft},
		{"POST /case-reviews", cradle.PermTriage, true, s.uiRecordReview},

		{"GET /report", "", true, s.uiReportForm},
		{"POST /report", "", true, s.uiSubmitReport},
		{"GET /report/status/{id}", "", true, s.uiReportStatus},
		{"GET /intake", cradle.PermTriage, true, s.uiIntakeList},
		{"GET /intake/{id}", cradle.PermTriage, true, s.uiIntakeReport},
		{"POST /intake/{id}", cradle.PermTriage, true, s.uiUpdateIntake},
		{"GET /intake/{id}/attachments/{n}", cradle.PermTriage, true, s.uiIntakeAttachment},

		{"GET /updates", cradle.PermRead, true, s.uiUpdates},
		{"GET " + rel + "/security-update", cradle.PermTriage, true, s.uiUpdateForm},
		{"POST " + rel + "/security-update", cradle.PermTriage, true, s.uiCreateUpdate},

		{"GET /settings/remediation", cradle.PermRead, true, s.uiPolicy},
		{"POST /settings/remediation", cradle.PermPSIRTConfig, true, s.uiSavePolicy},
		{"GET /settings/subscribers", cradle.PermPSIRTConfig, true, s.uiSubscribers},
		{"POST /settings/subscribers", cradle.PermPSIRTConfig, true, s.uiAddSubscriber},
		{"POST /settings/subscribers/{id}/delete", cradle.PermPSIRTConfig, true, s.uiRemoveSubscriber},

		{"POST /prefs/timezone", permAuthenticated, true, s.uiSetTimezone},
	}
}

// The flash messages of these pages (the cookie carries only the key).
func init() {
	addFlashes(map[string]string{
		"case-opened":        "Case opened.",
		"case-saved":         "Case saved.",
		"case-releases":      "Release statuses saved.",
		"case-exploited":     "Exploitation status saved. Check the CRA Art. 14 deadlines below.",
		"case-fix":           "Fix availability saved.",
		"case-upstream":      "Upstream reporting saved.",
		"art14-recorded":     "Submission recorded.",
		"review-recorded":    "Periodic review recorded.",
		"intake-saved":       "Report status saved. The reporter sees it on their status page.",
		"update-created":     "Security update recorded. The cases it fixes have their fix-available time set, and subscribers are notified.",
		"policy-saved":       "Remediation policy saved. It applies to due dates computed from now on.",
		"subscriber-added":   "Subscriber added.",
		"subscriber-removed": "Subscriber removed.",
		"timezone-saved":     "Time zone saved for this browser.",
	})
}

// Permission checks for the templates (the route table enforces them).
func (b *base) CanOpenCase() bool          { return b.can(cradle.PermOpenCase) }
func (b *base) CanTriage() bool            { return b.can(cradle.PermTriage) }
func (b *base) CanPSIRTConfig() bool       { return b.can(cradle.PermPSIRTConfig) }
func (b *base) VEXLabel(s string) string   { return vexLabel(s) }
func (b *base) StageLabel(s string) string { return cradle.StageLabel(s) }

// JustificationLabel is an OpenVEX justification as a sentence.
func (b *base) JustificationLabel(s string) string { return justificationLabel(s) }

func vexLabel(s string) string {
	switch s {
	case cradle.VEXUnderInvestigation:
		return "Under investigation"
	case cradle.VEXAffected:
		return "Affected"
	case cradle.VEXNotAffected:
		return "Not affected"
	case cradle.VEXFixed:
		return "Fixed"
	}
	return s
}

func justificationLabel(s string) string {
	switch s {
	case "component_not_present":
		return "Component not present"
	case "vulnerable_code_not_present":
		return "Vulnerable code not present"
	case "vulnerable_code_not_in_execute_path":
		return "Vulnerable code not in execute path"
	case "vulnerable_code_cannot_be_controlled_by_adversary":
		return "Vulnerable code cannot be controlled by adversary"
	case "inline_mitigations_already_exist":
		return "Inline mitigations already exist"
	}
	return s
}

func decisionLabel(s string) string {
	switch s {
	case cradle.DecisionFix:
		return "Fix"
	case cradle.DecisionMitigate:
		return "Mitigate"
	case cradle.DecisionDefer:
		return "Defer (residual risk)"
	case cradle.DecisionAccept:
		return "Accept (residual risk)"
	}
	return s
}

// DecisionLabel names a remediation decision.
func (b *base) DecisionLabel(s string) string { return decisionLabel(s) }

// countdown says how far a due time is from now: "in 5 h 12 min",
// "overdue by 2 h".
func countdown(due, now time.Time) string {
	if due.IsZero() {
		return ""
	}
	d := due.Sub(now)
	if d >= 0 {
		return "in " + spanOf(d)
	}
	return "overdue by " + spanOf(-d)
}

// spanOf writes a duration in the two largest units people read at a
// glance: "3 d 4 h", "5 h 12 min", "12 min".
func spanOf(d time.Duration) string {
	d = d.Round(time.Minute)
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case days > 0:
		return fmt.Sprintf("%d d", days)
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%d h", hours)
	case mins > 0:
		return fmt.Sprintf("%d min", mins)
	}
	return "less than a minute"
}

// psirtTab names the vulnerability-handling pages for their tab bar.
type psirtTab struct{ Label, URL, Key string }

var psirtTabs = []psirtTab{
	{"Cases", "/cases", "cases"},
	{"Report inbox", "/intake", "intake"},
	{"Security updates", "/updates", "updates"},
	{"Advisories", "/advisories", "advisories"},
	{"PSIRT settings", "/settings/psirt", "psirt"},
	{"Remediation policy", "/settings/remediation", "policy"},
	{"Subscribers", "/settings/subscribers", "subscribers"},
}

// PSIRTTabs lists the tabs the viewer may open.
func (b *base) PSIRTTabs() []psirtTab {
	var out []psirtTab
	for _, t := range psirtTabs {
		switch t.Key {
		case "intake":
			if !b.CanTriage() {
				continue
			}
		case "subscribers":
			if !b.CanPSIRTConfig() {
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// The cases list: GET /cases.

type casesView struct {
	base
	Tab         string
	Rows        []caseRow
	Pager       pager
	Filter      casesFilter
	FilterError string
	Products    []string
	Suggestions []*cradle.Case
	Art14Alerts []art14Alert
	Reviews     []cradle.CaseReview
	ReviewForm  *form
	ReviewDue   string // why a periodic review is due, "" when it is not
	Policy      cradle.RemediationPolicy
	APIURL      string
}

type casesFilter struct {
	State, Due, Product, Query string
	Exploited                  bool
}

// Active reports whether the filter narrows the default list (open cases).
func (f casesFilter) Active() bool {
	return f.State != cradle.CaseOpen || f.Due != "" || f.Product != "" || f.Query != "" || f.Exploited
}

// caseRow is a case in the list with what its row shows.
type caseRow struct {
	*cradle.Case
	Statuses []statusCount
	Due      dueState
	Art14    *art14Badge
}

type statusCount struct {
	Status string
	N      int
}

// dueState is where a case stands against its remediation due date.
type dueState struct {
	Overdue, Soon bool
	In            string // countdown
}

func dueOf(c *cradle.Case, p cradle.RemediationPolicy, now time.Time) dueState {
	if c.DueAt.IsZero() || c.State != cradle.CaseOpen {
		return dueState{}
	}
	d := dueState{In: countdown(c.DueAt, now)}
	switch {
	case c.DueAt.Before(now):
		d.Overdue = true
	case c.DueAt.Before(now.Add(time.Duration(p.DueSoonDays) * 24 * time.Hour)):
		d.Soon = true
	}
	return d
}

// art14Badge summarises a reportable case's Art. 14 deadlines for the
// list: the report that needs attention, its state and countdown.
type art14Badge struct {
	Label, Class, Sub, Title string
}

func art14BadgeOf(ds []cradle.Deadline, now time.Time) *art14Badge {
	if ds == nil {
		return nil
	}
	var next, waiting *cradle.Deadline
	for i := range ds {
		d := &ds[i]
		switch d.State {
		case cradle.DeadlineOverdue:
			return &art14Badge{Label: cradle.StageLabel(d.Stage) + " overdue", Class: "flag-bad", Sub: countdown(d.Due, now), Title: d.Basis}
		case cradle.DeadlineDueSoon, cradle.DeadlineOpen:
			if next == nil {
				next = d
			}
		case cradle.DeadlineWaiting:
			if waiting == nil {
				waiting = d
			}
		}
	}
	switch {
	case next != nil:
		class := "lc-development"
		if next.State == cradle.DeadlineDueSoon {
			class = "flag-warn"
		}
		return &art14Badge{Label: cradle.StageLabel(next.Stage) + " due", Class: class, Sub: countdown(next.Due, now), Title: next.Basis}
	case waiting != nil:
		return &art14Badge{Label: cradle.StageLabel(waiting.Stage) + " waiting", Class: "neutral", Sub: "clock not started", Title: waiting.Basis}
	}
	return &art14Badge{Label: "All reports filed", Class: "lc-released"}
}

func statusCounts(rs []cradle.CaseRelease) []statusCount {
	var out []statusCount
	for _, st := range cradle.VEXStatuses {
		n := 0
		for _, r := range rs {
			if r.Status == st {
				n++
			}
		}
		if n > 0 {
			out = append(out, statusCount{st, n})
		}
	}
	return out
}

// reviewsShown is how many past reviews the cases page lists.
const reviewsShown = 5

func (s *Server) uiCases(w http.ResponseWriter, r *http.Request) error {
	return s.renderCases(w, r, http.StatusOK, nil)
}

func (s *Server) renderCases(w http.ResponseWriter, r *http.Request, status int, review *form) error {
	ctx := r.Context()
	q := r.URL.Query()
	v := &casesView{Tab: "cases", ReviewForm: review}
	v.Title, v.Nav = "Cases", "cases"
	v.Filter = casesFilter{State: q.Get("state"), Due: q.Get("due"), Product: strings.TrimSpace(q.Get("product")),
		Query: strings.TrimSpace(q.Get("q")), Exploited: q.Get("exploited") == "true"}
	if v.Filter.State == "" {
		v.Filter.State = cradle.CaseOpen
	}
	if v.ReviewForm == nil {
		v.ReviewForm = newForm(map[string]string{"notes": ""})
	}
	policy, err := s.db.RemediationPolicy(ctx)
	if err != nil {
		return err
	}
	v.Policy = policy
	products, _, err := s.db.ListProducts(ctx, cradle.Page{PerPage: cradle.MaxPerPage})
	if err != nil {
		return err
	}
	for _, p := range products {
		v.Products = append(v.Products, p.Name)
	}
	f := store.CaseFilter{State: v.Filter.State, Due: v.Filter.Due, Product: v.Filter.Product, Query: v.Filter.Query, Exploited: v.Filter.Exploited}
	if f.State == "all" {
		f.State = ""
	}
	api := q
	api.Del("page")
	if f.State == "" {
		api.Del("state")
	} else {
		api.Set("state", f.State)
	}
	v.APIURL = "/api/v1/cases"
	if len(api) > 0 {
		v.APIURL += "?" + api.Encode()
	}
	pg := uiPage(r)
	items, total, err := s.db.ListCases(ctx, f, policy, pg)
	switch code := cradle.ErrorCode(err); code {
	case "":
	case cradle.EInvalid, cradle.ENotFound:
		if status == http.StatusOK {
			status = statusOf(code)
		}
		v.FilterError = cradle.ErrorMessage(err)
		if ps := cradle.ErrorProblems(err); len(ps) > 0 {
			v.FilterError += ": " + problemsText(err)
		}
	default:
		return err
	}
	now := s.ps.Now()
	for _, c := range items {
		row := caseRow{Case: c, Statuses: statusCounts(c.Releases), Due: dueOf(c, policy, now)}
		if c.Reportable() {
			ds, _, err := s.ps.Deadlines(ctx, c)
			if err != nil {
				return err
			}
			row.Art14 = art14BadgeOf(ds, now)
		}
		v.Rows = append(v.Rows, row)
	}
	v.Pager = newPager(r, pg, total, "case cases")
	if v.Art14Alerts, err = s.art14Alerts(r, policy, now); err != nil {
		return err
	}
	if v.Suggestions, err = s.ps.ExploitedSuggestions(ctx); err != nil {
		return err
	}
	if v.Reviews, err = s.db.Reviews(ctx, reviewsShown); err != nil {
		return err
	}
	open := total
	if f.State != cradle.CaseOpen || f.Due != "" || f.Product != "" || f.Query != "" || f.Exploited {
		_, open, err = s.db.ListCases(ctx, store.CaseFilter{State: cradle.CaseOpen}, policy, cradle.Page{PerPage: 1})
		if err != nil {
			return err
		}
	}
	v.ReviewDue = reviewDue(v.Reviews, policy, open, now)
	return s.render(w, r, status, "cases", v)
}

// art14Alert is an Art. 14 report that is overdue or due soon.
type art14Alert struct {
	Ref, Title, Stage, Countdown string
	Overdue                      bool
}

// art14Alerts lists the reports of open reportable cases (actively
// exploited vulnerabilities and incidents) that are overdue or due soon,
// whatever page of the list is shown.
func (s *Server) art14Alerts(r *http.Request, policy cradle.RemediationPolicy, now time.Time) ([]art14Alert, error) {
	cs, _, err := s.db.ListCases(r.Context(), store.CaseFilter{State: cradle.CaseOpen, Exploited: true}, policy, cradle.Page{PerPage: cradle.MaxPerPage})
	if err != nil {
		return nil, err
	}
	var out []art14Alert
	for _, c := range cs {
		ds, _, err := s.ps.Deadlines(r.Context(), c)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if d.State == cradle.DeadlineOverdue || d.State == cradle.DeadlineDueSoon {
				out = append(out, art14Alert{Ref: c.Ref, Title: c.Title, Stage: cradle.StageLabel(d.Stage), Countdown: countdown(d.Due, now),
					Overdue: d.State == cradle.DeadlineOverdue})
			}
		}
	}
	return out, nil
}

// reviewDue explains why the open cases need their periodic review (DM-4,
// DM-6), or returns "" when the last one is recent enough.
func reviewDue(rs []cradle.CaseReview, p cradle.RemediationPolicy, open int, now time.Time) string {
	every := time.Duration(p.ReviewEveryDays) * 24 * time.Hour
	if len(rs) == 0 {
		if open == 0 {
			return ""
		}
		return fmt.Sprintf("No periodic review of the open cases has been recorded; the remediation policy asks for one every %d days.", p.ReviewEveryDays)
	}
	if age := now.Sub(rs[0].At); age > every {
		return fmt.Sprintf("The last periodic review is %s old; the remediation policy asks for one every %d days.", spanOf(age), p.ReviewEveryDays)
	}
	return ""
}

func (s *Server) uiRecordReview(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, "notes")
	if _, err := s.db.RecordReview(r.Context(), actorOf(r, "ui"), f.Val("notes")); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderCases(w, r, f.fail(err), f)
	}
	return s.redirectFlash(w, r, "/cases#reviews", "review-recorded")
}

// backTo is where a form asks to return to, when it is a page of this
// server; def otherwise.
func backTo(r *http.Request, def string) string {
	b := r.FormValue("back")
	if b == "" || safeNext(b) != b {
		return def
	}
	return b
}

// formInt reads a whole number from a form; problems are located at the
// field.
func formInt(f *form, name string, probs *[]cradle.Problem) int {
	v := strings.TrimSpace(f.Val(name))
	n, err := strconv.Atoi(v)
	if err != nil {
		*probs = append(*probs, cradle.Problem{Location: name, Message: "must be a whole number; found " + strconv.Quote(v)})
	}
	return n
}

// options is a select's choices with the chosen one marked.
type option struct {
	Value, Label string
	Selected     bool
}

func optionsOf(values []string, label func(string) string, chosen string) []option {
	out := make([]option, 0, len(values))
	for _, v := range values {
		out = append(out, option{Value: v, Label: label(v), Selected: v == chosen})
	}
	return out
}

func same(s string) string { return s }

// productNames lists the portfolio's products.
func (s *Server) productNames(r *http.Request) ([]string, error) {
	ps, _, err := s.db.ListProducts(r.Context(), cradle.Page{PerPage: cradle.MaxPerPage})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return out, nil
}
