package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

// Security updates (GET /updates, the form on a release), the time-to-fix
// report (SUM-5), the remediation policy and the customer subscriptions.

type updatesView struct {
	base
	Tab       string
	Updates   []cradle.SecurityUpdate
	TimeToFix []store.TimeToFix
	Policy    cradle.RemediationPolicy
}

func (s *Server) uiUpdates(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	us, err := s.db.SecurityUpdates(ctx, "")
	if err != nil {
		return err
	}
	p, err := s.db.RemediationPolicy(ctx)
	if err != nil {
		return err
	}
	ttf, err := s.db.TimeToFixReport(ctx, p)
	if err != nil {
		return err
	}
	v := &updatesView{Tab: "updates", Updates: us, TimeToFix: ttf, Policy: p}
	v.Title, v.Nav = "Security updates", "cases"
	return s.render(w, r, http.StatusOK, "updates", v)
}

var updateFields = []string{"available_at", "summary", "install", "verify", "impact", "qualification", "artifact", "artifact_sha256",
	"signature_url", "cases", "cases_other"}

type updateFormView struct {
	base
	Release  *cradle.Release
	Form     *form
	Cases    []caseChoice
	Existing *cradle.SecurityUpdate
}

type caseChoice struct {
	Ref, Title, Rating string
	Affects            bool // the case lists a release of this product
	Selected           bool
}

func (s *Server) renderUpdateForm(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ctx := r.Context()
	rel, err := s.db.Release(ctx, r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	v := &updateFormView{Release: rel}
	us, err := s.db.SecurityUpdates(ctx, rel.ProductName)
	if err != nil {
		return err
	}
	for i := range us {
		if us[i].ReleaseID == rel.ID {
			v.Existing = &us[i]
		}
	}
	if f == nil {
		f = newForm(map[string]string{"available_at": localValue(s.ps.Now(), zoneOf(r)), "cases": r.URL.Query().Get("case")})
		for _, k := range updateFields {
			if _, ok := f.Values[k]; !ok {
				f.Values[k] = ""
			}
		}
	}
	v.Form = f
	chosen := splitRefs(f.Val("cases"))
	policy, err := s.db.RemediationPolicy(ctx)
	if err != nil {
		return err
	}
	open, _, err := s.db.ListCases(ctx, store.CaseFilter{State: cradle.CaseOpen}, policy, cradle.Page{PerPage: cradle.MaxPerPage})
	if err != nil {
		return err
	}
	for _, c := range open {
		ch := caseChoice{Ref: c.Ref, Title: c.Title, Rating: c.Rating, Selected: slices.Contains(chosen, c.Ref)}
		for _, cr := range c.Releases {
			if cr.Product == rel.ProductName {
				ch.Affects = true
			}
		}
		v.Cases = append(v.Cases, ch)
	}
	// The cases of this product first.
	slices.SortStableFunc(v.Cases, func(a, b caseChoice) int {
		switch {
		case a.Affects && !b.Affects:
			return -1
		case b.Affects && !a.Affects:
			return 1
		}
		return 0
	})
	v.Title, v.Nav = "Security update "+rel.ProductName+" "+rel.Version, "cases"
	v.Crumbs = []crumb{{"Portfolio", "/"}, {rel.ProductName, productURL(rel.ProductName)}, {rel.Version, releaseURL(rel.ProductName, rel.Version)}}
	return s.render(w, r, status, "updates_form", v)
}

// splitRefs splits a list of case references separated by commas or
// white space.
func splitRefs(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == ';' }) {
		ref := strings.ToUpper(strings.TrimSpace(f))
		if ref == "" {
			continue
		}
		if _, err := strconv.Atoi(ref); err == nil {
			ref = "CASE-" + ref
		}
		if !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	return out
}

func (s *Server) uiUpdateForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderUpdateForm(w, r, http.StatusOK, nil)
}

func (s *Server) uiCreateUpdate(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, updateFields...)
	refs := splitRefs(strings.Join(r.Form["cases"], ",") + "," + f.Val("cases_other"))
	f.Values["cases"] = strings.Join(r.Form["cases"], ",")
	var probs []cradle.Problem
	at := formTime(f, "available_at", zoneOf(r), &probs)
	if len(probs) > 0 {
		return s.renderUpdateForm(w, r, f.fail(cradle.Invalid("invalid security update", probs...)), f)
	}
	u := &cradle.SecurityUpdate{AvailableAt: at, Summary: f.Val("summary"), Install: f.Val("install"), Verify: f.Val("verify"),
		Impact: strings.TrimSpace(f.Val("impact")), Qualification: strings.TrimSpace(f.Val("qualification")), ArtifactName: strings.TrimSpace(f.Val("artifact")),
		ArtifactHash: f.Val("artifact_sha256"), SignatureURL: strings.TrimSpace(f.Val("signature_url")), Cases: refs}
	product, version := r.PathValue("product"), r.PathValue("version")
	if err := s.db.CreateSecurityUpdate(r.Context(), actorOf(r, "ui"), product, version, u, s.ps.ComposeUpdate); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderUpdateForm(w, r, f.fail(remapCaseProblems(err)), f)
	}
	return s.redirectFlash(w, r, "/updates", "update-created")
}

// remapCaseProblems puts the problems of "cases/N" on the cases field.
func remapCaseProblems(err error) error {
	if cradle.ErrorCode(err) != cradle.EInvalid {
		return err
	}
	probs := cradle.ErrorProblems(err)
	for i, p := range probs {
		if strings.HasPrefix(p.Location, "cases/") {
			probs[i].Location = "cases"
		}
	}
	return cradle.Invalid(cradle.ErrorMessage(err), probs...)
}

// The remediation policy: GET/POST /settings/remediation.

var policyFields = []string{"critical", "high", "medium", "low", "unknown", "due_soon_days", "review_every_days"}

type policyView struct {
	base
	Tab    string
	Policy cradle.RemediationPolicy
	Form   *form
}

func policyForm(p cradle.RemediationPolicy) *form {
	i := strconv.Itoa
	return newForm(map[string]string{"critical": i(p.Critical), "high": i(p.High), "medium": i(p.Medium), "low": i(p.Low),
		"unknown": i(p.Unknown), "due_soon_days": i(p.DueSoonDays), "review_every_days": i(p.ReviewEveryDays)})
}

func (s *Server) renderPolicy(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	p, err := s.db.RemediationPolicy(r.Context())
	if err != nil {
		return err
	}
	if f == nil {
		f = policyForm(p)
	}
	v := &policyView{Tab: "policy", Policy: p, Form: f}
	v.Title, v.Nav = "Remediation policy", "cases"
	return s.render(w, r, status, "psirt_policy", v)
}

func (s *Server) uiPolicy(w http.ResponseWriter, r *http.Request) error {
	return s.renderPolicy(w, r, http.StatusOK, nil)
}

func (s *Server) uiSavePolicy(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, policyFields...)
	var probs []cradle.Problem
	p := cradle.RemediationPolicy{Critical: formInt(f, "critical", &probs), High: formInt(f, "high", &probs), Medium: formInt(f, "medium", &probs),
		Low: formInt(f, "low", &probs), Unknown: formInt(f, "unknown", &probs), DueSoonDays: formInt(f, "due_soon_days", &probs),
		ReviewEveryDays: formInt(f, "review_every_days", &probs)}
	err := error(nil)
	if len(probs) > 0 {
		err = cradle.Invalid("invalid remediation policy", probs...)
	} else if err = p.Validate(); err == nil {
		err = s.db.PutSetting(r.Context(), actorOf(r, "ui"), "remediation_policy", p, nil)
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderPolicy(w, r, f.fail(err), f)
	}
	return s.redirectFlash(w, r, "/settings/remediation", "policy-saved")
}

// Subscribers: GET/POST /settings/subscribers.

type subscribersView struct {
	base
	Tab         string
	Subscribers []cradle.Subscriber
	Products    []option
	Form        *form
	Mail        []mailRow
}

type mailRow struct {
	store.MailLog
	State, Class string
	At           time.Time
}

// mailLogShown is how many mails the delivery log lists.
const mailLogShown = 100

func (s *Server) renderSubscribers(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ctx := r.Context()
	subs, err := s.db.Subscribers(ctx)
	if err != nil {
		return err
	}
	names, err := s.productNames(r)
	if err != nil {
		return err
	}
	logs, err := s.db.MailLogs(ctx, mailLogShown)
	if err != nil {
		return err
	}
	if f == nil {
		f = newForm(map[string]string{"email": "", "name": "", "product": ""})
	}
	v := &subscribersView{Tab: "subscribers", Subscribers: subs, Form: f}
	v.Products = append([]option{{Value: "", Label: "Every product", Selected: f.Val("product") == ""}}, optionsOf(names, same, f.Val("product"))...)
	for _, m := range logs {
		row := mailRow{MailLog: m}
		switch {
		case !m.DeliveredAt.IsZero():
			row.State, row.Class, row.At = "delivered", "delivery-ok", m.DeliveredAt
		case !m.FailedAt.IsZero():
			row.State, row.Class, row.At = "gave up", "flag-bad", m.FailedAt
		case m.Attempts > 0:
			row.State, row.Class, row.At = "retrying", "flag-warn", m.NextAt
		default:
			row.State, row.Class, row.At = "queued", "delivery-pending", m.NextAt
		}
		v.Mail = append(v.Mail, row)
	}
	v.Title, v.Nav = "Subscribers", "cases"
	return s.render(w, r, status, "psirt_subscribers", v)
}

func (s *Server) uiSubscribers(w http.ResponseWriter, r *http.Request) error {
	return s.renderSubscribers(w, r, http.StatusOK, nil)
}

func (s *Server) uiAddSubscriber(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, "email", "name", "product")
	sub := &cradle.Subscriber{Email: f.Val("email"), Name: f.Val("name"), Product: f.Val("product")}
	if err := s.db.AddSubscriber(r.Context(), actorOf(r, "ui"), sub); err != nil {
		if cradle.ErrorCode(err) == cradle.ENotFound {
			err = cradle.Invalid("invalid subscriber", cradle.Problem{Location: "product", Message: "is not a product of the portfolio"})
		}
		if !isUserError(err) {
			return err
		}
		return s.renderSubscribers(w, r, f.fail(err), f)
	}
	return s.redirectFlash(w, r, "/settings/subscribers", "subscriber-added")
}

func (s *Server) uiRemoveSubscriber(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RemoveSubscriber(r.Context(), actorOf(r, "ui"), id); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/settings/subscribers", "subscriber-removed")
}
