package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/compliance"
	"github.com/cradle-sdl/cradle/store"
)

// Compliance API: the catalogues (IEC 62443-4-1, the CRA, imported ones),
// a scope's status against a catalogue (assessments with their evidence,
// derived evidence, maturity per practice), the portfolio matrix, and the
// writes: assessments, evidence, the SDL scope decision (SM-3),
// applicability (SM-5) and maturity overrides. Organisation requirements
// are assessed once for every product: writing one through a product's
// path writes the organisation's assessment (compliance.Service.Assess).

func (s *Server) complianceAPIRoutes() []route {
	const prod = "/api/v1/products/{product}"
	const rel = prod + "/releases/{version}"
	const org = "/api/v1/compliance/organisation"
	return []route{
		{"GET /api/v1/catalogs", cradle.PermRead, false, s.apiListCatalogs},
		{"POST /api/v1/catalogs", cradle.PermAssess, false, s.apiImportCatalog},
		{"GET /api/v1/catalogs/{id}", cradle.PermRead, false, s.apiGetCatalog},
		{"GET /api/v1/catalogs/{id}/oscal", cradle.PermRead, false, s.apiCatalogOSCAL},

		{"GET /api/v1/compliance/matrix", cradle.PermRead, false, s.apiComplianceMatrix},
		{"GET " + org, cradle.PermRead, false, s.apiComplianceStatus},
		{"GET " + org + "/history", cradle.PermRead, false, s.apiMaturityHistory},
		{"PUT " + org + "/{requirement}", cradle.PermAssess, false, s.apiAssess},
		{"POST " + org + "/{requirement}/evidence", cradle.PermEvidence, false, s.apiAddEvidence},
		{"PUT " + org + "/maturity/{practice}", cradle.PermAssess, false, s.apiSetMaturity},

		{"GET " + prod + "/compliance", cradle.PermRead, false, s.apiComplianceStatus},
		{"GET " + prod + "/compliance/history", cradle.PermRead, false, s.apiMaturityHistory},
		{"PUT " + prod + "/compliance/{requirement}", cradle.PermAssess, false, s.apiAssess},
		{"POST " + prod + "/compliance/{requirement}/evidence", cradle.PermEvidence, false, s.apiAddEvidence},
		{"PUT " + prod + "/scope", cradle.PermAssess, false, s.apiSetScope},
		{"PUT " + prod + "/applicability/{requirement}", cradle.PermAssess, false, s.apiSetApplicability},
		{"PUT " + prod + "/maturity/{practice}", cradle.PermAssess, false, s.apiSetMaturity},

		{"GET " + rel + "/compliance", cradle.PermRead, false, s.apiComplianceStatus},
		{"GET " + rel + "/compliance/history", cradle.PermRead, false, s.apiMaturityHistory},
		{"PUT " + rel + "/compliance/{requirement}", cradle.PermAssess, false, s.apiAssess},
		{"POST " + rel + "/compliance/{requirement}/evidence", cradle.PermEvidence, false, s.apiAddEvidence},
		{"PUT " + rel + "/maturity/{practice}", cradle.PermAssess, false, s.apiSetMaturity},

		{"DELETE /api/v1/evidence/{id}", cradle.PermAssess, false, s.apiRemoveEvidence},
		{"GET /api/v1/evidence/{id}/file", cradle.PermRead, false, s.apiEvidenceFile},
	}
}

// scopeOfPath is the assessment scope a route names: a product when the
// path has one, else the organisation.
func scopeOfPath(r *http.Request) (kind, product string) {
	if p := r.PathValue("product"); p != "" {
		if v := r.PathValue("version"); v != "" {
			return cradle.ScopeRelease, store.ReleaseScope(p, v)
		}
		return cradle.ScopeProduct, p
	}
	return cradle.ScopeOrganisation, ""
}

// assessmentOf is an assessment of a requirement in the scope a route
// names (for a release: the product and the release's version).
func assessmentOf(kind, target string) *cradle.Assessment {
	a := &cradle.Assessment{Scope: kind, Product: target}
	if kind == cradle.ScopeRelease {
		a.Product, a.Release = store.SplitReleaseScope(target)
	}
	return a
}

// catalogQuery is ?catalog=, IEC 62443-4-1:2018 when absent. (The API
// reads the query only: r.FormValue would parse a multipart body before
// its size is bounded.)
func catalogQuery(r *http.Request) string {
	if c := strings.TrimSpace(r.URL.Query().Get("catalog")); c != "" {
		return c
	}
	return catalog.IEC62443_4_1
}

// requirementIn finds a requirement of a catalogue; an unknown one is
// not found, like any path that names nothing.
func (s *Server) requirementIn(ctx context.Context, catalogID, reqID string) (*catalog.Catalog, *catalog.Requirement, error) {
	c, err := s.cs.Catalog(ctx, catalogID)
	if err != nil {
		return nil, nil, err
	}
	req := c.Requirement(reqID)
	if req == nil {
		return c, nil, cradle.Errorf(cradle.ENotFound, "catalogue %s has no requirement %q", c.ID, reqID)
	}
	return c, req, nil
}

// practiceIn finds a practice (a top-level group) of a catalogue.
func practiceIn(c *catalog.Catalog, id string) (*catalog.Group, error) {
	if g := c.Group(id); g != nil && g.Parent == "" {
		return g, nil
	}
	var ids []string
	for _, g := range c.Groups {
		if g.Parent == "" {
			ids = append(ids, g.ID)
		}
	}
	return nil, cradle.Errorf(cradle.ENotFound, "catalogue %s has no practice %q (its practices: %s)", c.ID, id, strings.Join(ids, ", "))
}

// Catalogues.

// CatalogSummary is one catalogue in the list.
type CatalogSummary struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Version      string `json:"version"`
	Publisher    string `json:"publisher,omitempty"`
	Requirements int    `json:"requirements"`
	Practices    int    `json:"practices"` // top-level groups
	Builtin      bool   `json:"builtin"`
}

// CrosswalkSummary is one cross-walk in the list.
type CrosswalkSummary struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version string `json:"version"`
	From    string `json:"from"`
	To      string `json:"to"`
	Links   int    `json:"links"`
	Builtin bool   `json:"builtin"`
}

// CatalogList lists the catalogues and cross-walks cradle knows.
type CatalogList struct {
	Items      []CatalogSummary   `json:"items"`
	Crosswalks []CrosswalkSummary `json:"crosswalks"`
}

func (s *Server) catalogList(ctx context.Context) (*CatalogList, error) {
	cats, xs, err := s.cs.Catalogs(ctx)
	if err != nil {
		return nil, err
	}
	builtin := map[string]bool{}
	for _, c := range catalog.Builtin() {
		builtin[c.ID] = true
	}
	for _, x := range catalog.BuiltinCrosswalks() {
		builtin[x.ID] = true
	}
	out := &CatalogList{Items: []CatalogSummary{}, Crosswalks: []CrosswalkSummary{}}
	for _, c := range cats {
		n := 0
		for _, g := range c.Groups {
			if g.Parent == "" {
				n++
			}
		}
		out.Items = append(out.Items, CatalogSummary{ID: c.ID, Title: c.Title, Version: c.Version, Publisher: c.Publisher,
			Requirements: len(c.Requirements), Practices: n, Builtin: builtin[c.ID]})
	}
	for _, x := range xs {
		out.Crosswalks = append(out.Crosswalks, CrosswalkSummary{ID: x.ID, Title: x.Title, Version: x.Version, From: x.From, To: x.To,
			Links: len(x.Links), Builtin: builtin[x.ID]})
	}
	return out, nil
}

func (s *Server) apiListCatalogs(w http.ResponseWriter, r *http.Request) error {
	l, err := s.catalogList(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) apiGetCatalog(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cs.Catalog(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiCatalogOSCAL(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cs.Catalog(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	b, err := c.OSCAL(s.cs.Now())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFilename(c.ID)+`-oscal.json"`)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// catalogMaxSize bounds an imported catalogue or cross-walk file. The
// built-in IEC 62443-4-1 file is 23 KiB; a large control catalogue with
// guidance text stays well under this.
const catalogMaxSize = 8 << 20

// CatalogImport is the result of an import.
type CatalogImport struct {
	Kind     string `json:"kind"` // catalog or crosswalk
	ID       string `json:"id"`
	Replaced bool   `json:"replaced"` // an imported file with the same ID was replaced
}

// importCatalog reads and imports a catalogue or cross-walk file.
func (s *Server) importCatalog(ctx context.Context, actor cradle.Actor, name string, data []byte) (*CatalogImport, error) {
	before, err := s.catalogList(ctx)
	if err != nil {
		return nil, err
	}
	kind, id, err := s.cs.Import(ctx, actor, name, data)
	if err != nil {
		return nil, err
	}
	res := &CatalogImport{Kind: kind, ID: id}
	for _, c := range before.Items {
		res.Replaced = res.Replaced || (kind == "catalog" && c.ID == id)
	}
	for _, x := range before.Crosswalks {
		res.Replaced = res.Replaced || (kind == "crosswalk" && x.ID == id)
	}
	return res, nil
}

func (s *Server) apiImportCatalog(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, catalogMaxSize))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return cradle.Errorf(cradle.ETooLarge, "a catalogue file is at most %d MiB", catalogMaxSize>>20)
	} else if err != nil {
		return cradle.Invalid("the request body could not be read: " + err.Error())
	}
	name := strings.TrimSpace(r.URL.Query().Get("filename"))
	if name == "" {
		name = "upload.json"
	}
	res, err := s.importCatalog(r.Context(), actorOf(r, "api"), name, data)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Replaced {
		status = http.StatusOK
	}
	if res.Kind == "catalog" {
		w.Header().Set("Location", "/api/v1/catalogs/"+pathEscape(res.ID))
	}
	writeJSON(w, status, res)
	return nil
}

// Status.

// complianceStatus computes a scope's status and records today's maturity
// levels for the history chart. The history is a by-product: failing to
// record it is logged, not shown.
func (s *Server) complianceStatus(ctx context.Context, kind, product, catalogID string) (*compliance.Status, error) {
	st, err := s.cs.Status(ctx, kind, product, catalogID)
	if err != nil {
		return nil, err
	}
	if st.Requirements == nil {
		st.Requirements = []compliance.ReqStatus{}
	}
	if st.Practices == nil {
		st.Practices = []compliance.PracticeStatus{}
	}
	if err := s.cs.RecordHistory(ctx, st); err != nil {
		s.log.Warn("record maturity history", "scope", kind, "product", product, "catalog", catalogID, "err", err)
	}
	return st, nil
}

func (s *Server) apiComplianceStatus(w http.ResponseWriter, r *http.Request) error {
	kind, product := scopeOfPath(r)
	st, err := s.complianceStatus(r.Context(), kind, product, catalogQuery(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// MaturityHistory is a scope's recorded maturity levels, oldest first.
type MaturityHistory struct {
	Items []store.MaturityPoint `json:"items"`
}

func (s *Server) apiMaturityHistory(w http.ResponseWriter, r *http.Request) error {
	kind, product := scopeOfPath(r)
	c, err := s.cs.Catalog(r.Context(), catalogQuery(r))
	if err != nil {
		return err
	}
	h, err := s.db.MaturityHistory(r.Context(), kind, product, c.ID)
	if err != nil {
		return err
	}
	if h == nil {
		h = []store.MaturityPoint{}
	}
	writeJSON(w, http.StatusOK, MaturityHistory{Items: h})
	return nil
}

// Assessments.

type assessmentInput struct {
	Status     string `json:"status"`
	Owner      string `json:"owner"`
	ReviewDate string `json:"review_date"`
	Notes      string `json:"notes"`
}

// savedAssessment reads an assessment back with its evidence.
func (s *Server) savedAssessment(ctx context.Context, a *cradle.Assessment) (*cradle.Assessment, error) {
	target := a.Product
	if a.Scope == cradle.ScopeRelease {
		target = store.ReleaseScope(a.Product, a.Release)
	}
	all, err := s.db.Assessments(ctx, a.Scope, target, a.CatalogID)
	if err != nil {
		return nil, err
	}
	if got, ok := all[a.Requirement]; ok {
		return got, nil
	}
	return nil, cradle.Errorf(cradle.EInternal, "assessment of %s not found after saving it", a.Requirement)
}

func (s *Server) apiAssess(w http.ResponseWriter, r *http.Request) error {
	var in assessmentInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	kind, product := scopeOfPath(r)
	c, _, err := s.requirementIn(r.Context(), catalogQuery(r), r.PathValue("requirement"))
	if err != nil {
		return err
	}
	a := assessmentOf(kind, product)
	a.CatalogID, a.Requirement = c.ID, r.PathValue("requirement")
	a.Status, a.Owner, a.ReviewDate, a.Notes = strings.TrimSpace(in.Status), in.Owner, strings.TrimSpace(in.ReviewDate), in.Notes
	if err := s.cs.Assess(r.Context(), actorOf(r, "api"), a); err != nil {
		return err
	}
	saved, err := s.savedAssessment(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, saved)
	return nil
}

// Evidence.

// evidenceInput is evidence sent as JSON: a link or a cradle record.
// Files are sent as multipart/form-data.
type evidenceInput struct {
	Kind       string    `json:"kind"`
	URL        string    `json:"url"`
	RecordType string    `json:"record_type"`
	Record     string    `json:"record"`
	Title      string    `json:"title"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// evidenceLimit is the largest evidence file accepted: the domain's bound,
// or the server's upload limit when that is lower.
func (s *Server) evidenceLimit() int64 {
	return min(s.cfg.MaxUploadSize, cradle.EvidenceMaxSize)
}

// evidenceTooLarge is the error for an oversize file, located at the
// form's file field.
func evidenceTooLarge(limit int64) error {
	return &cradle.Error{Code: cradle.ETooLarge, Message: "the evidence file is too large",
		Problems: []cradle.Problem{{Location: "file", Message: "must be at most " + byteSize(limit)}}}
}

// evidenceExpiry reads an expiry date: a calendar date counts through its
// end (UTC); an RFC 3339 time is taken as it is.
func evidenceExpiry(v string) (time.Time, *cradle.Problem) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(cradle.DateLayout, v); err == nil {
		return d.Add(24 * time.Hour), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, &cradle.Problem{Location: "expires", Message: "must be a date (YYYY-MM-DD); found " + strconv.Quote(v)}
}

// readEvidenceFile reads the "file" part of a parsed multipart form,
// refusing one over the limit before reading it.
func readEvidenceFile(mf map[string][]*multipart.FileHeader, limit int64) (*store.EvidenceFile, error) {
	fhs := mf["file"]
	if len(fhs) == 0 || fhs[0].Size == 0 && fhs[0].Filename == "" {
		return nil, nil // no file chosen
	}
	fh := fhs[0]
	if fh.Size > limit {
		return nil, evidenceTooLarge(limit)
	}
	if fh.Size == 0 {
		return nil, cradle.Invalid("invalid evidence", cradle.Problem{Location: "file", Message: "is empty (0 bytes)"})
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, evidenceTooLarge(limit)
	}
	return &store.EvidenceFile{Filename: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: b}, nil
}

func (s *Server) apiAddEvidence(w http.ResponseWriter, r *http.Request) error {
	kind, product := scopeOfPath(r)
	reqID := r.PathValue("requirement")
	e := &cradle.Evidence{}
	var file *store.EvidenceFile
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		limit := s.evidenceLimit()
		r.Body = http.MaxBytesReader(nil, r.Body, limit+1<<20)
		err := r.ParseMultipartForm(8 << 20)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return evidenceTooLarge(limit)
		} else if err != nil {
			return cradle.Invalid("the form could not be read: " + err.Error())
		}
		defer r.MultipartForm.RemoveAll()
		if file, err = readEvidenceFile(r.MultipartForm.File, limit); err != nil {
			return err
		}
		e.Kind, e.Title = cradle.EvidenceFile, r.PostFormValue("title")
		exp, p := evidenceExpiry(r.PostFormValue("expires"))
		if p != nil {
			return cradle.Invalid("invalid evidence", *p)
		}
		e.ExpiresAt = exp
	} else {
		var in evidenceInput
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		if in.Kind == cradle.EvidenceFile {
			return cradle.Invalid("invalid evidence", cradle.Problem{Location: "kind", Message: "a file is sent as multipart/form-data with the file in a part named \"file\""})
		}
		e.Kind, e.URL, e.RecordType, e.RecordRef, e.Title, e.ExpiresAt = in.Kind, in.URL, in.RecordType, strings.TrimSpace(in.Record), in.Title, in.ExpiresAt.UTC()
		if in.ExpiresAt.IsZero() {
			e.ExpiresAt = time.Time{}
		}
	}
	c, _, err := s.requirementIn(r.Context(), catalogQuery(r), reqID)
	if err != nil {
		return err
	}
	if err := s.cs.AddEvidence(r.Context(), actorOf(r, "api"), kind, product, c.ID, reqID, e, file); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (s *Server) apiRemoveEvidence(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RemoveEvidence(r.Context(), actorOf(r, "api"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiEvidenceFile sends an evidence file as a download, whatever type the
// uploader claimed: it is never rendered in cradle's origin.
func (s *Server) apiEvidenceFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, b, err := s.db.Evidence(r.Context(), id)
	if err != nil {
		return err
	}
	if e.Kind != cradle.EvidenceFile {
		return cradle.Errorf(cradle.ENotFound, "evidence %d is a %s, not a file", id, e.Kind)
	}
	name := e.Filename
	if name == "" {
		name = "evidence-" + strconv.FormatInt(id, 10)
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// Scope, applicability, maturity overrides.

type scopeInput struct {
	InScope       *bool  `json:"in_scope"`
	Justification string `json:"justification"`
}

func (s *Server) apiSetScope(w http.ResponseWriter, r *http.Request) error {
	var in scopeInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.InScope == nil {
		return cradle.Invalid("invalid scope", cradle.Problem{Location: "in_scope", Message: "is required: true when the SDL covers the product, false when it does not"})
	}
	sc := &store.ProductScope{Product: r.PathValue("product"), InScope: *in.InScope, Justification: in.Justification}
	if err := s.db.SetScope(r.Context(), actorOf(r, "api"), sc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}

type applicabilityInput struct {
	Applies       *bool  `json:"applies"`
	Justification string `json:"justification"`
}

func (s *Server) apiSetApplicability(w http.ResponseWriter, r *http.Request) error {
	var in applicabilityInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, req, err := s.requirementIn(r.Context(), catalogQuery(r), r.PathValue("requirement"))
	if err != nil {
		return err
	}
	if in.Applies == nil {
		return cradle.Invalid("invalid applicability", cradle.Problem{Location: "applies", Message: "is required: true or false"})
	}
	a := &store.Applicability{Product: r.PathValue("product"), CatalogID: c.ID, Requirement: req.ID, Applies: *in.Applies, Justification: in.Justification}
	if err := s.db.SetApplicability(r.Context(), actorOf(r, "api"), a); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

type maturityInput struct {
	Level     *int   `json:"level"`
	Rationale string `json:"rationale"`
}

func (s *Server) apiSetMaturity(w http.ResponseWriter, r *http.Request) error {
	var in maturityInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	kind, product := scopeOfPath(r)
	c, err := s.cs.Catalog(r.Context(), catalogQuery(r))
	if err != nil {
		return err
	}
	g, err := practiceIn(c, r.PathValue("practice"))
	if err != nil {
		return err
	}
	if in.Level == nil {
		return cradle.Invalid("invalid override", cradle.Problem{Location: "level", Message: "is required: 1 to 4, or 0 to clear the override"})
	}
	o := &store.MaturityOverride{Practice: g.ID, Level: *in.Level, Rationale: in.Rationale}
	if err := s.db.SetMaturityOverride(r.Context(), actorOf(r, "api"), kind, product, c.ID, o); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// The matrix: every product's maturity per practice.

// Matrix is the portfolio's maturity per practice of one catalogue.
type Matrix struct {
	CatalogID    string           `json:"catalog"`
	CatalogTitle string           `json:"catalog_title"`
	Practices    []MatrixPractice `json:"practices"`
	Organisation MatrixRow        `json:"organisation"`
	Products     []MatrixRow      `json:"products"`
}

// MatrixPractice is a column of the matrix.
type MatrixPractice struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// MatrixRow is one scope's maturity per practice.
type MatrixRow struct {
	Product  string          `json:"product,omitempty"` // empty for the organisation
	CRAClass cradle.CRAClass `json:"cra_class,omitempty"`
	// InScope is the SM-3 decision, when one is recorded.
	InScope *bool          `json:"in_scope,omitempty"`
	Cells   []MatrixCell   `json:"cells"`  // one per practice of the matrix, in its order
	Counts  map[string]int `json:"counts"` // requirements per status
}

// MatrixCell is one practice of one scope.
type MatrixCell struct {
	Practice string `json:"practice"`
	// Assessed is false when no requirement of the practice is in the
	// scope (a practice without organisation requirements, in the
	// organisation's row); the levels are then 0.
	Assessed   bool           `json:"assessed"`
	Level      int            `json:"level"`    // the override's when set
	Computed   int            `json:"computed"` // by the maturity rule
	Overridden bool           `json:"overridden"`
	Counts     map[string]int `json:"counts"`
}

// matrixFilter narrows the matrix's products.
type matrixFilter struct {
	Query string          // part of the product name, any case
	Class cradle.CRAClass // "" for every class
}

func (f matrixFilter) match(p *cradle.Product) bool {
	if f.Class != "" && p.Class != f.Class {
		return false
	}
	return f.Query == "" || strings.Contains(strings.ToLower(p.Name), strings.ToLower(f.Query))
}

func matrixFilterOf(r *http.Request) (matrixFilter, error) {
	f := matrixFilter{Query: strings.TrimSpace(r.URL.Query().Get("q")), Class: cradle.CRAClass(r.URL.Query().Get("cra_class"))}
	if f.Class != "" && !f.Class.Valid() {
		var cs []string
		for _, c := range cradle.CRAClasses {
			cs = append(cs, string(c))
		}
		return f, cradle.Invalid("invalid filter", cradle.Problem{Location: "cra_class", Message: "must be one of " + strings.Join(cs, ", ") + "; found " + strconv.Quote(string(f.Class))})
	}
	return f, nil
}

func (s *Server) apiComplianceMatrix(w http.ResponseWriter, r *http.Request) error {
	f, err := matrixFilterOf(r)
	if err != nil {
		return err
	}
	m, err := s.matrix(r.Context(), catalogQuery(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// matrixWorkers bounds the products computed at once (the SQLite read
// pool has 8 connections).
const matrixWorkers = 8

// matrix computes every product's levels the way compliance.Status does,
// but from the assessments, applicability decisions and overrides alone:
// Status also gathers the derived evidence (findings, cases, advisories,
// the time-to-fix report, ...), which never changes a status or a level
// and costs some twenty queries per product. The rule is the same
// cradle.Maturity; TestComplianceMatrixMatchesStatus holds the two paths
// to the same levels.
func (s *Server) matrix(ctx context.Context, catalogID string, f matrixFilter) (*Matrix, error) {
	c, err := s.cs.Catalog(ctx, catalogID)
	if err != nil {
		return nil, err
	}
	lv := newLeveller(c, s.cs.Now())
	m := &Matrix{CatalogID: c.ID, CatalogTitle: c.Title, Practices: []MatrixPractice{}, Products: []MatrixRow{}}
	for _, p := range lv.practices {
		m.Practices = append(m.Practices, MatrixPractice{ID: p.group.ID, Title: p.group.Title})
	}
	org, err := s.db.Assessments(ctx, cradle.ScopeOrganisation, "", c.ID)
	if err != nil {
		return nil, err
	}
	lv.setOrganisation(org)
	orgOverrides, err := s.db.MaturityOverrides(ctx, cradle.ScopeOrganisation, "", c.ID)
	if err != nil {
		return nil, err
	}
	m.Organisation = lv.row(false, nil, nil, orgOverrides, nil)

	var products []*cradle.Product
	for pg := (cradle.Page{Number: 1, PerPage: cradle.MaxPerPage}); ; pg.Number++ {
		ps, total, err := s.db.ListProducts(ctx, pg)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if f.match(p) {
				products = append(products, p)
			}
		}
		if len(ps) == 0 || pg.Number*pg.PerPage >= total {
			break
		}
	}
	scopes, err := s.db.Scopes(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]MatrixRow, len(products))
	errs := make([]error, len(products))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(matrixWorkers, len(products)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rows[i], errs[i] = s.productRow(ctx, lv, c.ID, products[i])
			}
		}()
	}
	for i := range products {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i := range rows {
		if sc, ok := scopes[products[i].Name]; ok {
			in := sc.InScope
			rows[i].InScope = &in
		}
	}
	m.Products = rows
	return m, nil
}

func (s *Server) productRow(ctx context.Context, lv *leveller, catalogID string, p *cradle.Product) (MatrixRow, error) {
	own, err := s.db.Assessments(ctx, cradle.ScopeProduct, p.Name, catalogID)
	if err != nil {
		return MatrixRow{}, err
	}
	appl, err := s.db.ApplicabilityOf(ctx, p.Name, catalogID)
	if err != nil {
		return MatrixRow{}, err
	}
	overrides, err := s.db.MaturityOverrides(ctx, cradle.ScopeProduct, p.Name, catalogID)
	if err != nil {
		return MatrixRow{}, err
	}
	var lcErr error
	lifecycle := func() cradle.Lifecycle {
		lc, err := s.productLifecycle(ctx, p.Name)
		lcErr = err
		return lc
	}
	row := lv.row(true, own, appl, overrides, lifecycle)
	row.Product, row.CRAClass = p.Name, p.Class
	return row, lcErr
}

// productLifecycle is the most advanced lifecycle of a product's releases,
// as compliance.Status reads it for evidence freshness (SR-2's yearly
// review applies to released products).
func (s *Server) productLifecycle(ctx context.Context, product string) (cradle.Lifecycle, error) {
	rels, _, err := s.db.ListReleases(ctx, product, cradle.Page{PerPage: cradle.MaxPerPage})
	if err != nil {
		return "", err
	}
	best := cradle.LifecycleDevelopment
	for _, r := range rels {
		if r.Lifecycle == cradle.LifecycleReleased {
			return r.Lifecycle, nil
		}
		if slices.Index(cradle.Lifecycles, r.Lifecycle) > slices.Index(cradle.Lifecycles, best) {
			best = r.Lifecycle
		}
	}
	return best, nil
}

// leveller applies the maturity rule to a catalogue's practices.
type leveller struct {
	c         *catalog.Catalog
	now       time.Time
	practices []practiceCol
	top       map[string]string // requirement ID → its practice ("" for none)
	org       map[string]*cradle.Assessment
	orgFresh  map[string]int // organisation requirement → fresh evidence
	improving bool
}

type practiceCol struct {
	group *catalog.Group
	// org: the practice has organisation requirements (a column of the
	// organisation's row).
	org bool
}

func newLeveller(c *catalog.Catalog, now time.Time) *leveller {
	lv := &leveller{c: c, now: now, top: map[string]string{}}
	has := map[string]bool{}
	for i := range c.Requirements {
		r := &c.Requirements[i]
		id := r.Parent
		for n := 0; id != "" && n <= len(c.Groups); n++ {
			g := c.Group(id)
			if g == nil {
				id = ""
				break
			}
			if g.Parent == "" {
				break
			}
			id = g.Parent
		}
		lv.top[r.ID] = id
		if id != "" {
			has[id] = true
			if r.Kind == catalog.KindOrganisation {
				has["org:"+id] = true
			}
		}
	}
	for i := range c.Groups {
		g := &c.Groups[i]
		if g.Parent == "" && has[g.ID] {
			lv.practices = append(lv.practices, practiceCol{group: g, org: has["org:"+g.ID]})
		}
	}
	return lv
}

// stale reports whether evidence is too old for the requirement (its
// freshness limit), as compliance.Status marks it.
func (lv *leveller) stale(r *catalog.Requirement, e *cradle.Evidence, lifecycle func() cradle.Lifecycle) bool {
	if r.Freshness == nil || !e.AddedAt.Add(time.Duration(r.Freshness.MaxAgeDays)*24*time.Hour).Before(lv.now) {
		return false
	}
	if r.Kind != catalog.KindProduct || len(r.Freshness.Lifecycle) == 0 {
		return true
	}
	return lifecycle != nil && r.Freshness.AppliesTo(lifecycle())
}

// setOrganisation takes the organisation's assessments: their evidence
// counts for every product, and SM-13 decides whether ML4 is in reach.
func (lv *leveller) setOrganisation(org map[string]*cradle.Assessment) {
	lv.org, lv.orgFresh = org, map[string]int{}
	for i := range lv.c.Requirements {
		r := &lv.c.Requirements[i]
		a := org[r.ID]
		if r.Kind != catalog.KindOrganisation || a == nil {
			continue
		}
		for j := range a.Evidence {
			e := &a.Evidence[j]
			if lv.stale(r, e, nil) {
				e.Stale = true
			}
			if e.Fresh() {
				lv.orgFresh[r.ID]++
			}
		}
	}
	if sm13, ok := org["SM-13"]; ok && lv.c.Requirement("SM-13") != nil && sm13.Status == cradle.StatusMet {
		for _, e := range sm13.Evidence {
			if e.Fresh() && e.AddedAt.After(lv.now.AddDate(-1, 0, 0)) {
				lv.improving = true
			}
		}
	}
}

// row computes one scope's cells: a product's (product requirements from
// own, organisation ones from the organisation) or the organisation's.
func (lv *leveller) row(product bool, own map[string]*cradle.Assessment, appl map[string]store.Applicability,
	overrides map[string]store.MaturityOverride, lifecycle func() cradle.Lifecycle) MatrixRow {
	var lc *cradle.Lifecycle
	cached := func() cradle.Lifecycle {
		if lc == nil {
			l := lifecycle()
			lc = &l
		}
		return *lc
	}
	if lifecycle == nil {
		cached = nil
	}
	row := MatrixRow{Counts: map[string]int{}}
	states := map[string][]cradle.ReqState{}
	counts := map[string]map[string]int{}
	for i := range lv.c.Requirements {
		r := &lv.c.Requirements[i]
		var a *cradle.Assessment
		fresh := 0
		if r.Kind == catalog.KindProduct {
			if !product {
				continue
			}
			a = own[r.ID]
			if a != nil {
				for j := range a.Evidence {
					e := &a.Evidence[j]
					if e.Fresh() && !lv.stale(r, e, cached) {
						fresh++
					}
				}
			}
		} else {
			a, fresh = lv.org[r.ID], lv.orgFresh[r.ID]
		}
		status := cradle.StatusNotStarted
		if a != nil {
			status = a.Status
		}
		applies := true
		if ap, ok := appl[r.ID]; ok {
			applies = ap.Applies
		}
		if !applies || status == cradle.StatusNotApplicable {
			status = cradle.StatusNotApplicable
		}
		row.Counts[status]++
		p := lv.top[r.ID]
		if p == "" {
			continue
		}
		if counts[p] == nil {
			counts[p] = map[string]int{}
		}
		counts[p][status]++
		states[p] = append(states[p], cradle.ReqState{ID: r.ID, Status: status, Fresh: fresh})
	}
	row.Cells = []MatrixCell{}
	for _, pc := range lv.practices {
		cell := MatrixCell{Practice: pc.group.ID, Counts: map[string]int{}}
		if st := states[pc.group.ID]; len(st) > 0 {
			res := cradle.Maturity(st, lv.improving)
			cell.Assessed, cell.Computed, cell.Level, cell.Counts = true, res.Level, res.Level, counts[pc.group.ID]
			if o, ok := overrides[pc.group.ID]; ok {
				cell.Level, cell.Overridden = o.Level, true
			}
		}
		row.Cells = append(row.Cells, cell)
	}
	return row
}
