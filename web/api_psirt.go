package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/store"
)

// Vulnerability handling API: cases, triage, decisions, Art. 14 reports,
// reviews, policy, intake, security updates, subscribers.

func (s *Server) psirtAPIRoutes() []route {
	const rel = "/api/v1/products/{product}/releases/{version}"
	return []route{
		{"GET /api/v1/cases", cradle.PermRead, false, s.apiListCases},
		{"POST /api/v1/cases", cradle.PermOpenCase, false, s.apiOpenCase},
		{"GET /api/v1/cases/{ref}", cradle.PermRead, false, s.apiGetCase},
		{"PATCH /api/v1/cases/{ref}", cradle.PermTriage, false, s.apiUpdateCase},
		{"POST /api/v1/cases/{ref}/decision", cradle.PermTriage, false, s.apiApplyDecision},
		{"GET /api/v1/cases/{ref}/art14/{stage}", cradle.PermTriage, false, s.apiArt14Draft},
		{"POST /api/v1/cases/{ref}/art14", cradle.PermTriage, false, s.apiArt14Submit},
		{"GET /api/v1/case-suggestions/exploited", cradle.PermRead, false, s.apiExploitedSuggestions},
		{"GET /api/v1/case-reviews", cradle.PermRead, false, s.apiListReviews},
		{"POST /api/v1/case-reviews", cradle.PermTriage, false, s.apiRecordReview},
		{"GET /api/v1/decisions", cradle.PermRead, false, s.apiListDecisions},
		{"GET /api/v1/settings/remediation-policy", cradle.PermRead, false, s.apiGetPolicy},
		{"PUT /api/v1/settings/remediation-policy", cradle.PermPSIRTConfig, false, s.apiPutPolicy},
		{"POST /api/v1/cvss", cradle.PermRead, false, s.apiCVSS},

		{"POST /api/v1/intake", "", false, s.apiSubmitIntake},
		{"GET /api/v1/intake/{id}/status", "", false, s.apiIntakeStatus},
		{"GET /api/v1/intake", cradle.PermTriage, false, s.apiListIntake},
		{"GET /api/v1/intake/{id}", cradle.PermTriage, false, s.apiGetIntake},
		{"PUT /api/v1/intake/{id}", cradle.PermTriage, false, s.apiUpdateIntake},

		{"GET /api/v1/security-updates", cradle.PermRead, false, s.apiListUpdates},
		{"POST " + rel + "/security-update", cradle.PermTriage, false, s.apiCreateUpdate},
		{"GET /api/v1/reports/time-to-fix", cradle.PermRead, false, s.apiTimeToFix},

		{"GET /api/v1/subscribers", cradle.PermPSIRTConfig, false, s.apiListSubscribers},
		{"POST /api/v1/subscribers", cradle.PermPSIRTConfig, false, s.apiAddSubscriber},
		{"DELETE /api/v1/subscribers/{id}", cradle.PermPSIRTConfig, false, s.apiRemoveSubscriber},
		{"GET /api/v1/mail", cradle.PermPSIRTConfig, false, s.apiMailLog},
	}
}

// CaseView is a case with its Art. 14 deadlines and submissions.
type CaseView struct {
	*cradle.Case
	Deadlines   []cradle.Deadline        `json:"deadlines"`
	Submissions []cradle.Art14Submission `json:"submissions"`
	Overdue     bool                     `json:"overdue"`
}

func (s *Server) caseView(r *http.Request, c *cradle.Case) (*CaseView, error) {
	ds, subs, err := s.ps.Deadlines(r.Context(), c)
	if err != nil {
		return nil, err
	}
	if ds == nil {
		ds = []cradle.Deadline{}
	}
	return &CaseView{Case: c, Deadlines: ds, Submissions: subs,
		Overdue: c.State == cradle.CaseOpen && !c.DueAt.IsZero() && c.DueAt.Before(s.ps.Now())}, nil
}

func caseFilter(r *http.Request) store.CaseFilter {
	q := r.URL.Query()
	return store.CaseFilter{State: q.Get("state"), Due: q.Get("due"), Exploited: q.Get("exploited") == "true",
		Product: q.Get("product"), Type: q.Get("type"), Query: q.Get("q")}
}

func (s *Server) apiListCases(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	policy, err := s.db.RemediationPolicy(r.Context())
	if err != nil {
		return err
	}
	items, total, err := s.db.ListCases(r.Context(), caseFilter(r), policy, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

// checkOpenCase refuses the parts of a new case that are triage
// decisions (a release status other than under investigation, marking it
// actively exploited) to callers who may open cases but not triage them.
func checkOpenCase(p *cradle.Principal, in *psirt.NewCase) error {
	if p.Can(cradle.PermTriage) {
		return nil
	}
	var probs []cradle.Problem
	for i, r := range in.Releases {
		if r.Status != "" && r.Status != cradle.VEXUnderInvestigation {
			probs = append(probs, cradle.Problem{Location: fmt.Sprintf("releases/%d/status", i), Message: "only a security officer sets a status other than under_investigation"})
		}
	}
	if in.Exploited {
		probs = append(probs, cradle.Problem{Location: "actively_exploited", Message: "only a security officer marks a case actively exploited"})
	}
	if in.IntakeID != "" {
		probs = append(probs, cradle.Problem{Location: "intake_id", Message: "only a security officer opens a case from a public report"})
	}
	if len(probs) > 0 {
		return &cradle.Error{Code: cradle.EForbidden, Message: "your role may open cases but not triage them", Problems: probs}
	}
	return nil
}

func (s *Server) apiOpenCase(w http.ResponseWriter, r *http.Request) error {
	var in psirt.NewCase
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := checkOpenCase(principal(r), &in); err != nil {
		return err
	}
	c, err := s.ps.Open(r.Context(), actorOf(r, "api"), in)
	if err != nil {
		return err
	}
	v, err := s.caseView(r, c)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+c.Ref)
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) apiGetCase(w http.ResponseWriter, r *http.Request) error {
	c, err := s.db.Case(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	v, err := s.caseView(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiUpdateCase(w http.ResponseWriter, r *http.Request) error {
	var p psirt.CasePatch
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	c, err := s.ps.Update(r.Context(), actorOf(r, "api"), r.PathValue("ref"), p)
	if err != nil {
		return err
	}
	v, err := s.caseView(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// decisionInput applies a VEX decision to every release shipping the
// case's component version.
type decisionInput struct {
	Status        string `json:"status"`
	Justification string `json:"justification"`
	Impact        string `json:"impact_statement"`
	Action        string `json:"action_statement"`
	// Component narrows the decision to one component (purl or name);
	// default: the case's component.
	Component string `json:"component"`
}

// DecisionResult lists the component decisions written.
type DecisionResult struct {
	Decisions []store.ComponentDecision `json:"decisions"`
}

func (s *Server) apiApplyDecision(w http.ResponseWriter, r *http.Request) error {
	var in decisionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ds, err := s.db.ApplyDecision(r.Context(), actorOf(r, "api"), r.PathValue("ref"),
		cradle.CaseRelease{Status: in.Status, Justification: in.Justification, Impact: in.Impact, Action: in.Action}, in.Component)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, DecisionResult{Decisions: ds})
	return nil
}

func (s *Server) apiListDecisions(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.db.Decisions(r.Context(), r.URL.Query().Get("product"))
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []store.ComponentDecision{}
	}
	writeJSON(w, http.StatusOK, DecisionResult{Decisions: ds})
	return nil
}

// Art14Draft is a drafted report.
type Art14Draft struct {
	Case   string              `json:"case"`
	Stage  string              `json:"stage"`
	Fields []cradle.DraftField `json:"fields"`
}

func (s *Server) apiArt14Draft(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.ps.Draft(r.Context(), r.PathValue("ref"), r.PathValue("stage"))
	if err != nil {
		return err
	}
	id, _ := store.ParseCaseRef(r.PathValue("ref"))
	writeJSON(w, http.StatusOK, Art14Draft{Case: cradle.CaseRef(id), Stage: r.PathValue("stage"), Fields: fs})
	return nil
}

type submissionInput struct {
	Stage       string            `json:"stage"`
	SubmittedAt time.Time         `json:"submitted_at"`
	Reference   string            `json:"reference"`
	Content     map[string]string `json:"content"`
}

func (s *Server) apiArt14Submit(w http.ResponseWriter, r *http.Request) error {
	var in submissionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	sub := &cradle.Art14Submission{Stage: in.Stage, SubmittedAt: in.SubmittedAt, Reference: strings.TrimSpace(in.Reference), Content: in.Content}
	if err := s.db.RecordSubmission(r.Context(), actorOf(r, "api"), r.PathValue("ref"), sub); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sub)
	return nil
}

func (s *Server) apiExploitedSuggestions(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.ps.ExploitedSuggestions(r.Context())
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []*cradle.Case{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

// ReviewList lists case reviews.
type ReviewList struct {
	Items []cradle.CaseReview `json:"items"`
}

func (s *Server) apiListReviews(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.db.Reviews(r.Context(), 100)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []cradle.CaseReview{}
	}
	writeJSON(w, http.StatusOK, ReviewList{Items: rs})
	return nil
}

func (s *Server) apiRecordReview(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Notes string `json:"notes"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rv, err := s.db.RecordReview(r.Context(), actorOf(r, "api"), in.Notes)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rv)
	return nil
}

func (s *Server) apiGetPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.RemediationPolicy(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiPutPolicy(w http.ResponseWriter, r *http.Request) error {
	var p cradle.RemediationPolicy
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.db.PutSetting(r.Context(), actorOf(r, "api"), "remediation_policy", p, nil); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// CVSSResult is the calculator's answer for each vector.
type CVSSResult struct {
	Scores []cvssItem `json:"scores"`
}

type cvssItem struct {
	Input    string           `json:"input"`
	Score    *cvss.Score      `json:"score,omitempty"`
	Problems []cradle.Problem `json:"problems,omitempty"`
}

// apiCVSS scores vectors: the calculator behind the UI's triage form,
// also for scripts.
func (s *Server) apiCVSS(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Vectors []string `json:"vectors"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Vectors) == 0 || len(in.Vectors) > 100 {
		return cradle.Invalid("invalid request", cradle.Problem{Location: "vectors", Message: "give 1 to 100 vectors"})
	}
	out := CVSSResult{Scores: []cvssItem{}}
	for _, v := range in.Vectors {
		sc, err := cvss.Parse(v)
		it := cvssItem{Input: v, Score: sc}
		if err != nil {
			it.Problems = cradle.ErrorProblems(err)
			if len(it.Problems) == 0 {
				it.Problems = []cradle.Problem{{Message: cradle.ErrorMessage(err)}}
			}
		}
		out.Scores = append(out.Scores, it)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiListUpdates(w http.ResponseWriter, r *http.Request) error {
	us, err := s.db.SecurityUpdates(r.Context(), r.URL.Query().Get("product"))
	if err != nil {
		return err
	}
	if us == nil {
		us = []cradle.SecurityUpdate{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": us})
	return nil
}

type updateInput struct {
	AvailableAt   time.Time `json:"available_at"`
	Summary       string    `json:"summary"`
	Install       string    `json:"install"`
	Verify        string    `json:"verify"`
	Impact        string    `json:"impact"`
	Qualification string    `json:"qualification"`
	ArtifactName  string    `json:"artifact"`
	ArtifactHash  string    `json:"artifact_sha256"`
	SignatureURL  string    `json:"signature_url"`
	Cases         []string  `json:"cases"`
}

func (in updateInput) update() *cradle.SecurityUpdate {
	return &cradle.SecurityUpdate{AvailableAt: in.AvailableAt, Summary: in.Summary, Install: in.Install, Verify: in.Verify,
		Impact: in.Impact, Qualification: in.Qualification, ArtifactName: in.ArtifactName, ArtifactHash: in.ArtifactHash,
		SignatureURL: in.SignatureURL, Cases: in.Cases}
}

func (s *Server) apiCreateUpdate(w http.ResponseWriter, r *http.Request) error {
	var in updateInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u := in.update()
	if err := s.db.CreateSecurityUpdate(r.Context(), actorOf(r, "api"), r.PathValue("product"), r.PathValue("version"), u, s.ps.ComposeUpdate); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiTimeToFix(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.RemediationPolicy(r.Context())
	if err != nil {
		return err
	}
	rows, err := s.db.TimeToFixReport(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": rows})
	return nil
}

func (s *Server) apiListSubscribers(w http.ResponseWriter, r *http.Request) error {
	subs, err := s.db.Subscribers(r.Context())
	if err != nil {
		return err
	}
	if subs == nil {
		subs = []cradle.Subscriber{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": subs})
	return nil
}

func (s *Server) apiAddSubscriber(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email   string `json:"email"`
		Name    string `json:"name"`
		Product string `json:"product"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	sub := &cradle.Subscriber{Email: in.Email, Name: in.Name, Product: in.Product}
	if err := s.db.AddSubscriber(r.Context(), actorOf(r, "api"), sub); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sub)
	return nil
}

func (s *Server) apiRemoveSubscriber(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RemoveSubscriber(r.Context(), actorOf(r, "api"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiMailLog(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.db.MailLogs(r.Context(), 200)
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []store.MailLog{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ms})
	return nil
}
