package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/store"
)

func actorOf(r *http.Request, via string) cradle.Actor { return principal(r).Actor(via) }

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	writeJSON(w, http.StatusOK, map[string]any{"user": p.User, "role": p.Role, "token": p.Token})
	return nil
}

func (s *Server) apiListProducts(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.db.ListProducts(r.Context(), pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

// productInput is the writable part of a product.
type productInput struct {
	Name             string          `json:"name"`
	Description      string          `json:"description"`
	Manufacturer     string          `json:"manufacturer"`
	IntendedPurpose  string          `json:"intended_purpose"`
	Class            cradle.CRAClass `json:"cra_class"`
	SupportStart     string          `json:"support_start"`
	SupportEnd       string          `json:"support_end"`
	SupportRationale string          `json:"support_rationale"`
	MemberStates     []string        `json:"member_states"`
	ModelNumbers     []string        `json:"model_numbers"`
}

func (in productInput) product() *cradle.Product {
	return &cradle.Product{Name: in.Name, Description: in.Description, Manufacturer: in.Manufacturer,
		IntendedPurpose: in.IntendedPurpose, Class: in.Class, SupportStart: in.SupportStart,
		SupportEnd: in.SupportEnd, SupportRationale: in.SupportRationale, MemberStates: in.MemberStates, ModelNumbers: in.ModelNumbers}
}

func (s *Server) apiCreateProduct(w http.ResponseWriter, r *http.Request) error {
	var in productInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := in.product()
	if err := s.db.CreateProduct(r.Context(), actorOf(r, "api"), p); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/products/"+pathEscape(p.Name))
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) apiGetProduct(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.Product(r.Context(), r.PathValue("product"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiUpdateProduct(w http.ResponseWriter, r *http.Request) error {
	var in productInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := in.product()
	if err := s.db.UpdateProduct(r.Context(), actorOf(r, "api"), r.PathValue("product"), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiListReleases(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.db.ListReleases(r.Context(), r.PathValue("product"), pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

type releaseInput struct {
	Version     string           `json:"version"`
	ReleaseDate string           `json:"release_date"`
	Lifecycle   cradle.Lifecycle `json:"lifecycle"`
}

func (s *Server) apiCreateRelease(w http.ResponseWriter, r *http.Request) error {
	var in releaseInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rel := &cradle.Release{Version: in.Version, ReleaseDate: in.ReleaseDate, Lifecycle: in.Lifecycle}
	if err := s.db.CreateRelease(r.Context(), actorOf(r, "api"), r.PathValue("product"), rel); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/products/"+pathEscape(rel.ProductName)+"/releases/"+pathEscape(rel.Version))
	writeJSON(w, http.StatusCreated, rel)
	return nil
}

func (s *Server) apiGetRelease(w http.ResponseWriter, r *http.Request) error {
	rel, err := s.db.Release(r.Context(), r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rel)
	return nil
}

func (s *Server) apiUpdateRelease(w http.ResponseWriter, r *http.Request) error {
	var in releaseInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rel := &cradle.Release{Version: in.Version, ReleaseDate: in.ReleaseDate, Lifecycle: in.Lifecycle}
	if err := s.db.UpdateRelease(r.Context(), actorOf(r, "api"), r.PathValue("product"), r.PathValue("version"), rel); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rel)
	return nil
}

func (s *Server) apiListComponents(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f := store.ComponentFilter{Query: r.URL.Query().Get("q"), Relation: r.URL.Query().Get("relation")}
	items, total, err := s.db.ListComponents(r.Context(), r.PathValue("product"), r.PathValue("version"), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 1 {
		return 0, cradle.Invalid("invalid "+name, cradle.Problem{Location: name, Message: "must be a positive integer; found " + strconv.Quote(r.PathValue(name))})
	}
	return id, nil
}

func (s *Server) apiGetComponent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.db.Component(r.Context(), r.PathValue("product"), r.PathValue("version"), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) apiListSBOMs(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.db.ListSBOMs(r.Context(), r.PathValue("product"), r.PathValue("version"), pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

// importSBOM is the one path from uploaded bytes to a stored SBOM, shared
// by the API and the UI.
func (s *Server) importSBOM(r *http.Request, via, product, version, filename string, raw []byte) (*monitor.SBOMResult, error) {
	// Imports are CPU-heavy (schema validation, parsing): run a bounded
	// number at once so that reads stay fast while SBOMs queue.
	var res *monitor.SBOMResult
	err := s.heavy(r.Context(), func() error {
		var err error
		res, err = monitor.New(s.db, s.log).ImportSBOM(r.Context(), actorOf(r, via), product, version, filename, raw, nil)
		return err
	})
	return res, err
}

func (s *Server) apiImportSBOM(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > s.cfg.MaxUploadSize {
		return cradle.Errorf(cradle.ETooLarge, "SBOM is %d bytes, larger than the limit of %d bytes", r.ContentLength, s.cfg.MaxUploadSize)
	}
	raw, err := sbom.ReadLimited(r.Body, s.cfg.MaxUploadSize)
	if err != nil {
		return err
	}
	res, err := s.importSBOM(r, "api", r.PathValue("product"), r.PathValue("version"), r.URL.Query().Get("filename"), raw)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Unchanged || res.Reinstated {
		status = http.StatusOK
	}
	writeJSON(w, status, res)
	return nil
}

func (s *Server) apiGetSBOMContent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, content, err := s.db.SBOMContent(r.Context(), r.PathValue("product"), r.PathValue("version"), id)
	if err != nil {
		return err
	}
	ct := "application/json"
	switch d.Encoding {
	case "xml":
		ct = "application/xml"
	case "tag-value":
		ct = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("ETag", `"`+d.SHA256+`"`)
	http.ServeContent(w, r, "", d.ImportedAt, bytes.NewReader(content))
	return nil
}

func (s *Server) apiExportSBOM(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = cradle.ExportCycloneDXJSON
	}
	if !slices.Contains(cradle.ExportFormats, format) {
		return cradle.Invalid("unknown export format", cradle.Problem{Location: "format",
			Message: "must be one of " + strings.Join(cradle.ExportFormats, ", ") + "; found " + strconv.Quote(format)})
	}
	doc, _, err := s.db.LoadSBOM(r.Context(), r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sbom.Encode(&buf, doc, format); err != nil {
		return err
	}
	ct := "application/vnd.cyclonedx+json"
	ext := ".cdx.json"
	switch format {
	case cradle.ExportCycloneDXXML:
		ct, ext = "application/vnd.cyclonedx+xml", ".cdx.xml"
	case cradle.ExportSPDXJSON:
		ct, ext = "application/spdx+json", ".spdx.json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFilename(r.PathValue("product")+"-"+r.PathValue("version"))+ext+`"`)
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) apiSearchComponents(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.db.SearchComponents(r.Context(), r.URL.Query().Get("q"), pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.db.ListUsers(r.Context(), pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

type userInput struct {
	Email    string      `json:"email"`
	Name     string      `json:"name"`
	Role     cradle.Role `json:"role"`
	Password string      `json:"password"`
	Disabled bool        `json:"disabled"`
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u := &cradle.User{Email: in.Email, Name: in.Name, Role: in.Role, Disabled: in.Disabled}
	if err := s.db.CreateUser(r.Context(), actorOf(r, "api"), u, in.Password); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in userInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	cur, err := s.db.User(r.Context(), id)
	if err != nil {
		return err
	}
	if in.Email != "" && !strings.EqualFold(strings.TrimSpace(in.Email), cur.Email) {
		return cradle.Invalid("invalid user", cradle.Problem{Location: "email", Message: "cannot be changed; create a new user instead"})
	}
	u := &cradle.User{Email: cur.Email, Name: in.Name, Role: in.Role, Disabled: in.Disabled}
	if err := s.db.UpdateUser(r.Context(), actorOf(r, "api"), id, u, in.Password); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) apiListTokens(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.db.ListTokens(r.Context(), pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

type tokenInput struct {
	Name      string      `json:"name"`
	Role      cradle.Role `json:"role"`
	UserID    int64       `json:"user_id"`
	ExpiresAt time.Time   `json:"expires_at"`
}

// TokenCreated is the one response that carries a token's secret.
type TokenCreated struct {
	Token  *cradle.Token `json:"token"`
	Secret string        `json:"secret"`
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.UserID == 0 {
		in.UserID = principal(r).User.ID
	}
	t := &cradle.Token{Name: in.Name, Role: in.Role, UserID: in.UserID, ExpiresAt: in.ExpiresAt}
	secret, err := s.db.CreateToken(r.Context(), actorOf(r, "api"), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, TokenCreated{t, secret})
	return nil
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeToken(r.Context(), actorOf(r, "api"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiListAudit(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f := store.AuditFilter{EntityType: r.URL.Query().Get("entity_type"), EntityID: r.URL.Query().Get("entity_id")}
	items, total, err := s.db.ListAudit(r.Context(), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

func (s *Server) apiVerifyAudit(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.db.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// findingFilter reads the filters of a findings list from a query string;
// the API and the UI share it, so both accept exactly the same filters
// (and the CLI's `cradle findings` flags mean the same).
func findingFilter(q url.Values) (store.FindingFilter, error) {
	f := store.FindingFilter{
		Product:   strings.TrimSpace(q.Get("product")),
		Release:   strings.TrimSpace(q.Get("release")),
		MinRating: strings.TrimSpace(q.Get("severity")),
	}
	var probs []cradle.Problem
	if f.Release != "" && f.Product == "" {
		probs = append(probs, cradle.Problem{Location: "release", Message: "needs product: a version names a release only within its product"})
	}
	if f.MinRating != "" && !slices.Contains(minRatings, f.MinRating) {
		probs = append(probs, cradle.Problem{Location: "severity", Message: "must be one of " + strings.Join(minRatings, ", ") + "; found " + strconv.Quote(f.MinRating)})
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"kev", &f.KEV}, {"fix_available", &f.FixAvailable}, {"all", &f.Resolved}} {
		v := q.Get(b.name)
		if v == "" {
			continue
		}
		x, err := strconv.ParseBool(v)
		if err != nil {
			probs = append(probs, cradle.Problem{Location: b.name, Message: "must be true or false; found " + strconv.Quote(v)})
			continue
		}
		*b.dst = x
	}
	if v := strings.TrimSpace(q.Get("since")); v != "" {
		t, err := time.Parse(cradle.DateLayout, v)
		if err != nil {
			probs = append(probs, cradle.Problem{Location: "since", Message: "must be a date YYYY-MM-DD; found " + strconv.Quote(v)})
		}
		f.Since = t
	}
	if len(probs) > 0 {
		return f, cradle.Invalid("invalid filter", probs...)
	}
	return f, nil
}

// minRatings are the values of the severity filter: "at least this".
var minRatings = cradle.Ratings[:4]

func (s *Server) apiListFindings(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	f, err := findingFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, total, err := s.db.ListFindings(r.Context(), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

// VulnGroup is one vulnerability as the API shows it: every stored record
// that describes it (the advisories of several databases, linked by their
// aliases), under its canonical ID.
type VulnGroup struct {
	ID      string                 `json:"id"`
	Records []cradle.Vulnerability `json:"records"`
	// FindingsTotal counts its open findings across the portfolio; they
	// are listed by GET /api/v1/vulns/{id}/impact.
	FindingsTotal int `json:"findings_total"`
}

func (s *Server) apiGetVuln(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	group, recs, err := s.db.VulnerabilityGroup(r.Context(), id)
	if err != nil {
		return err
	}
	_, total, err := s.db.ListFindings(r.Context(), store.FindingFilter{Vuln: id}, cradle.Page{PerPage: 1})
	if err != nil {
		return err
	}
	if recs == nil {
		recs = []cradle.Vulnerability{}
	}
	writeJSON(w, http.StatusOK, VulnGroup{ID: group, Records: recs, FindingsTotal: total})
	return nil
}

func (s *Server) apiVulnImpact(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, _, err := s.db.VulnerabilityGroup(r.Context(), id); err != nil {
		return err
	}
	items, total, err := s.db.ListFindings(r.Context(), store.FindingFilter{Vuln: id}, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

// VulnStatus is what vulnerability data is loaded and how fresh it is.
type VulnStatus struct {
	Sources []store.Feed `json:"sources"`
	// Loaded counts records per source: advisories per OSV source, CVEs
	// for kev and epss.
	Loaded map[string]int64 `json:"loaded"`
}

func (s *Server) vulnStatus(ctx context.Context) (*VulnStatus, error) {
	feeds, err := s.db.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.db.VulnCounts(ctx)
	if err != nil {
		return nil, err
	}
	if feeds == nil {
		feeds = []store.Feed{}
	}
	return &VulnStatus{Sources: feeds, Loaded: counts}, nil
}

func (s *Server) apiVulnDBStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := s.vulnStatus(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// heavy runs fn while holding one of the bounded import slots: SBOM and
// vulnerability-data imports and re-matches are CPU- and write-heavy, and
// reads stay fast while they queue.
func (s *Server) heavy(ctx context.Context, fn func() error) error {
	select {
	case s.imports <- struct{}{}:
		defer func() { <-s.imports }()
	case <-ctx.Done():
		return ctx.Err()
	}
	return fn()
}

func (s *Server) rematch(ctx context.Context) (*store.FindingChanges, error) {
	var ch *store.FindingChanges
	err := s.heavy(ctx, func() error {
		var err error
		ch, err = monitor.New(s.db, s.log).Rematch(ctx, nil)
		return err
	})
	return ch, err
}

func (s *Server) apiRematch(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.rematch(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ch)
	return nil
}

// noticeSince reads the ?since=YYYY-MM-DD filter of the notices; the API
// and the UI share it, and it means what `cradle events --since` means.
func noticeSince(q url.Values) (time.Time, error) {
	v := strings.TrimSpace(q.Get("since"))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(cradle.DateLayout, v)
	if err != nil {
		return time.Time{}, cradle.Invalid("invalid filter", cradle.Problem{Location: "since", Message: "must be a date YYYY-MM-DD; found " + strconv.Quote(v)})
	}
	return t, nil
}

func (s *Server) apiListEvents(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	since, err := noticeSince(r.URL.Query())
	if err != nil {
		return err
	}
	items, total, err := s.db.Notices(r.Context(), since, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

func (s *Server) apiListWebhooks(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.db.Webhooks(r.Context())
	if err != nil {
		return err
	}
	if ws == nil {
		ws = []store.Webhook{}
	}
	writeJSON(w, http.StatusOK, ws) // Secret is json:"-": never sent back
	return nil
}

// webhookInput is a webhook to register.
type webhookInput struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Kinds  []string `json:"kinds"`
}

func (s *Server) apiCreateWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhookInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	wh := &store.Webhook{URL: in.URL, Secret: in.Secret, Kinds: in.Kinds}
	if err := s.db.CreateWebhook(r.Context(), actorOf(r, "api"), wh); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wh)
	return nil
}

func (s *Server) apiListDeliveries(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.db.Deliveries(r.Context(), pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}
