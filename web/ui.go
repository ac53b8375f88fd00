package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/threatmodel"
)

// The UI is server-rendered: every page is html/template over the embedded
// files below, parsed once at start-up, and works without JavaScript. The
// Content-Security-Policy forbids inline styles and scripts, so all styling
// lives in static/style.css and the one optional script in static/app.js.

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// uiPages lists every page template; parseTemplates fails start-up when one
// is missing, so a broken build never serves a half-working UI.
var uiPages = append([]string{
	"error", "login", "portfolio", "product_form", "product", "release", "component",
	"upload", "upload_result", "components", "users", "tokens", "token_created", "audit", "audit_verify",
	"findings", "vuln", "vulndb", "vulndb_result", "events", "webhooks",
}, slices.Concat(psirtUIPages, advisoryUIPages, complianceUIPages, engineeringUIPages)...)

// uiTemplates holds the parsed HTML templates, one set per page (each set
// is the layout and partials plus the page's own "content"), and the
// static files with the fingerprints that bust browser caches.
type uiTemplates struct {
	pages  map[string]*template.Template
	static map[string]staticFile
}

type staticFile struct {
	body []byte
	etag string
	ctyp string
}

func parseTemplates() (*uiTemplates, error) {
	t := &uiTemplates{pages: make(map[string]*template.Template), static: make(map[string]staticFile)}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctyp := "application/octet-stream"
		switch path.Ext(p) {
		case ".css":
			ctyp = "text/css; charset=utf-8"
		case ".js":
			ctyp = "text/javascript; charset=utf-8"
		case ".svg":
			ctyp = "image/svg+xml"
		case ".png":
			ctyp = "image/png"
		case ".ico":
			ctyp = "image/x-icon"
		}
		t.static[path.Base(p)] = staticFile{body: b, etag: hex.EncodeToString(sum[:8]), ctyp: ctyp}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	base, err := template.New("layout").Funcs(t.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	for _, name := range uiPages {
		b, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		if b.Lookup("content") == nil {
			return nil, fmt.Errorf("page %s defines no \"content\" template", name)
		}
		t.pages[name] = b
	}
	return t, nil
}

func (t *uiTemplates) funcs() template.FuncMap {
	return template.FuncMap{
		"utc":          formatUTC,
		"date":         formatDate,
		"static":       t.staticURL,
		"productURL":   productURL,
		"releaseURL":   releaseURL,
		"componentURL": componentURL,
		"support":      supportOf,
		"years":        func(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) },
		"prettyJSON":   prettyJSON,
		"bytes":        byteSize,
		"short":        shorten,
		"lifecycles":   func() []cradle.Lifecycle { return cradle.Lifecycles },
		"classes":      func() []cradle.CRAClass { return cradle.CRAClasses },
		"roles":        func() []cradle.Role { return cradle.Roles },
		"field":        fieldOf,
		"fieldID": func(f fieldView, id int64) fieldView {
			f.ID += "-" + strconv.FormatInt(id, 10)
			return f
		},
		"roleSelect":    func(f *form, id string) roleSelect { return roleSelect{f, id} },
		"userForm":      userForm,
		"sbomFilename":  sbomFilename,
		"purlSearch":    purlSearch,
		"formatName":    formatName,
		"sentence":      sentence,
		"relationHelp":  relationHelp,
		"ratingLabel":   ratingLabel,
		"score":         formatScore,
		"percent":       formatPercent,
		"day":           formatDay,
		"vulnURL":       vulnURL,
		"noticeKind":    noticeKindLabel,
		"ratingsMin":    func() []string { return minRatings },
		"pathEscape":    pathEscape,
		"vexLabel":      vexLabel,
		"justification": justificationLabel,
		"remediationLabel": func(c string) string {
			return map[string]string{"vendor_fix": "Vendor fix", "mitigation": "Mitigation", "workaround": "Workaround",
				"none_available": "No fix available yet", "no_fix_planned": "No fix planned"}[c]
		},
		"findingsTable":  newFindingsTable,
		"componentLabel": componentLabel,
		"pathParts":      func(p string) []string { return strings.Split(p, "/") },
		"errorFirst":     func(e string) string { f, _ := splitError(e); return f },
		"errorMore":      func(e string) string { _, m := splitError(e); return m },
		"count": func(n any) string {
			switch n := n.(type) {
			case int:
				return formatCount(int64(n))
			case int64:
				return formatCount(n)
			}
			return fmt.Sprint(n)
		},
		"categoryName": threatmodel.CategoryName,
		"lower":        strings.ToLower,
		"dec":          func(n int) int { return n - 1 },
		"list":         func(s ...string) []string { return s },
		"resultRating": func(s string) string {
			if s == "info" {
				return "none"
			}
			return s
		},
		"query": func(base string, kv ...string) string {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] != "" {
					v.Set(kv[i], kv[i+1])
				}
			}
			if len(v) == 0 {
				return base
			}
			return base + "?" + v.Encode()
		},
	}
}

// staticURL names a static file with its fingerprint so it can be cached
// for long without serving stale styles after an upgrade.
func (t *uiTemplates) staticURL(name string) string {
	if f, ok := t.static[name]; ok {
		return "/static/" + name + "?v=" + f.etag
	}
	return "/static/" + name
}

func (s *Server) uiStatic(w http.ResponseWriter, r *http.Request) error {
	f, ok := s.ui.static[r.PathValue("file")]
	if !ok {
		return cradle.Errorf(cradle.ENotFound, "no such file")
	}
	w.Header().Set("Content-Type", f.ctyp)
	w.Header().Set("ETag", `"`+f.etag+`"`)
	if r.URL.Query().Get("v") == f.etag {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
	return nil
}

func (s *Server) uiRoutes() []route {
	const prod = "/products/{product}"
	const rel = prod + "/releases/{version}"
	return []route{
		{"GET /static/{file}", "", true, s.uiStatic},
		{"GET /login", "", true, s.uiLoginForm},
		{"POST /login", "", true, s.uiLogin},
		{"POST /logout", permAuthenticated, true, s.uiLogout},

		{"GET /{$}", cradle.PermRead, true, s.uiPortfolio},
		{"GET /products/new", cradle.PermWriteProduct, true, s.uiNewProduct},
		{"POST /products", cradle.PermWriteProduct, true, s.uiCreateProduct},
		{"GET " + prod, cradle.PermRead, true, s.uiProduct},
		{"GET " + prod + "/edit", cradle.PermWriteProduct, true, s.uiEditProduct},
		{"POST " + prod, cradle.PermWriteProduct, true, s.uiUpdateProduct},
		{"POST " + prod + "/releases", cradle.PermWriteRelease, true, s.uiCreateRelease},
		{"GET " + rel, cradle.PermRead, true, s.uiRelease},
		{"POST " + rel, cradle.PermWriteRelease, true, s.uiUpdateRelease},
		{"GET " + rel + "/components/{id}", cradle.PermRead, true, s.uiComponent},
		{"GET " + rel + "/upload", cradle.PermImportSBOM, true, s.uiUploadForm},
		{"POST " + rel + "/upload", cradle.PermImportSBOM, true, s.uiUpload},

		{"GET /components", cradle.PermRead, true, s.uiSearchComponents},

		{"GET /findings", cradle.PermRead, true, s.uiFindings},
		{"GET /vulns/{id}", cradle.PermRead, true, s.uiVuln},
		{"GET /vulndb", cradle.PermRead, true, s.uiVulnDB},
		{"POST /vulndb/rematch", cradle.PermWriteProduct, true, s.uiRematch},
		{"POST /vulndb/import", cradle.PermWriteProduct, true, s.uiImportVulnData},
		{"GET /events", cradle.PermRead, true, s.uiEvents},

		{"GET /admin/users", cradle.PermManageUsers, true, s.uiUsers},
		{"POST /admin/users", cradle.PermManageUsers, true, s.uiCreateUser},
		{"POST /admin/users/{id}", cradle.PermManageUsers, true, s.uiUpdateUser},
		{"GET /admin/tokens", cradle.PermManageUsers, true, s.uiTokens},
		{"POST /admin/tokens", cradle.PermManageUsers, true, s.uiCreateToken},
		{"POST /admin/tokens/{id}/revoke", cradle.PermManageUsers, true, s.uiRevokeToken},
		{"GET /admin/webhooks", cradle.PermManageUsers, true, s.uiWebhooks},
		{"POST /admin/webhooks", cradle.PermManageUsers, true, s.uiCreateWebhook},

		{"GET /audit", cradle.PermReadAudit, true, s.uiAudit},
		{"GET /audit/verify", cradle.PermReadAudit, true, s.uiVerifyAudit},
	}
}

// allUIRoutes is the UI: the pages above, vulnerability handling
// (ui_psirt*.go), advisories and publishing (ui_advisory.go), and the
// catch-all 404 page last.
func (s *Server) allUIRoutes() []route {
	rs := append(s.uiRoutes(), s.psirtUIRoutes()...)
	rs = append(rs, s.advisoryUIRoutes()...)
	rs = append(rs, s.complianceUIRoutes()...)
	rs = append(rs, s.documentUIRoutes()...)
	rs = append(rs, s.engineeringUIRoutes()...)
	// Everything else is a 404 page (or a JSON error under /api/).
	return append(rs, route{"GET /", "", true, s.uiNotFound})
}

// base is what every page's layout needs; each page's view embeds it.
type base struct {
	Title     string
	Nav       string // active nav entry: portfolio, vulns, events, components, audit, admin
	Principal *cradle.Principal
	CSRF      string
	Version   string
	Flash     string
	Crumbs    []crumb
	Zone      *time.Location // the viewer's time zone (cradle_tz cookie), UTC by default
}

type crumb struct{ Label, URL string }

func (b *base) common() *base { return b }

// Permission checks the templates use to show only what the viewer may do;
// the route table enforces them regardless.
func (b *base) can(p cradle.Permission) bool { return b.Principal.Can(p) }
func (b *base) CanWriteProduct() bool        { return b.can(cradle.PermWriteProduct) }
func (b *base) CanWriteRelease() bool        { return b.can(cradle.PermWriteRelease) }
func (b *base) CanImportSBOM() bool          { return b.can(cradle.PermImportSBOM) }
func (b *base) CanReadAudit() bool           { return b.can(cradle.PermReadAudit) }
func (b *base) CanManageUsers() bool         { return b.can(cradle.PermManageUsers) }
func (b *base) SignedIn() bool               { return b.Principal != nil }

type view interface{ common() *base }

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) error {
	t, ok := s.ui.pages[page]
	if !ok {
		return fmt.Errorf("render: no page %q", page)
	}
	b := v.common()
	b.Principal = principal(r)
	if sess := session(r); sess != nil {
		b.CSRF = sess.CSRF
	}
	b.Version = s.cfg.Version
	b.Zone = zoneOf(r)
	if b.Flash == "" {
		b.Flash = s.takeFlash(w, r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

type errorView struct {
	base
	Status     int
	StatusText string
	Message    string
	Problems   []cradle.Problem
	More       int
}

// maxProblemsShown bounds long problem lists (a broken SBOM can have
// thousands); the first ones are what a person fixes first.
const maxProblemsShown = 200

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, err error) {
	v := &errorView{Status: status, StatusText: http.StatusText(status), Message: cradle.ErrorMessage(err)}
	v.Problems, v.More = capProblems(cradle.ErrorProblems(err))
	v.Title = v.StatusText
	r = s.withCaller(r)
	if rerr := s.render(w, r, status, "error", v); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, v.Message, status)
	}
}

// withCaller makes sure an error page knows who is signed in, so that it
// keeps the navigation: the error may have been raised before the caller
// was put into the request's context, or for a request that never had it.
func (s *Server) withCaller(r *http.Request) *http.Request {
	if principal(r) != nil {
		return r
	}
	p, sess, err := s.authenticate(r)
	if err != nil || p == nil || sess == nil {
		return r
	}
	ctx := context.WithValue(r.Context(), principalKey, p)
	return r.WithContext(context.WithValue(ctx, sessionKey, sess))
}

func capProblems(p []cradle.Problem) ([]cradle.Problem, int) {
	if len(p) > maxProblemsShown {
		return p[:maxProblemsShown], len(p) - maxProblemsShown
	}
	return p, 0
}

func (s *Server) uiNotFound(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		var body APIError
		body.Error.Code = cradle.ENotFound
		body.Error.Message = "no such API route: see /api/v1/openapi.json"
		writeJSON(w, http.StatusNotFound, body)
		return nil
	}
	return cradle.Errorf(cradle.ENotFound, "There is no page at this address.")
}

// Flash messages survive one redirect in a short-lived cookie. The cookie
// holds only a key into flashMessages, never text, so nobody can make the
// page say something by planting a cookie.
const flashCookie = "cradle_flash"

var flashMessages = map[string]string{
	"product-created": "Product created.",
	"product-saved":   "Product saved.",
	"release-created": "Release created.",
	"release-saved":   "Release saved.",
	"user-created":    "User created.",
	"user-saved":      "User saved.",
	"token-revoked":   "Token revoked. Clients using it are refused from now on.",
	"webhook-created": "Webhook created. New notices of its kinds are sent to it from now on.",
}

func (s *Server) redirectFlash(w http.ResponseWriter, r *http.Request, to, flash string) error {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: flash, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode})
	return flashMessages[c.Value]
}

// form is the state of a submitted form: the values as entered and the
// problems, per field where located, so the page can be shown again.
type form struct {
	Values   map[string]string
	Errors   map[string]string
	Message  string
	Problems []cradle.Problem // those not tied to a field of this form
}

func newForm(values map[string]string) *form {
	if values == nil {
		values = map[string]string{}
	}
	return &form{Values: values, Errors: map[string]string{}}
}

// Err returns the message for a field, "" when it is fine.
func (f *form) Err(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors[field]
}

// Val returns the entered value of a field.
func (f *form) Val(field string) string {
	if f == nil {
		return ""
	}
	return f.Values[field]
}

// Failed reports whether the form has an error to show.
func (f *form) Failed() bool { return f != nil && f.Message != "" }

// fail records err on the form, spreading located problems over the
// fields they name, and returns the HTTP status to answer with.
func (f *form) fail(err error) int {
	f.Message = cradle.ErrorMessage(err)
	for _, p := range cradle.ErrorProblems(err) {
		if _, ok := f.Values[p.Location]; ok {
			if f.Errors[p.Location] != "" {
				f.Errors[p.Location] += "; "
			}
			f.Errors[p.Location] += p.Message
			continue
		}
		f.Problems = append(f.Problems, p)
	}
	return statusOf(cradle.ErrorCode(err))
}

// readForm reads the named fields of a submitted form.
func (s *Server) readForm(r *http.Request, fields ...string) *form {
	f := newForm(nil)
	for _, k := range fields {
		f.Values[k] = s.formValue(r, k)
	}
	return f
}

// fieldView is one input of a form as the "input" and "textarea"
// partials draw it: label, hint, entered value and error, tied together
// with ids for screen readers.
type fieldView struct {
	Name, Label, Type, Hint, Value, Err string
	Required                            bool
	ID                                  string
}

// fieldOf builds a fieldView; flags may include "required".
func fieldOf(f *form, name, label, typ, hint string, flags ...string) fieldView {
	v := fieldView{Name: name, Label: label, Type: typ, Hint: hint, Value: f.Val(name), Err: f.Err(name), ID: "f-" + name}
	if v.Err != "" {
		// "is required" reads as a sentence with the field's name.
		v.Err = strings.TrimSuffix(strings.TrimSuffix(label, " (optional)"), " *") + " " + v.Err
	}
	for _, fl := range flags {
		if fl == "required" {
			v.Required = true
		}
	}
	return v
}

type roleSelect struct {
	Form *form
	ID   string
}

// userForm is a user's edit form filled with the stored values.
func userForm(u *cradle.User) *form {
	disabled := ""
	if u.Disabled {
		disabled = "on"
	}
	return newForm(map[string]string{"name": u.Name, "role": string(u.Role), "disabled": disabled, "password": ""})
}

// pager is the state of one paginated table, with links that keep the
// page's other query parameters.
type pager struct {
	Page, Pages, Total, PerPage int
	First, Last                 int // 1-based positions of the rows shown
	PrevURL, NextURL            string
	Noun                        string // plural; One is the singular
	One                         string
}

// newPager describes the page pg of a list of total items; noun is
// "singular plural" ("entry entries").
func newPager(r *http.Request, pg cradle.Page, total int, noun string) pager {
	return newPagerParam(r, "page", "", pg, total, noun)
}

// newPagerParam is newPager for a page with more than one paginated
// table: each pages with its own parameter, and its links jump back to
// the table (#fragment) rather than to the top of the page.
func newPagerParam(r *http.Request, param, fragment string, pg cradle.Page, total int, noun string) pager {
	pg = pg.Normalize()
	one, many, _ := strings.Cut(noun, " ")
	p := pager{Page: pg.Number, PerPage: pg.PerPage, Total: total, Noun: many, One: one}
	p.Pages = max(1, (total+pg.PerPage-1)/pg.PerPage)
	if total > 0 {
		p.First = min(total, pg.Offset()+1)
		p.Last = min(total, pg.Offset()+pg.PerPage)
	}
	link := func(n int) string {
		q := r.URL.Query()
		if n == 1 {
			q.Del(param)
		} else {
			q.Set(param, strconv.Itoa(n))
		}
		u := r.URL.Path
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		if fragment != "" {
			u += "#" + fragment
		}
		return u
	}
	if p.Page > 1 {
		p.PrevURL = link(min(p.Page-1, p.Pages))
	}
	if p.Page < p.Pages {
		p.NextURL = link(p.Page + 1)
	}
	return p
}

// uiPage reads ?page= and ?per_page= like the API, but a malformed value
// shows the first page instead of an error: people edit URLs by hand.
func uiPage(r *http.Request) cradle.Page {
	return uiPageParam(r, "page")
}

// uiPageParam is uiPage for a table paged by its own parameter.
func uiPageParam(r *http.Request, param string) cradle.Page {
	var pg cradle.Page
	if n, err := strconv.Atoi(r.URL.Query().Get(param)); err == nil && n > 0 {
		pg.Number = n
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && n > 0 {
		pg.PerPage = n
	}
	return pg.Normalize()
}

const timeLayout = "2006-01-02 15:04 UTC"

func formatUTC(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(timeLayout)
}

func formatDate(d string) string {
	if d == "" {
		return "—"
	}
	return d
}

func productURL(name string) string { return "/products/" + pathEscape(name) }

func releaseURL(product, version string) string {
	return productURL(product) + "/releases/" + pathEscape(version)
}

func componentURL(product, version string, id int64) string {
	return releaseURL(product, version) + "/components/" + strconv.FormatInt(id, 10)
}

// support describes a product's support period for badges.
type support struct {
	End   string
	State string // none, ended, ending, active
	Label string
}

func supportOf(p *cradle.Product) support {
	return supportAt(p, time.Now().UTC())
}

func supportAt(p *cradle.Product, now time.Time) support {
	end := p.SupportEndTime()
	switch {
	case end.IsZero():
		return support{State: "none", Label: "not declared"}
	case end.Before(now.Truncate(24 * time.Hour)):
		return support{End: p.SupportEnd, State: "ended", Label: "ended"}
	case end.Before(now.AddDate(1, 0, 0)):
		return support{End: p.SupportEnd, State: "ending", Label: "ends within 12 months"}
	}
	return support{End: p.SupportEnd, State: "active"}
}

// prettyJSON indents a JSON value for reading in the audit trail.
func prettyJSON(m json.RawMessage) string {
	if len(m) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, m, "", "  "); err != nil {
		return string(m)
	}
	return buf.String()
}

func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	f, i := float64(n)/unit, 0
	for f >= unit && i < 4 {
		f /= unit
		i++
	}
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) + " " + string("KMGTP"[i]) + "iB"
}

func shorten(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// sbomFilename suggests a file name for downloading a stored original.
func sbomFilename(rel *cradle.Release, d *cradle.SBOMDocument) string {
	ext := ".json"
	switch d.Encoding {
	case "xml":
		ext = ".xml"
	case "tag-value":
		ext = ".spdx"
	}
	return safeFilename(rel.ProductName+"-"+rel.Version+"-sbom-"+strconv.FormatInt(d.ID, 10)) + ext
}

// purlSearch is the portfolio search for every version of a component:
// its package URL up to the version ("pkg:npm/lodash@"), or its name when
// it has no package URL.
func purlSearch(c cradle.Component) string {
	if c.PURL == "" {
		return c.Name
	}
	p := c.PURL
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if before, _, ok := strings.Cut(p, "@"); ok {
		return before + "@"
	}
	return p
}

// formatName is an SBOM format as people write it.
func formatName(f string) string {
	switch f {
	case cradle.FormatCycloneDX:
		return "CycloneDX"
	case cradle.FormatSPDX:
		return "SPDX"
	}
	return f
}

// sentence starts a domain message ("invalid product") with a capital,
// but leaves a message that starts with a name (a file, a product) as it is.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	if first, _, _ := strings.Cut(s, " "); strings.ContainsAny(first, "./\\_-@:") {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// relationHelp explains a component's relation to its release.
func relationHelp(rel string) string {
	switch rel {
	case "root":
		return "the component the SBOM describes"
	case "direct":
		return "a direct dependency of the root component"
	case "transitive":
		return "a dependency of a dependency"
	case "unlinked":
		return "not reachable from the root in the SBOM's dependency graph"
	}
	return ""
}

// addFlashes registers flash messages; a key registered twice is a
// programming error (one page would say the other's message).
func addFlashes(m map[string]string) {
	for key, msg := range m {
		if _, dup := flashMessages[key]; dup {
			panic("flash message " + key + " registered twice")
		}
		flashMessages[key] = msg
	}
}
