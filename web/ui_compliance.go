package web

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/compliance"
	"github.com/cradle-sdl/cradle/store"
)

// Compliance pages: the portfolio matrix (GET /compliance), a product's
// compliance page and the organisation's (its process requirements), and
// the catalogues. The pages offer what api_compliance.go offers, through
// the same service and store calls, and work without JavaScript: every
// requirement's forms are on the page, folded; a form that fails comes
// back unfolded with its errors at the fields.

var complianceUIPages = []string{"compliance", "compliance_scope", "compliance_catalogs"}

func (s *Server) complianceUIRoutes() []route {
	const prod = "/products/{product}/compliance"
	const rel = "/products/{product}/releases/{version}/compliance"
	const org = "/compliance/organisation"
	return []route{
		{"GET /compliance", cradle.PermRead, true, s.uiComplianceMatrix},
		{"GET " + org, cradle.PermRead, true, s.uiComplianceScope},
		{"POST " + org + "/requirements/{requirement}/assessment", cradle.PermAssess, true, s.uiAssess},
		{"POST " + org + "/requirements/{requirement}/evidence", cradle.PermEvidence, true, s.uiAddEvidence},
		{"POST " + org + "/practices/{practice}/maturity", cradle.PermAssess, true, s.uiSetMaturity},

		{"GET " + prod, cradle.PermRead, true, s.uiComplianceScope},
		{"POST " + prod + "/scope", cradle.PermAssess, true, s.uiSetScope},
		{"POST " + prod + "/requirements/{requirement}/assessment", cradle.PermAssess, true, s.uiAssess},
		{"POST " + prod + "/requirements/{requirement}/applicability", cradle.PermAssess, true, s.uiSetApplicability},
		{"POST " + prod + "/requirements/{requirement}/evidence", cradle.PermEvidence, true, s.uiAddEvidence},
		{"POST " + prod + "/practices/{practice}/maturity", cradle.PermAssess, true, s.uiSetMaturity},

		{"GET " + rel, cradle.PermRead, true, s.uiComplianceScope},
		{"POST " + rel + "/requirements/{requirement}/assessment", cradle.PermAssess, true, s.uiAssess},
		{"POST " + rel + "/requirements/{requirement}/evidence", cradle.PermEvidence, true, s.uiAddEvidence},
		{"POST " + rel + "/practices/{practice}/maturity", cradle.PermAssess, true, s.uiSetMaturity},

		{"POST /evidence/{id}/remove", cradle.PermAssess, true, s.uiRemoveEvidence},
		{"GET /catalogs", cradle.PermRead, true, s.uiCatalogs},
		{"POST /catalogs", cradle.PermAssess, true, s.uiImportCatalog},
	}
}

func init() {
	addFlashes(map[string]string{
		"assessment-saved":    "Assessment saved.",
		"evidence-added":      "Evidence added.",
		"evidence-removed":    "Evidence removed. The audit trail keeps it.",
		"applicability-saved": "Applicability saved.",
		"scope-saved":         "SDL scope decision saved.",
		"maturity-saved":      "Maturity override saved.",
		"maturity-cleared":    "Maturity override cleared: the computed level applies.",
		"catalog-imported":    "Catalogue imported.",
		"crosswalk-imported":  "Cross-walk imported.",
	})
}

// Permission checks for the templates (the route table enforces them).
func (b *base) CanAssess() bool      { return b.can(cradle.PermAssess) }
func (b *base) CanAddEvidence() bool { return b.can(cradle.PermEvidence) }

// statusLabel names an assessment status.
func statusLabel(s string) string {
	switch s {
	case cradle.StatusNotStarted:
		return "Not started"
	case cradle.StatusPartial:
		return "Partial"
	case cradle.StatusMet:
		return "Met"
	case cradle.StatusNotApplicable:
		return "Not applicable"
	}
	return s
}

// StatusLabel names an assessment status.
func (b *base) StatusLabel(s string) string { return statusLabel(s) }

// MaturityName names a maturity level ("ML2 Managed").
func (b *base) MaturityName(level int) string { return maturityName(level) }

func maturityName(level int) string {
	if level == 0 {
		return "Not applicable"
	}
	return "ML" + strconv.Itoa(level) + " " + cradle.MaturityNames[level]
}

// uiCatalogParam is the catalogue a page or form names (?catalog= or the
// form's hidden field), IEC 62443-4-1:2018 by default.
func (s *Server) uiCatalogParam(r *http.Request) string {
	if c := strings.TrimSpace(s.formValue(r, "catalog")); c != "" {
		return c
	}
	return catalog.IEC62443_4_1
}

// withCatalog adds ?catalog= to a page URL unless it is the default.
func withCatalog(u, catalogID string) string {
	if catalogID == "" || catalogID == catalog.IEC62443_4_1 {
		return u
	}
	return u + "?catalog=" + url.QueryEscape(catalogID)
}

// The matrix: GET /compliance.

type matrixView struct {
	base
	Matrix      *Matrix
	Catalogs    []CatalogSummary
	CatalogID   string
	Query       string
	Class       string
	FilterError string
	Org         matrixRowView
	Rows        []matrixRowView
	Summary     []practiceSummary
	Total       int // products before the filter
	APIURL      string
}

// Active reports whether the filter narrows the products.
func (v *matrixView) Active() bool { return v.Query != "" || v.Class != "" }

type matrixRowView struct {
	MatrixRow
	URL   string
	Cells []cellView
	Met   int
	Reqs  int // applicable requirements
}

type cellView struct {
	Class, Label, Title, Mix string
}

// practiceSummary is a column's footer: how many products reach each level.
type practiceSummary struct {
	ID      string
	AtLeast int // products at ML3 or above
	Below   int
}

func cellOf(p MatrixPractice, c MatrixCell) cellView {
	if !c.Assessed {
		return cellView{Class: "ml ml-none", Label: "—", Title: p.ID + " " + p.Title + ": no requirement of this practice is in this scope"}
	}
	applicable := 0
	for st, n := range c.Counts {
		if st != cradle.StatusNotApplicable {
			applicable += n
		}
	}
	v := cellView{Class: "ml ml-" + strconv.Itoa(c.Level), Label: "ML" + strconv.Itoa(c.Level)}
	if c.Level == 0 {
		v.Label = "n/a"
	}
	if applicable > 0 {
		v.Mix = strconv.Itoa(c.Counts[cradle.StatusMet]) + "/" + strconv.Itoa(applicable)
	}
	var parts []string
	for _, st := range cradle.AssessmentStatuses {
		if n := c.Counts[st]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+strings.ToLower(statusLabel(st)))
		}
	}
	v.Title = p.ID + " " + p.Title + ": " + maturityName(c.Level) + " · " + strings.Join(parts, ", ")
	if c.Overridden {
		v.Class += " ml-override"
		v.Label += "*"
		v.Title += " · set by a person; the rule gives " + maturityName(c.Computed)
	}
	return v
}

func rowViewOf(m *Matrix, row MatrixRow, u string) matrixRowView {
	rv := matrixRowView{MatrixRow: row, URL: u}
	for i, c := range row.Cells {
		rv.Cells = append(rv.Cells, cellOf(m.Practices[i], c))
	}
	for st, n := range row.Counts {
		if st != cradle.StatusNotApplicable {
			rv.Reqs += n
		}
	}
	rv.Met = row.Counts[cradle.StatusMet]
	return rv
}

func (s *Server) uiComplianceMatrix(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	v := &matrixView{CatalogID: s.uiCatalogParam(r), Query: strings.TrimSpace(q.Get("q")), Class: q.Get("cra_class")}
	v.Title, v.Nav = "Compliance", "compliance"
	status := http.StatusOK
	list, err := s.catalogList(ctx)
	if err != nil {
		return err
	}
	v.Catalogs = list.Items
	f, err := matrixFilterOf(r)
	if err != nil {
		v.FilterError, status = problemsText(err), http.StatusBadRequest
		f = matrixFilter{Query: v.Query}
	}
	m, err := s.matrix(ctx, v.CatalogID, f)
	if err != nil {
		return err
	}
	v.Matrix, v.CatalogID = m, m.CatalogID
	_, v.Total, err = s.db.ListProducts(ctx, cradle.Page{PerPage: 1})
	if err != nil {
		return err
	}
	v.Org = rowViewOf(m, m.Organisation, withCatalog("/compliance/organisation", m.CatalogID))
	for _, row := range m.Products {
		v.Rows = append(v.Rows, rowViewOf(m, row, withCatalog(productURL(row.Product)+"/compliance", m.CatalogID)))
	}
	for i, p := range m.Practices {
		ps := practiceSummary{ID: p.ID}
		for _, row := range m.Products {
			if c := row.Cells[i]; c.Assessed && c.Level > 0 {
				if c.Level >= 3 {
					ps.AtLeast++
				} else {
					ps.Below++
				}
			}
		}
		v.Summary = append(v.Summary, ps)
	}
	api := url.Values{"catalog": {m.CatalogID}}
	if f.Query != "" {
		api.Set("q", f.Query)
	}
	if f.Class != "" {
		api.Set("cra_class", string(f.Class))
	}
	v.APIURL = "/api/v1/compliance/matrix?" + api.Encode()
	return s.render(w, r, status, "compliance", v)
}

// A scope's page: GET /products/{product}/compliance and
// GET /compliance/organisation.

type scopeView struct {
	base
	Kind        string // organisation, product or release
	Product     *cradle.Product
	Release     *cradle.Release   // a release's page
	Releases    []*cradle.Release // a product's page: links to each release's
	Status      *compliance.Status
	Catalogs    []CatalogSummary
	CatalogID   string
	Base        string // the page's path; forms post below it
	PageURL     string // with ?catalog=
	APIURL      string
	Decision    *store.ProductScope
	ScopeForm   *form
	ScopeOpen   bool
	Counts      []statusCount
	Evidence    struct{ Fresh, Stale, Broken int }
	Practices   []*practiceView
	Gaps        []gapView
	Chart       *historyChart
	Rule        []string
	Today       string
	RecordTypes []string
}

// IsProduct reports whether the page is a product's.
func (v *scopeView) IsProduct() bool { return v.Kind == cradle.ScopeProduct }

// IsRelease reports whether the page is one release's.
func (v *scopeView) IsRelease() bool { return v.Kind == cradle.ScopeRelease }

type practiceView struct {
	compliance.PracticeStatus
	Reqs []*reqView
	Form *form // the override form
	Open bool
	Path string // the override form's action
}

// Field is a field of the practice's override form, with ids of its own.
func (p *practiceView) Field(f *form, name, label, typ, hint string, flags ...string) fieldView {
	v := fieldOf(f, name, label, typ, hint, flags...)
	v.ID += "-p-" + p.ID
	return v
}

type reqView struct {
	compliance.ReqStatus
	Key       string // the requirement's anchor
	Path      string // its forms post below it
	Assess    *form
	Appl      *form
	Add       *form // the add-evidence form
	Open      bool
	ReviewDue bool
	Items     []evidenceView
	Derived   []derivedView
}

// Field is a field of one of the requirement's forms, with ids of its own.
func (rv *reqView) Field(f *form, name, label, typ, hint string, flags ...string) fieldView {
	v := fieldOf(f, name, label, typ, hint, flags...)
	v.ID += "-" + rv.Key
	return v
}

// StatusOptions are the choices of the assessment form's status field.
func (rv *reqView) StatusOptions() []option {
	return optionsOf(cradle.AssessmentStatuses, statusLabel, rv.Assess.Val("status"))
}

type evidenceView struct {
	cradle.Evidence
	Link string // where it can be read: the file download, the URL, the record's page
}

// ValidUntil is the last day the evidence counts (UTC), as the form asks
// for it: an expiry at midnight ends the day before.
func (e evidenceView) ValidUntil() string {
	if e.ExpiresAt.IsZero() {
		return ""
	}
	return e.ExpiresAt.Add(-time.Nanosecond).UTC().Format(cradle.DateLayout)
}

type derivedView struct {
	compliance.Derived
	Links []recordLink
}

type recordLink struct{ Label, URL string }

// recordURL is the page of a cradle record evidence links to, "" when it
// has none of its own.
func recordURL(typ, ref string) string {
	switch typ {
	case "advisory":
		return "/advisories/" + pathEscape(ref)
	case "case":
		return "/cases/" + pathEscape(ref)
	case "security_update":
		return "/updates"
	case "release":
		if p, v, ok := strings.Cut(ref, "@"); ok {
			return releaseURL(p, v)
		}
	}
	return ""
}

// derivedLink links the records derived evidence names ("advisory:X",
// "CASE-3"); the others are shown as text.
func derivedLink(rec string) recordLink {
	if id, ok := strings.CutPrefix(rec, "advisory:"); ok {
		return recordLink{rec, "/advisories/" + pathEscape(id)}
	}
	// Product names and versions never contain "/": the split is exact.
	if ref, ok := strings.CutPrefix(rec, "threat_model:"); ok {
		if p, v, ok := strings.Cut(ref, "/"); ok {
			return recordLink{"threat model " + p + " version " + v, productURL(p) + "/threat-model?version=" + url.QueryEscape(v)}
		}
	}
	if ref, ok := strings.CutPrefix(rec, "results:"); ok {
		if p, v, ok := strings.Cut(ref, "/"); ok {
			return recordLink{"results of " + p + " " + v, releaseURL(p, v) + "/results"}
		}
	}
	if id, ok := strings.CutPrefix(rec, "gate:"); ok {
		return recordLink{"gate decision #" + id, "/gate/decisions/" + pathEscape(id)}
	}
	if strings.HasPrefix(rec, "CASE-") && !strings.ContainsAny(rec, " :") {
		return recordLink{rec, "/cases/" + pathEscape(rec)}
	}
	return recordLink{Label: rec}
}

// gapView says what keeps a practice below ML3.
type gapView struct {
	ID, Title string
	Level     int // computed
	Effective int // with the override
	Blockers  []blocker
}

type blocker struct{ ID, Title, Key, Why string }

// reqKey is a requirement's anchor on the page (IDs are letters, digits,
// dots and dashes).
func reqKey(id string) string { return "req-" + id }

// scopeForms are the submitted forms a page shows again, by "assess:ID",
// "appl:ID", "evidence:ID", "maturity:ID" or "scope".
type scopeForms map[string]*form

func (s *Server) uiComplianceScope(w http.ResponseWriter, r *http.Request) error {
	return s.renderScope(w, r, http.StatusOK, nil)
}

func (s *Server) renderScope(w http.ResponseWriter, r *http.Request, status int, forms scopeForms) error {
	ctx := r.Context()
	kind, product := scopeOfPath(r)
	v := &scopeView{Kind: kind, CatalogID: s.uiCatalogParam(r), Today: s.cs.Now().Format(cradle.DateLayout), RecordTypes: store.RecordTypes}
	if kind == cradle.ScopeProduct {
		p, err := s.db.Product(ctx, product)
		if err != nil {
			return err
		}
		v.Product = p
		v.Base = productURL(p.Name) + "/compliance"
		v.Title = p.Name + ": compliance"
		v.Crumbs = []crumb{{"Compliance", "/compliance"}, {p.Name, productURL(p.Name)}}
		rels, _, err := s.db.ListReleases(ctx, p.Name, cradle.Page{PerPage: cradle.MaxPerPage})
		if err != nil {
			return err
		}
		v.Releases = rels
	} else if kind == cradle.ScopeRelease {
		name, version := store.SplitReleaseScope(product)
		rel, err := s.db.Release(ctx, name, version)
		if err != nil {
			return err
		}
		p, err := s.db.Product(ctx, name)
		if err != nil {
			return err
		}
		v.Product, v.Release = p, rel
		v.Base = releaseURL(name, version) + "/compliance"
		v.Title = name + " " + version + ": compliance"
		v.Crumbs = []crumb{{"Compliance", "/compliance"}, {name, productURL(name) + "/compliance"}}
	} else {
		v.Base = "/compliance/organisation"
		v.Title = "Organisation: process requirements"
		v.Crumbs = []crumb{{"Compliance", "/compliance"}}
	}
	v.Nav = "compliance"
	st, err := s.complianceStatus(ctx, kind, product, v.CatalogID)
	if err != nil {
		return err
	}
	v.Status, v.CatalogID = st, st.CatalogID
	v.PageURL = withCatalog(v.Base, st.CatalogID)
	if kind == cradle.ScopeProduct {
		v.APIURL = "/api/v1/products/" + pathEscape(product) + "/compliance?catalog=" + url.QueryEscape(st.CatalogID)
	} else if kind == cradle.ScopeRelease {
		v.APIURL = "/api/v1/products/" + pathEscape(v.Product.Name) + "/releases/" + pathEscape(v.Release.Version) + "/compliance?catalog=" + url.QueryEscape(st.CatalogID)
	} else {
		v.APIURL = "/api/v1/compliance/organisation?catalog=" + url.QueryEscape(st.CatalogID)
	}
	list, err := s.catalogList(ctx)
	if err != nil {
		return err
	}
	v.Catalogs = list.Items
	v.Rule = strings.Split(st.Rule, "\n")
	for _, k := range cradle.AssessmentStatuses {
		v.Counts = append(v.Counts, statusCount{k, st.Counts[k]})
	}

	if kind == cradle.ScopeProduct {
		scopes, err := s.db.Scopes(ctx)
		if err != nil {
			return err
		}
		if d, ok := scopes[product]; ok {
			v.Decision = &d
		}
		v.ScopeForm = forms["scope"]
		if v.ScopeForm == nil {
			v.ScopeForm = newForm(map[string]string{"in_scope": "", "justification": ""})
			if v.Decision != nil {
				v.ScopeForm.Values["in_scope"] = strconv.FormatBool(v.Decision.InScope)
				v.ScopeForm.Values["justification"] = v.Decision.Justification
			}
		} else {
			v.ScopeOpen = true
		}
	}

	reqs := map[string]*reqView{}
	for _, rs := range st.Requirements {
		rv := &reqView{ReqStatus: rs, Key: reqKey(rs.Requirement.ID), Path: v.Base + "/requirements/" + pathEscape(rs.Requirement.ID)}
		a := rs.Assessment
		rv.ReviewDue = a.ReviewDate != "" && a.ReviewDate < v.Today && rs.Applies
		rv.Assess = forms["assess:"+rs.Requirement.ID]
		if rv.Assess == nil {
			rv.Assess = newForm(map[string]string{"status": a.Status, "owner": a.Owner, "review_date": a.ReviewDate, "notes": a.Notes})
		} else {
			rv.Open = true
		}
		rv.Appl = forms["appl:"+rs.Requirement.ID]
		if rv.Appl == nil {
			rv.Appl = newForm(map[string]string{"applies": strconv.FormatBool(rs.Applies), "justification": rs.Applicability})
		} else {
			rv.Open = true
		}
		rv.Add = forms["evidence:"+rs.Requirement.ID]
		if rv.Add == nil {
			rv.Add = newForm(evidenceFormValues(nil))
		} else {
			rv.Open = true
		}
		for _, e := range a.Evidence {
			ev := evidenceView{Evidence: e}
			switch e.Kind {
			case cradle.EvidenceFile:
				ev.Link = "/api/v1/evidence/" + strconv.FormatInt(e.ID, 10) + "/file"
			case cradle.EvidenceURL:
				ev.Link = e.URL
			case cradle.EvidenceRecord:
				if !e.Broken {
					ev.Link = recordURL(e.RecordType, e.RecordRef)
				}
			}
			rv.Items = append(rv.Items, ev)
			switch {
			case e.Broken:
				v.Evidence.Broken++
			case e.Stale:
				v.Evidence.Stale++
			default:
				v.Evidence.Fresh++
			}
		}
		for _, d := range rs.Derived {
			dv := derivedView{Derived: d}
			for _, rec := range d.Records {
				dv.Links = append(dv.Links, derivedLink(rec))
			}
			rv.Derived = append(rv.Derived, dv)
		}
		reqs[rs.Requirement.ID] = rv
	}
	placed := map[string]bool{}
	for _, ps := range st.Practices {
		pv := &practiceView{PracticeStatus: ps, Path: v.Base + "/practices/" + pathEscape(ps.ID)}
		for _, id := range ps.Requirements {
			pv.Reqs = append(pv.Reqs, reqs[id])
			placed[id] = true
		}
		pv.Form = forms["maturity:"+ps.ID]
		if pv.Form == nil {
			pv.Form = newForm(map[string]string{"level": "", "rationale": ""})
			if ps.Override != nil {
				pv.Form.Values["level"] = strconv.Itoa(ps.Override.Level)
				pv.Form.Values["rationale"] = ps.Override.Rationale
			}
		} else {
			pv.Open = true
		}
		v.Practices = append(v.Practices, pv)
		if g := gapOf(ps, reqs); g != nil {
			v.Gaps = append(v.Gaps, *g)
		}
	}
	// Requirements outside every practice (CRA Annex VI) get a section
	// of their own, so that none is left off the page.
	var loose []*reqView
	for _, rs := range st.Requirements {
		if !placed[rs.Requirement.ID] {
			loose = append(loose, reqs[rs.Requirement.ID])
		}
	}
	if len(loose) > 0 {
		v.Practices = append(v.Practices, &practiceView{PracticeStatus: compliance.PracticeStatus{ID: "", Title: "Not filed under a practice"}, Reqs: loose})
	}
	hist, err := s.db.MaturityHistory(ctx, kind, product, st.CatalogID)
	if err != nil {
		return err
	}
	v.Chart = newHistoryChart(hist, st.Practices)
	return s.render(w, r, status, "compliance_scope", v)
}

// gapOf lists what keeps a practice below ML3 under the maturity rule:
// applicable requirements not met, and met ones without current evidence.
func gapOf(ps compliance.PracticeStatus, reqs map[string]*reqView) *gapView {
	if ps.Computed.Level == 0 || ps.Computed.Level >= 3 {
		return nil
	}
	g := &gapView{ID: ps.ID, Title: ps.Title, Level: ps.Computed.Level, Effective: ps.Level}
	for _, id := range ps.Requirements {
		rv := reqs[id]
		if rv == nil || !rv.Applies {
			continue
		}
		b := blocker{ID: id, Title: rv.Requirement.Title, Key: rv.Key}
		switch st := rv.Assessment.Status; {
		case st != cradle.StatusMet:
			b.Why = strings.ToLower(statusLabel(st))
		case rv.Fresh == 0:
			b.Why = "met, without current evidence"
			var more []string
			if rv.Stale > 0 {
				more = append(more, fmt.Sprintf("%d stale", rv.Stale))
			}
			if rv.ReqStatus.Broken > 0 {
				more = append(more, fmt.Sprintf("%d linking to a record that no longer exists", rv.ReqStatus.Broken))
			}
			if len(more) > 0 {
				b.Why += " (" + strings.Join(more, ", ") + ")"
			}
		default:
			continue
		}
		g.Blockers = append(g.Blockers, b)
	}
	return g
}

func evidenceFormValues(f *form) map[string]string {
	out := map[string]string{"file": "", "url": "", "record_type": "", "record": "", "title": "", "expires": "", "kind": ""}
	if f != nil {
		for k := range out {
			out[k] = f.Val(k)
		}
	}
	return out
}

// The maturity history chart: a server-drawn SVG, one step line per
// practice (a level holds until the next recorded day).

type historyChart struct {
	Width, Height int
	Left, Right   int // plot area
	Top, Bottom   int
	Lines         []chartLine
	XTicks        []chartTick
	YTicks        []chartTick
	From, To      string
	Days          int
	Latest        []store.MaturityPoint // for the table beside the chart
}

type chartLine struct {
	Practice, Title, Class, Points string
	Dots                           []chartTick
}

type chartTick struct {
	X, Y   int
	Label  string
	Anchor string // text-anchor of the label
}

func newHistoryChart(hist []store.MaturityPoint, practices []compliance.PracticeStatus) *historyChart {
	if len(hist) == 0 {
		return nil
	}
	const width, height = 760, 240
	c := &historyChart{Width: width, Height: height, Left: 56, Right: width - 16, Top: 12, Bottom: height - 34}
	first, err1 := time.Parse(cradle.DateLayout, hist[0].Day)
	last, err2 := time.Parse(cradle.DateLayout, hist[len(hist)-1].Day)
	if err1 != nil || err2 != nil {
		return nil
	}
	c.From, c.To = hist[0].Day, hist[len(hist)-1].Day
	span := int(last.Sub(first).Hours() / 24)
	c.Days = span + 1
	x := func(day string) int {
		d, _ := time.Parse(cradle.DateLayout, day)
		if span == 0 {
			return (c.Left + c.Right) / 2
		}
		return c.Left + int(d.Sub(first).Hours()/24)*(c.Right-c.Left)/span
	}
	y := func(level int) int { return c.Bottom - level*(c.Bottom-c.Top)/4 }
	for l := 0; l <= 4; l++ {
		c.YTicks = append(c.YTicks, chartTick{X: c.Left, Y: y(l), Label: "ML" + strconv.Itoa(l)})
	}
	ticks := min(c.Days, 6)
	for i := 0; i < ticks; i++ {
		d := first
		if ticks > 1 {
			d = first.AddDate(0, 0, i*span/(ticks-1))
		}
		day := d.Format(cradle.DateLayout)
		anchor := "middle"
		switch {
		case ticks > 1 && i == 0:
			anchor = "start"
		case ticks > 1 && i == ticks-1:
			anchor = "end"
		}
		c.XTicks = append(c.XTicks, chartTick{X: x(day), Y: c.Bottom, Label: day, Anchor: anchor})
	}
	byPractice := map[string][]store.MaturityPoint{}
	var order []string
	for _, p := range hist {
		if _, ok := byPractice[p.Practice]; !ok {
			order = append(order, p.Practice)
		}
		byPractice[p.Practice] = append(byPractice[p.Practice], p)
	}
	titles := map[string]string{}
	var known []string
	for _, p := range practices {
		titles[p.ID] = p.Title
		known = append(known, p.ID)
	}
	// The catalogue's order first, then practices no longer in it.
	slices.SortStableFunc(order, func(a, b string) int {
		ia, ib := slices.Index(known, a), slices.Index(known, b)
		if ia < 0 {
			ia = len(known)
		}
		if ib < 0 {
			ib = len(known)
		}
		return ia - ib
	})
	n := len(order)
	for i, id := range order {
		pts := byPractice[id]
		// Lines on the same level are drawn a little apart.
		off := int(math.Round((float64(i) - float64(n-1)/2) * 2.5))
		var b strings.Builder
		line := chartLine{Practice: id, Title: titles[id], Class: "hl hl-" + strconv.Itoa(i%8)}
		prevY := 0
		for j, p := range pts {
			px, py := x(p.Day), y(p.Level)+off
			if j > 0 {
				fmt.Fprintf(&b, " %d,%d", px, prevY)
			}
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%d,%d", px, py)
			prevY = py
			line.Dots = append(line.Dots, chartTick{X: px, Y: py, Label: p.Day + ": ML" + strconv.Itoa(p.Level)})
		}
		line.Points = b.String()
		c.Lines = append(c.Lines, line)
		c.Latest = append(c.Latest, pts[len(pts)-1])
	}
	return c
}

// Writes.

// uiRequirement is the scope, catalogue and requirement a form posts to;
// the requirement must be in the catalogue.
func (s *Server) uiRequirement(r *http.Request) (kind, product string, c *catalog.Catalog, req *catalog.Requirement, err error) {
	kind, product = scopeOfPath(r)
	if kind == cradle.ScopeProduct {
		if _, err := s.db.Product(r.Context(), product); err != nil {
			return "", "", nil, nil, err
		}
	}
	if kind == cradle.ScopeRelease {
		if _, err := s.db.Release(r.Context(), r.PathValue("product"), r.PathValue("version")); err != nil {
			return "", "", nil, nil, err
		}
	}
	c, req, err = s.requirementIn(r.Context(), s.uiCatalogParam(r), r.PathValue("requirement"))
	return kind, product, c, req, err
}

// backToScope redirects to the scope's page at an anchor, with a flash.
func (s *Server) backToScope(w http.ResponseWriter, r *http.Request, catalogID, anchor, flash string) error {
	kind, product := scopeOfPath(r)
	u := "/compliance/organisation"
	switch kind {
	case cradle.ScopeProduct:
		u = productURL(product) + "/compliance"
	case cradle.ScopeRelease:
		u = releaseURL(r.PathValue("product"), r.PathValue("version")) + "/compliance"
	}
	u = withCatalog(u, catalogID)
	if anchor != "" {
		u += "#" + anchor
	}
	return s.redirectFlash(w, r, u, flash)
}

func (s *Server) uiAssess(w http.ResponseWriter, r *http.Request) error {
	kind, product, c, req, err := s.uiRequirement(r)
	if err != nil {
		return err
	}
	f := s.readForm(r, "status", "owner", "review_date", "notes")
	a := assessmentOf(kind, product)
	a.CatalogID, a.Requirement = c.ID, req.ID
	a.Status, a.Owner, a.ReviewDate, a.Notes = strings.TrimSpace(f.Val("status")), f.Val("owner"), strings.TrimSpace(f.Val("review_date")), f.Val("notes")
	if a.Status == "" {
		// An empty status would be saved as not started: a form always
		// sends one, so an empty one is a mistake to show.
		err = cradle.Invalid("invalid assessment", cradle.Problem{Location: "status", Message: "is required"})
	} else {
		err = s.cs.Assess(r.Context(), actorOf(r, "ui"), a)
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderScope(w, r, f.fail(err), scopeForms{"assess:" + req.ID: f})
	}
	return s.backToScope(w, r, c.ID, reqKey(req.ID), "assessment-saved")
}

func (s *Server) uiSetApplicability(w http.ResponseWriter, r *http.Request) error {
	_, product, c, req, err := s.uiRequirement(r)
	if err != nil {
		return err
	}
	f := s.readForm(r, "applies", "justification")
	var applies bool
	switch f.Val("applies") {
	case "true":
		applies = true
	case "false":
	default:
		err = cradle.Invalid("invalid applicability", cradle.Problem{Location: "applies", Message: "is required: choose whether the requirement applies"})
	}
	if err == nil {
		err = s.db.SetApplicability(r.Context(), actorOf(r, "ui"), &store.Applicability{Product: product, CatalogID: c.ID, Requirement: req.ID,
			Applies: applies, Justification: f.Val("justification")})
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderScope(w, r, f.fail(err), scopeForms{"appl:" + req.ID: f})
	}
	return s.backToScope(w, r, c.ID, reqKey(req.ID), "applicability-saved")
}

func (s *Server) uiAddEvidence(w http.ResponseWriter, r *http.Request) error {
	if err := s.parseForm(r); err != nil {
		return err
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	kind, product, c, req, err := s.uiRequirement(r)
	if err != nil {
		return err
	}
	f := s.readForm(r, "url", "record_type", "record", "title", "expires")
	f.Values["file"], f.Values["kind"] = "", ""
	e := &cradle.Evidence{Title: f.Val("title")}
	var file *store.EvidenceFile
	if r.MultipartForm != nil {
		file, err = readEvidenceFile(r.MultipartForm.File, s.evidenceLimit())
	}
	if err == nil {
		err = evidenceFromForm(f, e, file)
	}
	if err == nil {
		err = s.cs.AddEvidence(r.Context(), actorOf(r, "ui"), kind, product, c.ID, req.ID, e, file)
	}
	if err != nil {
		if !isUserError(err) && cradle.ErrorCode(err) != cradle.ETooLarge {
			return err
		}
		return s.renderScope(w, r, f.fail(err), scopeForms{"evidence:" + req.ID: f})
	}
	return s.backToScope(w, r, c.ID, reqKey(req.ID), "evidence-added")
}

// evidenceFromForm reads the add-evidence form: exactly one of a file, a
// link or a record, with an optional title and expiry date.
func evidenceFromForm(f *form, e *cradle.Evidence, file *store.EvidenceFile) error {
	var given []string
	if file != nil {
		given = append(given, cradle.EvidenceFile)
	}
	if strings.TrimSpace(f.Val("url")) != "" {
		given = append(given, cradle.EvidenceURL)
	}
	if strings.TrimSpace(f.Val("record")) != "" {
		given = append(given, cradle.EvidenceRecord)
	}
	var probs []cradle.Problem
	switch len(given) {
	case 0:
		probs = append(probs, cradle.Problem{Location: "kind", Message: "Give a file, a link or a cradle record."})
	case 1:
		e.Kind = given[0]
	default:
		probs = append(probs, cradle.Problem{Location: "kind", Message: "Give one piece of evidence at a time: found a " + strings.Join(given, " and a ") + "."})
	}
	e.URL, e.RecordType, e.RecordRef = strings.TrimSpace(f.Val("url")), f.Val("record_type"), strings.TrimSpace(f.Val("record"))
	exp, p := evidenceExpiry(f.Val("expires"))
	if p != nil {
		probs = append(probs, *p)
	}
	e.ExpiresAt = exp
	if len(probs) > 0 {
		return cradle.Invalid("invalid evidence", probs...)
	}
	return nil
}

func (s *Server) uiRemoveEvidence(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RemoveEvidence(r.Context(), actorOf(r, "ui"), id); err != nil {
		return err
	}
	return s.redirectFlash(w, r, backTo(r, "/compliance"), "evidence-removed")
}

func (s *Server) uiSetScope(w http.ResponseWriter, r *http.Request) error {
	product := r.PathValue("product")
	if _, err := s.db.Product(r.Context(), product); err != nil {
		return err
	}
	f := s.readForm(r, "in_scope", "justification")
	sc := &store.ProductScope{Product: product, Justification: f.Val("justification")}
	var err error
	switch f.Val("in_scope") {
	case "true":
		sc.InScope = true
	case "false":
	default:
		err = cradle.Invalid("invalid scope", cradle.Problem{Location: "in_scope", Message: "is required: choose whether the SDL covers the product"})
	}
	if err == nil {
		err = s.db.SetScope(r.Context(), actorOf(r, "ui"), sc)
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderScope(w, r, f.fail(err), scopeForms{"scope": f})
	}
	return s.backToScope(w, r, s.uiCatalogParam(r), "sdl-scope", "scope-saved")
}

func (s *Server) uiSetMaturity(w http.ResponseWriter, r *http.Request) error {
	kind, product := scopeOfPath(r)
	if kind == cradle.ScopeProduct {
		if _, err := s.db.Product(r.Context(), product); err != nil {
			return err
		}
	}
	c, err := s.cs.Catalog(r.Context(), s.uiCatalogParam(r))
	if err != nil {
		return err
	}
	g, err := practiceIn(c, r.PathValue("practice"))
	if err != nil {
		return err
	}
	f := s.readForm(r, "level", "rationale")
	level, convErr := strconv.Atoi(strings.TrimSpace(f.Val("level")))
	if convErr != nil {
		err = cradle.Invalid("invalid override", cradle.Problem{Location: "level", Message: "is required: choose a level, or “computed” to clear the override"})
	} else {
		err = s.db.SetMaturityOverride(r.Context(), actorOf(r, "ui"), kind, product, c.ID, &store.MaturityOverride{Practice: g.ID, Level: level, Rationale: f.Val("rationale")})
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderScope(w, r, f.fail(err), scopeForms{"maturity:" + g.ID: f})
	}
	flash := "maturity-saved"
	if level == 0 {
		flash = "maturity-cleared"
	}
	return s.backToScope(w, r, c.ID, "practice-"+g.ID, flash)
}

// Catalogues: GET /catalogs, POST /catalogs.

type catalogsView struct {
	base
	List *CatalogList
	Form *form
}

func (s *Server) uiCatalogs(w http.ResponseWriter, r *http.Request) error {
	return s.renderCatalogs(w, r, http.StatusOK, newForm(map[string]string{"file": ""}))
}

func (s *Server) renderCatalogs(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	list, err := s.catalogList(r.Context())
	if err != nil {
		return err
	}
	v := &catalogsView{List: list, Form: f}
	v.Title, v.Nav = "Catalogues", "compliance"
	v.Crumbs = []crumb{{"Compliance", "/compliance"}}
	return s.render(w, r, status, "compliance_catalogs", v)
}

func (s *Server) uiImportCatalog(w http.ResponseWriter, r *http.Request) error {
	if err := s.parseForm(r); err != nil {
		return err
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	f := newForm(map[string]string{"file": ""})
	res, err := s.uiReadCatalog(r.Context(), r, actorOf(r, "ui"))
	if err != nil {
		if !isUserError(err) && cradle.ErrorCode(err) != cradle.ETooLarge {
			return err
		}
		return s.renderCatalogs(w, r, f.fail(err), f)
	}
	if res.Kind == "crosswalk" {
		return s.redirectFlash(w, r, "/catalogs#crosswalks", "crosswalk-imported")
	}
	return s.redirectFlash(w, r, withCatalog("/compliance", res.ID), "catalog-imported")
}

func (s *Server) uiReadCatalog(ctx context.Context, r *http.Request, actor cradle.Actor) (*CatalogImport, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 || r.MultipartForm.File["file"][0].Filename == "" {
		return nil, cradle.Invalid("no file", cradle.Problem{Location: "file", Message: "is required: choose a catalogue or cross-walk JSON file"})
	}
	fh := r.MultipartForm.File["file"][0]
	if fh.Size > catalogMaxSize {
		return nil, &cradle.Error{Code: cradle.ETooLarge, Message: "the file is too large",
			Problems: []cradle.Problem{{Location: "file", Message: "must be at most " + byteSize(catalogMaxSize)}}}
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, catalogMaxSize+1))
	if err != nil {
		return nil, err
	}
	return s.importCatalog(ctx, actor, fh.Filename, data)
}
