package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/engineering"
	"github.com/cradle-sdl/cradle/gate"
	"github.com/cradle-sdl/cradle/quality"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/threatmodel"
)

// Engineering evidence in the UI: the product's threat model (diagram,
// threats, reviews, versions and their diff), a release's scan and test
// results with the trend across releases, the SBOM quality report, and the
// release gate (history, a decision with its reasons, exceptions, policy).

var engineeringUIPages = []string{"threat_model", "results", "sbom_quality", "gate", "gate_decision"}

func init() {
	addFlashes(map[string]string{
		"threat-model-imported":  "Threat model imported.",
		"threat-model-same":      "This threat model is already the one in force: nothing changed.",
		"threat-review-recorded": "Threat model review recorded.",
		"results-imported":       "Results imported.",
		"result-suppressed":      "Result suppressed for every release of the product.",
		"exception-added":        "Exception added.",
		"exception-revoked":      "Exception revoked.",
		"gate-policy-saved":      "Gate policy saved.",
		"gate-policy-cleared":    "The product now uses the default gate policy.",
	})
}

// Permission checks for the templates (the route table enforces them).
func (b *base) CanImportResults() bool { return b.can(cradle.PermResults) }
func (b *base) CanGatePolicy() bool    { return b.can(cradle.PermGatePolicy) }

func (s *Server) engineeringUIRoutes() []route {
	const prod = "/products/{product}"
	const rel = prod + "/releases/{version}"
	return []route{
		{"GET " + prod + "/threat-model", cradle.PermRead, true, s.uiThreatModel},
		{"GET " + prod + "/threat-model/diagram.svg", cradle.PermRead, true, s.threatModelDiagram},
		{"POST " + prod + "/threat-model", cradle.PermResults, true, s.uiImportThreatModel},
		{"POST " + prod + "/threat-model/reviews", cradle.PermGatePolicy, true, s.uiReviewThreatModel},

		{"GET " + rel + "/results", cradle.PermRead, true, s.uiResults},
		{"POST " + rel + "/results", cradle.PermResults, true, s.uiImportResults},
		{"POST " + prod + "/results/suppressions", cradle.PermGatePolicy, true, s.uiSuppressResult},

		{"GET " + rel + "/sbom/quality", cradle.PermRead, true, s.uiSBOMQuality},

		{"GET " + rel + "/gate", cradle.PermRead, true, s.uiGate},
		{"POST " + rel + "/gate", cradle.PermResults, true, s.uiRunGate},
		{"GET /gate/decisions/{id}", cradle.PermRead, true, s.uiGateDecision},
		{"POST " + prod + "/gate/exceptions", cradle.PermGatePolicy, true, s.uiAddGateException},
		{"POST /gate/exceptions/{id}/revoke", cradle.PermGatePolicy, true, s.uiRevokeGateException},
		{"POST " + prod + "/gate/policy", cradle.PermGatePolicy, true, s.uiSetGatePolicy},
	}
}

// ---- threat model ----

type threatModelView struct {
	base
	Product  *cradle.Product
	Model    *engineering.ThreatModelView
	Version  int
	Diff     *threatmodel.Diff
	DiffFrom int
	DiffTo   int
	Open     []threatmodel.Threat
	Form     *form // the review form, when shown again
	Upload   *uploadOutcome
	Edited   string   // the YAML edited in the browser, shown again when refused
	Release  string   // the release whose model and test results are shown
	Releases []string // the product's releases, newest first
}

// TestState is a named test's state in the release shown ("" without one).
func (v *threatModelView) TestState(ref string) string {
	if v.Model == nil || v.Model.Tests == nil {
		return ""
	}
	return v.Model.Tests[ref]
}

// uploadOutcome is a failed upload shown on the page it came from.
type uploadOutcome struct {
	Message  string
	Problems []cradle.Problem
	More     int
}

// renderThreatModel shows the threat model page; f is the review form and
// up a refused upload to show again, edited the YAML of a refused edit.
func (s *Server) renderThreatModel(w http.ResponseWriter, r *http.Request, status int, f *form, up *uploadOutcome, edited string) error {
	ctx := r.Context()
	p, err := s.db.Product(ctx, r.PathValue("product"))
	if err != nil {
		return err
	}
	version, err := queryInt(r, "version")
	if err != nil {
		return err
	}
	v := &threatModelView{Product: p, Version: version, Form: f, Upload: up, Edited: edited, Release: r.URL.Query().Get("release")}
	if v.Model, err = s.es.ThreatModel(ctx, p.Name, v.Release, version); err != nil {
		return err
	}
	rels, _, err := s.db.ListReleases(ctx, p.Name, cradle.Page{PerPage: 20})
	if err != nil {
		return err
	}
	for _, rl := range rels {
		v.Releases = append(v.Releases, rl.Version)
	}
	if v.Model != nil {
		v.Open = threatmodel.Summarize(v.Model.Threats).Open("")
		from, _ := queryInt(r, "from")
		to, _ := queryInt(r, "to")
		if from == 0 && to == 0 && v.Model.Stored.Version > 1 && version == 0 {
			from, to = v.Model.Stored.Version-1, v.Model.Stored.Version
		}
		if from > 0 && to > 0 {
			if v.Diff, err = s.es.ThreatModelDiff(ctx, p.Name, from, to); err != nil {
				return err
			}
			v.DiffFrom, v.DiffTo = from, to
		}
	}
	if v.Form == nil {
		v.Form = newForm(map[string]string{"outcome": cradle.ReviewApproved, "notes": ""})
	}
	v.Title, v.Nav = "Threat model of "+p.Name, "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}, {p.Name, productURL(p.Name)}}
	return s.render(w, r, status, "threat_model", v)
}

func (s *Server) uiThreatModel(w http.ResponseWriter, r *http.Request) error {
	return s.renderThreatModel(w, r, http.StatusOK, nil, nil, "")
}

// formFile reads the "file" part of a multipart form, bounded by limit.
func (s *Server) formFile(r *http.Request, limit int64) ([]byte, string, error) {
	raw, name, err := s.readUpload(r, limit, cradle.Invalid("choose a file to upload", cradle.Problem{Location: "file", Message: "no file was sent"}))
	return raw, baseName(name), err
}

func outcomeOf(err error) *uploadOutcome {
	o := &uploadOutcome{Message: cradle.ErrorMessage(err)}
	o.Problems, o.More = capProblems(cradle.ErrorProblems(err))
	return o
}

func (s *Server) uiImportThreatModel(w http.ResponseWriter, r *http.Request) error {
	product := r.PathValue("product")
	var raw []byte
	var name string
	var err error
	edited := s.formValue(r, "source") != "" || s.formValue(r, "editor") == "1"
	if edited {
		// Edited in the browser: the YAML comes in a text field.
		raw, name = []byte(strings.ReplaceAll(s.formValue(r, "source"), "\r\n", "\n")), orDefault(baseName(s.formValue(r, "filename")), "threat-model.yaml")
		if len(raw) > engineering.MaxThreatModelSize {
			err = cradle.Errorf(cradle.ETooLarge, "the threat model is larger than %s", byteSize(engineering.MaxThreatModelSize))
		}
	} else {
		raw, name, err = s.formFile(r, engineering.MaxThreatModelSize)
	}
	var res *engineering.ThreatModelImport
	if err == nil {
		res, err = s.es.ImportThreatModel(r.Context(), actorOf(r, "ui"), product, "", name, raw)
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		text := ""
		if edited {
			text = string(raw)
		}
		return s.renderThreatModel(w, r, statusOf(cradle.ErrorCode(err)), nil, outcomeOf(err), text)
	}
	flash := "threat-model-imported"
	if res.Unchanged {
		flash = "threat-model-same"
	}
	return s.redirectFlash(w, r, productURL(product)+"/threat-model", flash)
}

func (s *Server) uiReviewThreatModel(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, "version", "outcome", "notes")
	product := r.PathValue("product")
	version, _ := strconv.Atoi(f.Val("version"))
	rv := &cradle.ThreatReview{Product: product, Version: version, Outcome: f.Val("outcome"), Notes: f.Val("notes")}
	if err := s.db.AddThreatReview(r.Context(), actorOf(r, "ui"), rv); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderThreatModel(w, r, f.fail(err), f, nil, "")
	}
	return s.redirectFlash(w, r, productURL(product)+"/threat-model", "threat-review-recorded")
}

// ---- results ----

type resultsView struct {
	base
	Release *cradle.Release
	Filter  store.ResultFilter
	Results []cradle.ScanResult
	Pager   pager
	Imports []cradle.ResultImport
	Trend   []trendRow
	Upload  *uploadOutcome
	Form    *form // suppression form shown again
	Kinds   []string
}

// trendRow is one release's open results by severity, with bar widths.
type trendRow struct {
	store.ResultCounts
	Total   int
	Current bool
	Bars    []trendBar
}

type trendBar struct {
	Severity string
	N        int
	X, W     float64
}

func (s *Server) renderResults(w http.ResponseWriter, r *http.Request, status int, up *uploadOutcome, f *form) error {
	ctx := r.Context()
	rel, err := s.db.Release(ctx, r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	v := &resultsView{Release: rel, Upload: up, Form: f, Kinds: cradle.ResultKinds}
	statusParam := r.URL.Query().Get("status")
	if statusParam == "all" {
		q := r.URL.Query()
		q.Del("status")
		r.URL.RawQuery = q.Encode()
	}
	if v.Filter, err = resultFilterOf(r); err != nil {
		return err
	}
	switch statusParam {
	case "":
		v.Filter.Status = cradle.ResultOpen
	case "all":
		v.Filter.Status = ""
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	var total int
	if v.Results, total, err = s.db.ListResults(ctx, rel.ProductName, rel.Version, v.Filter, pg); err != nil {
		return err
	}
	v.Pager = newPager(r, pg, total, "result results")
	if v.Imports, err = s.db.ResultImports(ctx, rel.ProductName, rel.Version); err != nil {
		return err
	}
	trend, err := s.db.ResultTrend(ctx, rel.ProductName)
	if err != nil {
		return err
	}
	most := 1
	for _, t := range trend {
		n := 0
		for _, c := range t.Open {
			n += c
		}
		most = max(most, n)
	}
	for _, t := range trend {
		row := trendRow{ResultCounts: t, Current: t.Release == rel.Version}
		x := 0.0
		for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
			n := t.Open[sev]
			row.Total += n
			if n == 0 {
				continue
			}
			wd := 300 * float64(n) / float64(most)
			row.Bars = append(row.Bars, trendBar{Severity: sev, N: n, X: x, W: wd})
			x += wd
		}
		v.Trend = append(v.Trend, row)
	}
	if v.Form == nil {
		v.Form = newForm(map[string]string{"fingerprint": "", "reason": ""})
	}
	v.Title, v.Nav = "Results of "+rel.ProductName+" "+rel.Version, "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}, {rel.ProductName, productURL(rel.ProductName)}, {rel.Version, releaseURL(rel.ProductName, rel.Version)}}
	return s.render(w, r, status, "results", v)
}

func (s *Server) uiResults(w http.ResponseWriter, r *http.Request) error {
	return s.renderResults(w, r, http.StatusOK, nil, nil)
}

func (s *Server) uiImportResults(w http.ResponseWriter, r *http.Request) error {
	product, version := r.PathValue("product"), r.PathValue("version")
	raw, name, err := s.formFile(r, maxResultsUpload)
	if err == nil {
		err = s.heavy(r.Context(), func() error {
			_, _, err := s.es.ImportResults(r.Context(), actorOf(r, "ui"), product, version, r.FormValue("kind"), name, raw)
			return err
		})
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderResults(w, r, statusOf(cradle.ErrorCode(err)), outcomeOf(err), nil)
	}
	return s.redirectFlash(w, r, releaseURL(product, version)+"/results", "results-imported")
}

func (s *Server) uiSuppressResult(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, "fingerprint", "reason", "release")
	product := r.PathValue("product")
	back := productURL(product)
	if v := f.Val("release"); v != "" {
		back = releaseURL(product, v) + "/results"
	}
	if err := s.db.SuppressResult(r.Context(), actorOf(r, "ui"), product, f.Val("fingerprint"), f.Val("reason")); err != nil {
		if !isUserError(err) || f.Val("release") == "" {
			return err
		}
		r.SetPathValue("version", f.Val("release"))
		return s.renderResults(w, r, f.fail(err), nil, f)
	}
	return s.redirectFlash(w, r, back, "result-suppressed")
}

// ---- SBOM quality ----

type sbomQualityView struct {
	base
	Release  *cradle.Release
	SBOMID   int64
	Document *cradle.SBOMDocument
	Profile  string
	Profiles []quality.ProfileInfo
	Report   *quality.Report
	Failing  []quality.ComponentReport
	More     int
	All      bool
}

func (s *Server) uiSBOMQuality(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rel, err := s.db.Release(ctx, r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	v := &sbomQualityView{Release: rel, Profile: profileOf(r), Profiles: quality.Profiles(), All: r.URL.Query().Get("all") == "true"}
	id, err := queryInt(r, "sbom")
	if err != nil {
		return err
	}
	if id == 0 {
		id = int(rel.CurrentSBOMID)
	}
	v.SBOMID = int64(id)
	if id != 0 {
		err = s.heavy(ctx, func() error {
			var err error
			v.Report, v.Document, err = s.es.CheckStoredSBOM(ctx, rel.ProductName, rel.Version, int64(id), v.Profile)
			return err
		})
		if err != nil {
			return err
		}
		const shown = 200
		for _, c := range v.Report.Components {
			if c.Conforms && !v.All {
				continue
			}
			if len(v.Failing) == shown {
				v.More++
				continue
			}
			v.Failing = append(v.Failing, c)
		}
	}
	v.Title, v.Nav = "SBOM quality of "+rel.ProductName+" "+rel.Version, "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}, {rel.ProductName, productURL(rel.ProductName)}, {rel.Version, releaseURL(rel.ProductName, rel.Version)}}
	return s.render(w, r, http.StatusOK, "sbom_quality", v)
}

// ---- the release gate ----

type gateView struct {
	base
	Release    *cradle.Release
	Latest     *engineering.GateRun
	History    []*cradle.GateRecord
	Exceptions []cradle.GateException
	Checks     []gate.CheckInfo
	Policy     string // the product's own policy YAML
	Default    string
	Form       *form // exception form
	PolicyForm *form
	Problems   []cradle.Problem
	Message    string
}

// Expired reports whether an exception's expiry has passed.
func (v *gateView) Expired(t time.Time) bool { return t.Before(time.Now()) }

func (s *Server) renderGate(w http.ResponseWriter, r *http.Request, status int, f, pf *form, runErr error) error {
	ctx := r.Context()
	rel, err := s.db.Release(ctx, r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	v := &gateView{Release: rel, Checks: gate.Checks, Form: f, PolicyForm: pf, Default: string(gate.DefaultYAML())}
	if runErr != nil {
		v.Message = cradle.ErrorMessage(runErr)
		v.Problems, _ = capProblems(cradle.ErrorProblems(runErr))
	}
	if v.History, err = s.db.GateDecisions(ctx, rel.ProductName, rel.Version, 50); err != nil {
		return err
	}
	if len(v.History) > 0 {
		if v.Latest, _, _, err = s.es.Decision(ctx, v.History[0].ID); err != nil {
			return err
		}
	}
	if v.Exceptions, err = s.db.GateExceptions(ctx, rel.ProductName, rel.Version); err != nil {
		return err
	}
	if v.Policy, err = s.db.GatePolicy(ctx, rel.ProductName); err != nil {
		return err
	}
	if v.Form == nil {
		v.Form = newForm(map[string]string{"check": "", "subject": "", "approver": "", "reason": "", "expires": "", "scope": "release"})
	}
	if v.PolicyForm == nil {
		v.PolicyForm = newForm(map[string]string{"policy": v.Policy})
	}
	v.Title, v.Nav = "Release gate of "+rel.ProductName+" "+rel.Version, "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}, {rel.ProductName, productURL(rel.ProductName)}, {rel.Version, releaseURL(rel.ProductName, rel.Version)}}
	return s.render(w, r, status, "gate", v)
}

func (s *Server) uiGate(w http.ResponseWriter, r *http.Request) error {
	return s.renderGate(w, r, http.StatusOK, nil, nil, nil)
}

func (s *Server) uiRunGate(w http.ResponseWriter, r *http.Request) error {
	product, version := r.PathValue("product"), r.PathValue("version")
	var run *engineering.GateRun
	err := s.heavy(r.Context(), func() error {
		var err error
		run, err = s.es.Gate(r.Context(), actorOf(r, "ui"), product, version, "", nil)
		return err
	})
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderGate(w, r, statusOf(cradle.ErrorCode(err)), nil, nil, err)
	}
	http.Redirect(w, r, "/gate/decisions/"+strconv.FormatInt(run.Record.ID, 10), http.StatusSeeOther)
	return nil
}

type gateDecisionView struct {
	base
	Run      *engineering.GateRun
	Verified bool
	Problems []cradle.Problem
}

func (s *Server) uiGateDecision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := &gateDecisionView{}
	run, verr := s.es.Verify(r.Context(), id)
	if run == nil {
		return verr
	}
	v.Run, v.Verified, v.Problems = run, verr == nil, cradle.ErrorProblems(verr)
	rec := run.Record
	v.Title, v.Nav = fmt.Sprintf("Gate decision %d", id), "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}, {rec.Product, productURL(rec.Product)}, {rec.Release, releaseURL(rec.Product, rec.Release)},
		{"Gate", releaseURL(rec.Product, rec.Release) + "/gate"}}
	return s.render(w, r, http.StatusOK, "gate_decision", v)
}

func (s *Server) uiAddGateException(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, "release", "scope", "check", "subject", "approver", "reason", "expires")
	product := r.PathValue("product")
	in := exceptionInput{Check: f.Val("check"), Subject: strings.TrimSpace(f.Val("subject")), Approver: f.Val("approver"), Reason: f.Val("reason"), Expires: f.Val("expires")}
	if f.Val("scope") != "product" {
		in.Release = f.Val("release")
	}
	x, err := exceptionOf(product, in)
	if err == nil {
		err = s.db.AddGateException(r.Context(), actorOf(r, "ui"), x)
	}
	if err != nil {
		if !isUserError(err) || f.Val("release") == "" {
			return err
		}
		r.SetPathValue("version", f.Val("release"))
		return s.renderGate(w, r, f.fail(err), f, nil, nil)
	}
	back := productURL(product)
	if f.Val("release") != "" {
		back = releaseURL(product, f.Val("release")) + "/gate"
	}
	return s.redirectFlash(w, r, back, "exception-added")
}

func (s *Server) uiRevokeGateException(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeGateException(r.Context(), actorOf(r, "ui"), id); err != nil {
		return err
	}
	back := s.formValue(r, "back")
	if !strings.HasPrefix(back, "/products/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	return s.redirectFlash(w, r, back, "exception-revoked")
}

func (s *Server) uiSetGatePolicy(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, "policy", "release")
	product := r.PathValue("product")
	err := s.es.SetPolicy(r.Context(), actorOf(r, "ui"), product, "policy", []byte(f.Val("policy")))
	if err != nil {
		if !isUserError(err) || f.Val("release") == "" {
			return err
		}
		r.SetPathValue("version", f.Val("release"))
		return s.renderGate(w, r, f.fail(err), nil, f, nil)
	}
	back := productURL(product)
	if f.Val("release") != "" {
		back = releaseURL(product, f.Val("release")) + "/gate"
	}
	flash := "gate-policy-saved"
	if strings.TrimSpace(f.Val("policy")) == "" {
		flash = "gate-policy-cleared"
	}
	return s.redirectFlash(w, r, back, flash)
}
