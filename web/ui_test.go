package web

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

const testPassword = "correct horse battery staple"

// uiClient is a browser for the tests: it keeps cookies and knows the
// session's CSRF token.
type uiClient struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]string
}

func newUIServer(t testing.TB) (*Server, *store.DB) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	s, err := New(db, Config{Version: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func newClient(t testing.TB, h http.Handler) *uiClient {
	return &uiClient{t: t, h: h, cookies: map[string]string{}}
}

func (c *uiClient) do(method, target string, body io.Reader, contentType string) *httptest.ResponseRecorder {
	c.t.Helper()
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return rec
}

func (c *uiClient) get(target string) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.do(http.MethodGet, target, nil, "")
}

func (c *uiClient) post(target string, form url.Values) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.do(http.MethodPost, target, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

var (
	csrfField      = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	loginCSRFField = regexp.MustCompile(`name="login_csrf" value="([^"]+)"`)
)

// csrf returns the session's CSRF token as the pages embed it.
func (c *uiClient) csrf() string {
	c.t.Helper()
	rec := c.get("/components")
	m := csrfField.FindStringSubmatch(rec.Body.String())
	if m == nil {
		c.t.Fatalf("no csrf field on /components (status %d)", rec.Code)
	}
	return m[1]
}

// login signs in through the form, as a browser does: GET the form for
// its double-submit token, then POST it.
func (c *uiClient) login(email, password, next string) *httptest.ResponseRecorder {
	c.t.Helper()
	rec := c.get("/login")
	m := loginCSRFField.FindStringSubmatch(rec.Body.String())
	if m == nil {
		c.t.Fatalf("no login_csrf field on /login (status %d)", rec.Code)
	}
	return c.post("/login", url.Values{"email": {email}, "password": {password}, "login_csrf": {m[1]}, "next": {next}})
}

func addUser(t testing.TB, db *store.DB, email string, role cradle.Role) *cradle.User {
	t.Helper()
	u := &cradle.User{Email: email, Name: strings.Split(email, "@")[0], Role: role}
	if err := db.CreateUser(context.Background(), cradle.Actor{Name: "test"}, u, testPassword); err != nil {
		t.Fatal(err)
	}
	return u
}

func signedIn(t testing.TB, s *Server, db *store.DB, role cradle.Role) *uiClient {
	t.Helper()
	addUser(t, db, string(role)+"@example.com", role)
	c := newClient(t, s)
	if rec := c.login(string(role)+"@example.com", testPassword, "/"); rec.Code != http.StatusSeeOther {
		t.Fatalf("login: status %d: %s", rec.Code, rec.Body)
	}
	return c
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status = %d, want %d; body:\n%s", rec.Code, want, shortBody(rec.Body.String()))
	}
}

func wantBody(t *testing.T, rec *httptest.ResponseRecorder, subs ...string) {
	t.Helper()
	body := rec.Body.String()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q:\n%s", s, shortBody(body))
		}
	}
}

func shortBody(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 4000 {
		s = s[:4000] + "…"
	}
	return s
}

// seed stores a product with a release whose SBOM has a root, a direct
// and a transitive dependency, written through the store so the page
// tests do not depend on the SBOM parsers.
func seed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	actor := cradle.Actor{Name: "test"}
	p := &cradle.Product{Name: "Gateway", Manufacturer: "ACME GmbH", Class: cradle.ClassImportantI,
		Description: "Industrial IoT gateway", SupportStart: "2025-01-01", SupportEnd: "2027-01-01"}
	if err := db.CreateProduct(ctx, actor, p); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRelease(ctx, actor, "Gateway", &cradle.Release{Version: "1.0.0", ReleaseDate: "2025-03-01", Lifecycle: cradle.LifecycleReleased}); err != nil {
		t.Fatal(err)
	}
	doc := &cradle.SBOM{Format: cradle.FormatCycloneDX, Encoding: "json", SpecVersion: "1.6", Root: "root",
		Components: []cradle.Component{
			{Ref: "root", Type: "application", Name: "gateway-fw", Version: "1.0.0"},
			{Ref: "log4j", Type: "library", Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1",
				PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Licenses: "Apache-2.0", Supplier: "Apache",
				Hashes: []cradle.Hash{{Algorithm: "SHA-256", Value: "abc123"}}},
			{Ref: "api", Type: "library", Name: "log4j-api", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"},
		},
		Dependencies: []cradle.Dependency{{From: "root", To: "log4j"}, {From: "log4j", To: "api"}},
	}
	doc.ComputeDepths()
	if _, err := db.ImportSBOM(ctx, actor, "Gateway", "1.0.0", []byte(`{"bomFormat":"CycloneDX"}`), doc, nil); err != nil {
		t.Fatal(err)
	}
}

func TestUIPagesRender(t *testing.T) {
	s, db := newUIServer(t)
	seed(t, db)
	c := signedIn(t, s, db, cradle.RoleAdmin)
	comps, _, err := db.ListComponents(context.Background(), "Gateway", "1.0.0", store.ComponentFilter{Query: "log4j-core"}, cradle.Page{})
	if err != nil || len(comps) != 1 {
		t.Fatalf("ListComponents: %v %v", comps, err)
	}
	compURL := componentURL("Gateway", "1.0.0", comps[0].ID)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/", []string{"Portfolio", "Gateway", "Important, class I", "ACME GmbH", "2027-01-01", `href="/products/new"`, `href="/admin/users"`, `href="/audit"`, "cradle test"}},
		{"/products/new", []string{"New product", `name="cra_class"`, "Critical", `name="support_end"`}},
		{"/products/Gateway", []string{"Industrial IoT gateway", "2 years", "under five", "1.0.0", "Released", "New release"}},
		{"/products/Gateway/edit", []string{"Edit product", `value="Gateway"`, `value="2027-01-01"`}},
		{"/products/Gateway/releases/1.0.0", []string{"CycloneDX 1.6", "log4j-core", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "direct", "transitive",
			"format=spdx-json", "/api/v1/products/Gateway/releases/1.0.0/sboms/", "SBOM history", "Edit release"}},
		{"/products/Gateway/releases/1.0.0?q=api&relation=transitive", []string{"log4j-api"}},
		{compURL, []string{"log4j-core", "abc123", "Depends on", "log4j-api", "Depended on by", "gateway-fw", "pkg:maven/org.apache.logging.log4j/log4j-core@"}},
		{"/products/Gateway/releases/1.0.0/upload", []string{`enctype="multipart/form-data"`, `type="file"`}},
		{"/components", []string{"pkg:maven/org.apache.logging.log4j/log4j-core"}},
		{"/components?q=pkg:maven/org.apache.logging.log4j/log4j-core", []string{"Gateway", "1.0.0", "log4j-core", "direct"}},
		{"/components?q=LOG4J", []string{"log4j-api", "log4j-core"}},
		{"/admin/users", []string{"admin@example.com", "New user", "Administrator"}},
		{"/admin/tokens", []string{"New token", "No live tokens"}},
		{"/audit", []string{"sbom.import", "product.create", "Verify chain"}},
		{"/audit/verify", []string{"intact"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			rec := c.get(tc.path)
			wantStatus(t, rec, http.StatusOK)
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q", ct)
			}
			wantBody(t, rec, tc.want...)
		})
	}
	// The component relation filter leaves out the direct dependency.
	rec := c.get("/products/Gateway/releases/1.0.0?relation=transitive")
	if strings.Contains(rec.Body.String(), ">log4j-core<") {
		t.Error("relation=transitive lists the direct dependency log4j-core")
	}
	for _, p := range []string{"/products/Nope", "/products/Gateway/releases/9.9", "/no/such/page", compURL + "0"} {
		wantStatus(t, c.get(p), http.StatusNotFound)
	}
}

func TestUIStatic(t *testing.T) {
	s, _ := newUIServer(t)
	c := newClient(t, s)
	rec := c.get("/static/style.css")
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type = %q", ct)
	}
	if rec.Header().Get("Cache-Control") == "" || rec.Header().Get("ETag") == "" {
		t.Errorf("no caching headers: %v", rec.Header())
	}
	wantStatus(t, c.get("/static/nope.css"), http.StatusNotFound)
	// The layout links the fingerprinted file, which may be cached for long.
	body := c.get("/login").Body.String()
	m := regexp.MustCompile(`href="(/static/style\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("login page does not link the stylesheet")
	}
	if cc := c.get(m[1]).Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("fingerprinted Cache-Control = %q", cc)
	}
}

func TestUIDeveloperSeesNoAdmin(t *testing.T) {
	s, db := newUIServer(t)
	c := signedIn(t, s, db, cradle.RoleDeveloper)
	rec := c.get("/")
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	for _, bad := range []string{`href="/admin/users"`, `href="/audit"`, `href="/products/new"`} {
		if strings.Contains(body, bad) {
			t.Errorf("developer page shows %s", bad)
		}
	}
	for _, p := range []string{"/admin/users", "/admin/tokens", "/audit", "/products/new"} {
		rec := c.get(p)
		wantStatus(t, rec, http.StatusForbidden)
		// The error page keeps the layout of a signed-in user.
		wantBody(t, rec, "may not do this", `action="/logout"`, "Developer")
	}
}

func TestUIAnonymousRedirectsToLogin(t *testing.T) {
	s, _ := newUIServer(t)
	c := newClient(t, s)
	for _, p := range []string{"/", "/components?q=x", "/admin/users"} {
		rec := c.get(p)
		wantStatus(t, rec, http.StatusSeeOther)
		if got, want := rec.Header().Get("Location"), "/login?next="+url.QueryEscape(p); got != want {
			t.Errorf("GET %s: Location = %q, want %q", p, got, want)
		}
	}
	rec := c.get("/login")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Sign in", `name="email"`, `name="password"`)
	if strings.Contains(rec.Body.String(), `action="/logout"`) {
		t.Error("anonymous login page shows a sign-out button")
	}
}

func TestUILogin(t *testing.T) {
	s, db := newUIServer(t)
	addUser(t, db, "ada@example.com", cradle.RoleAuditor)

	t.Run("wrong password", func(t *testing.T) {
		c := newClient(t, s)
		rec := c.login("ada@example.com", "not the password", "/")
		wantStatus(t, rec, http.StatusUnauthorized)
		wantBody(t, rec, "Wrong e-mail or password.", `value="ada@example.com"`)
		if _, ok := c.cookies[sessionCookie]; ok {
			t.Error("failed login set a session cookie")
		}
	})
	t.Run("no double-submit cookie", func(t *testing.T) {
		c := newClient(t, s)
		m := loginCSRFField.FindStringSubmatch(c.get("/login").Body.String())
		delete(c.cookies, loginCookie)
		rec := c.post("/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}, "login_csrf": {m[1]}})
		wantStatus(t, rec, http.StatusForbidden)
		if _, ok := c.cookies[sessionCookie]; ok {
			t.Error("login without the double-submit cookie set a session cookie")
		}
	})
	t.Run("mismatched token", func(t *testing.T) {
		c := newClient(t, s)
		c.get("/login")
		rec := c.post("/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}, "login_csrf": {"forged"}})
		wantStatus(t, rec, http.StatusForbidden)
	})
	t.Run("cookie attributes and next", func(t *testing.T) {
		c := newClient(t, s)
		rec := c.login("ada@example.com", testPassword, "/components?q=x")
		wantStatus(t, rec, http.StatusSeeOther)
		if got := rec.Header().Get("Location"); got != "/components?q=x" {
			t.Errorf("Location = %q", got)
		}
		var sc *http.Cookie
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == sessionCookie {
				sc = ck
			}
		}
		if sc == nil || !sc.HttpOnly || !sc.Secure || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" || sc.Expires.IsZero() {
			t.Errorf("session cookie = %+v", sc)
		}
		rec = c.get("/")
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "ada", "Auditor", `href="/audit"`)
	})
	t.Run("open redirect", func(t *testing.T) {
		for _, next := range []string{"//evil.example", "//evil.example/x", "https://evil.example", `/\evil.example`, "evil.example", "/login"} {
			c := newClient(t, s)
			rec := c.login("ada@example.com", testPassword, next)
			wantStatus(t, rec, http.StatusSeeOther)
			if got := rec.Header().Get("Location"); got != "/" {
				t.Errorf("next=%q: Location = %q, want /", next, got)
			}
		}
		// The form carries next from the query, sanitised.
		c := newClient(t, s)
		wantBody(t, c.get("/login?next=//evil.example"), `name="next" value="/"`)
	})
}

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/products/a?b=c", "/products/a?b=c"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"http://evil.example/", "/"},
		{"/%2F%2Fevil.example", "/"}, // harmless, but refused: it decodes to "//"
		{"/ok\r\nSet-Cookie: x", "/"},
		{"javascript:alert(1)", "/"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUILogout(t *testing.T) {
	s, db := newUIServer(t)
	c := signedIn(t, s, db, cradle.RoleAdmin)
	token := c.cookies[sessionCookie]
	tok := c.csrf()
	wantStatus(t, c.post("/logout", url.Values{}), http.StatusForbidden) // no CSRF token
	rec := c.post("/logout", url.Values{"csrf": {tok}})
	wantStatus(t, rec, http.StatusSeeOther)
	if _, ok := c.cookies[sessionCookie]; ok {
		t.Error("logout kept the session cookie")
	}
	if _, err := db.Session(context.Background(), token); cradle.ErrorCode(err) != cradle.EUnauthorized {
		t.Errorf("session after logout: err = %v", err)
	}
	// Replaying the old cookie does not sign in.
	c.cookies[sessionCookie] = token
	wantStatus(t, c.get("/"), http.StatusSeeOther)
}

func TestUICSRF(t *testing.T) {
	s, db := newUIServer(t)
	c := signedIn(t, s, db, cradle.RoleAdmin)
	form := url.Values{"name": {"Sneaky"}, "cra_class": {"default"}}
	rec := c.post("/products", form)
	wantStatus(t, rec, http.StatusForbidden)
	wantBody(t, rec, "CSRF")
	form.Set("csrf", "wrong")
	wantStatus(t, c.post("/products", form), http.StatusForbidden)
	if _, total, _ := db.ListProducts(context.Background(), cradle.Page{}); total != 0 {
		t.Errorf("%d products after forged posts, want 0", total)
	}
	form.Set("csrf", c.csrf())
	rec = c.post("/products", form)
	wantStatus(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != "/products/Sneaky" {
		t.Errorf("Location = %q", got)
	}
	// The flash message shows once, after the redirect.
	wantBody(t, c.get("/products/Sneaky"), "Product created.")
	if strings.Contains(c.get("/products/Sneaky").Body.String(), "Product created.") {
		t.Error("flash message shown twice")
	}
}

func TestUIProductForm(t *testing.T) {
	s, db := newUIServer(t)
	c := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := c.csrf()
	form := url.Values{"csrf": {tok}, "name": {""}, "manufacturer": {"ACME <b>GmbH</b>"}, "cra_class": {"critical"},
		"support_start": {"2026-13-01"}, "support_end": {"2030-01-01"}, "support_rationale": {"ten years of field use"}}
	rec := c.post("/products", form)
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "Invalid product", "Name is required", "must be a date YYYY-MM-DD",
		`value="ACME &lt;b&gt;GmbH&lt;/b&gt;"`, `value="2030-01-01"`, "ten years of field use",
		`<option value="critical" selected>`, `aria-invalid="true"`, "Start must be a date")

	form.Set("name", "Router")
	form.Set("support_start", "2026-01-01")
	wantStatus(t, c.post("/products", form), http.StatusSeeOther)
	rec = c.post("/products", form)
	wantStatus(t, rec, http.StatusConflict)
	wantBody(t, rec, "already exists")

	// Edit: rename, and the redirect follows the new name.
	form.Set("name", "Router X")
	rec = c.post("/products/Router", form)
	wantStatus(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != "/products/Router%20X" {
		t.Errorf("Location = %q", got)
	}
	p, err := db.Product(context.Background(), "Router X")
	if err != nil || p.Class != cradle.ClassCritical || p.Manufacturer != "ACME <b>GmbH</b>" {
		t.Fatalf("product after edit = %+v, %v", p, err)
	}
	// Releases: create, reject a duplicate, edit the lifecycle.
	rec = c.post("/products/Router%20X/releases", url.Values{"csrf": {tok}, "version": {"2.0"}, "release_date": {"2026-02-01"}, "lifecycle": {"development"}})
	wantStatus(t, rec, http.StatusSeeOther)
	rec = c.post("/products/Router%20X/releases", url.Values{"csrf": {tok}, "version": {"2.0"}, "lifecycle": {"bogus"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "must be one of development")
	rec = c.post("/products/Router%20X/releases/2.0", url.Values{"csrf": {tok}, "version": {"2.0"}, "release_date": {"2026-02-03"}, "lifecycle": {"released"}})
	wantStatus(t, rec, http.StatusSeeOther)
	rel, err := db.Release(context.Background(), "Router X", "2.0")
	if err != nil || rel.Lifecycle != cradle.LifecycleReleased || rel.ReleaseDate != "2026-02-03" {
		t.Fatalf("release after edit = %+v, %v", rel, err)
	}
}

func TestUIEscaping(t *testing.T) {
	s, db := newUIServer(t)
	ctx := context.Background()
	// Names may not contain "/", so the name carries an attribute-based
	// payload and the other fields a script element.
	evil := `<img src=x onerror=alert(1)>`
	script := `<script>alert(1)</script>`
	if err := db.CreateProduct(ctx, cradle.Actor{Name: "test"}, &cradle.Product{Name: evil, Manufacturer: script,
		Description: `"><svg onload=alert(2)>`, SupportRationale: script}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRelease(ctx, cradle.Actor{Name: "test"}, evil, &cradle.Release{Version: `1.0"><svg onload=x>`}); err != nil {
		t.Fatal(err)
	}
	c := signedIn(t, s, db, cradle.RoleAdmin)
	for _, p := range []string{"/", productURL(evil), releaseURL(evil, `1.0"><svg onload=x>`), "/audit"} {
		rec := c.get(p)
		wantStatus(t, rec, http.StatusOK)
		body := rec.Body.String()
		for _, bad := range []string{evil, script, `<img src=x`, `<svg onload`} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: body contains unescaped %q", p, bad)
			}
		}
	}
	wantBody(t, c.get("/"), html.EscapeString(evil), html.EscapeString(script))
}

// cycloneDX is a small but complete CycloneDX 1.5 document.
const cycloneDX = `{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "version": 1,
  "metadata": {
    "component": {"bom-ref": "app", "type": "application", "name": "thermostat-fw", "version": "3.1.0"}
  },
  "components": [
    {"bom-ref": "zlib", "type": "library", "name": "zlib", "version": "1.3.1", "purl": "pkg:generic/zlib@1.3.1",
     "licenses": [{"license": {"id": "Zlib"}}]},
    {"bom-ref": "openssl", "type": "library", "name": "openssl", "version": "3.0.13", "purl": "pkg:generic/openssl@3.0.13"}
  ],
  "dependencies": [
    {"ref": "app", "dependsOn": ["openssl"]},
    {"ref": "openssl", "dependsOn": ["zlib"]},
    {"ref": "zlib", "dependsOn": []}
  ]
}`

func (c *uiClient) upload(target, csrf, filename, content string) *httptest.ResponseRecorder {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("csrf", csrf); err != nil {
		c.t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.Close()
	return c.do(http.MethodPost, target, &buf, mw.FormDataContentType())
}

func TestUIUpload(t *testing.T) {
	s, db := newUIServer(t)
	ctx := context.Background()
	if err := db.CreateProduct(ctx, cradle.Actor{Name: "test"}, &cradle.Product{Name: "Thermostat"}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRelease(ctx, cradle.Actor{Name: "test"}, "Thermostat", &cradle.Release{Version: "3.1.0"}); err != nil {
		t.Fatal(err)
	}
	c := signedIn(t, s, db, cradle.RoleDeveloper)
	tok := c.csrf()
	const target = "/products/Thermostat/releases/3.1.0/upload"
	sboms := func() int {
		t.Helper()
		_, n, err := db.ListSBOMs(ctx, "Thermostat", "3.1.0", cradle.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("malformed", func(t *testing.T) {
		rec := c.upload(target, tok, "broken.cdx.json", "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n  \"components\": [\n    {\"name\": }\n  ]\n}\n")
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "SBOM not imported", "Nothing was changed", `class="loc"`, "broken.cdx.json")
		if n := sboms(); n != 0 {
			t.Errorf("%d SBOMs stored after a malformed upload", n)
		}
	})
	t.Run("schema violation", func(t *testing.T) {
		rec := c.upload(target, tok, "bad.json", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","version":"1"}]}`)
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "/components/0")
		if n := sboms(); n != 0 {
			t.Errorf("%d SBOMs stored after an invalid upload", n)
		}
	})
	t.Run("no file", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", tok)
		mw.Close()
		rec := c.do(http.MethodPost, target, &buf, mw.FormDataContentType())
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "No file was uploaded")
	})
	t.Run("without csrf", func(t *testing.T) {
		wantStatus(t, c.upload(target, "", "bom.json", cycloneDX), http.StatusForbidden)
		if n := sboms(); n != 0 {
			t.Errorf("%d SBOMs stored after an upload without CSRF token", n)
		}
	})
	t.Run("success", func(t *testing.T) {
		rec := c.upload(target, tok, "bom.json", cycloneDX)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "SBOM imported", "bom.json", "Components</dt><dd>3", "Dependency edges</dt><dd>2", "CycloneDX 1.5")
		if n := sboms(); n != 1 {
			t.Errorf("%d SBOMs stored, want 1", n)
		}
		rec = c.get("/products/Thermostat/releases/3.1.0")
		wantBody(t, rec, "openssl", "zlib", "thermostat-fw")
	})
	t.Run("identical again", func(t *testing.T) {
		rec := c.upload(target, tok, "bom.json", cycloneDX)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "already current")
		if n := sboms(); n != 1 {
			t.Errorf("%d SBOMs stored, want 1", n)
		}
	})
	t.Run("replace", func(t *testing.T) {
		rec := c.upload(target, tok, "bom2.json", strings.Replace(cycloneDX, "3.0.13", "3.0.14", -1))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "SBOM imported", "replaces SBOM #")
	})
	t.Run("reinstate", func(t *testing.T) {
		rec := c.upload(target, tok, "bom.json", cycloneDX)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "is current again")
	})
	t.Run("too large", func(t *testing.T) {
		small, err := New(db, Config{Version: "test", MaxUploadSize: 100}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c2 := &uiClient{t: t, h: small, cookies: c.cookies}
		rec := c2.upload(target, tok, "bom.json", cycloneDX)
		wantStatus(t, rec, http.StatusRequestEntityTooLarge)
		wantBody(t, rec, "larger than the limit", "Nothing was changed")
	})
}

func TestUIAdmin(t *testing.T) {
	s, db := newUIServer(t)
	c := signedIn(t, s, db, cradle.RoleAdmin)
	ctx := context.Background()
	tok := c.csrf()

	rec := c.post("/admin/users", url.Values{"csrf": {tok}, "email": {"dev@example.com"}, "name": {"Dev"}, "role": {"developer"}, "password": {"short"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "at least 12 characters", `value="dev@example.com"`)
	if strings.Contains(rec.Body.String(), `value="short"`) {
		t.Error("the password was echoed back")
	}
	rec = c.post("/admin/users", url.Values{"csrf": {tok}, "email": {"dev@example.com"}, "name": {"Dev"}, "role": {"developer"}, "password": {testPassword}})
	wantStatus(t, rec, http.StatusSeeOther)
	dev, err := db.UserByEmail(ctx, "dev@example.com")
	if err != nil {
		t.Fatal(err)
	}
	// Promote and disable.
	rec = c.post("/admin/users/"+itoa64(dev.ID), url.Values{"csrf": {tok}, "name": {"Dev"}, "role": {"auditor"}, "disabled": {"on"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if dev, _ = db.User(ctx, dev.ID); dev.Role != cradle.RoleAuditor || !dev.Disabled {
		t.Errorf("user after edit = %+v", dev)
	}
	// An administrator cannot lock themselves out.
	me, _ := db.UserByEmail(ctx, "admin@example.com")
	rec = c.post("/admin/users/"+itoa64(me.ID), url.Values{"csrf": {tok}, "name": {"x"}, "role": {"developer"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "your own")

	// Tokens: the secret is shown once, then the token can be revoked.
	rec = c.post("/admin/tokens", url.Values{"csrf": {tok}, "name": {"ci"}, "user_id": {itoa64(me.ID)}, "role": {"developer"}, "expires": {"2000-01-01"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "must be today or later")
	rec = c.post("/admin/tokens", url.Values{"csrf": {tok}, "name": {"ci"}, "user_id": {itoa64(me.ID)}, "role": {"developer"},
		"expires": {time.Now().AddDate(0, 1, 0).Format(cradle.DateLayout)}})
	wantStatus(t, rec, http.StatusCreated)
	wantBody(t, rec, "only time", store.TokenPrefix)
	secret := regexp.MustCompile(`value="(cradle_[^"]+)"`).FindStringSubmatch(rec.Body.String())
	if secret == nil {
		t.Fatal("no secret on the result page")
	}
	if _, err := db.TokenPrincipal(ctx, secret[1]); err != nil {
		t.Fatalf("the shown secret does not work: %v", err)
	}
	rec = c.get("/admin/tokens")
	wantBody(t, rec, "ci", "Developer", "/revoke")
	if strings.Contains(rec.Body.String(), secret[1]) {
		t.Error("the token list shows the secret")
	}
	toks, _, _ := db.ListTokens(ctx, cradle.Page{})
	wantStatus(t, c.post("/admin/tokens/"+itoa64(toks[0].ID)+"/revoke", url.Values{"csrf": {tok}}), http.StatusSeeOther)
	if _, err := db.TokenPrincipal(ctx, secret[1]); err == nil {
		t.Error("revoked token still works")
	}
}

func TestNewPagerKeepsQuery(t *testing.T) {
	r := httptest.NewRequest("GET", "/products/a/releases/1?q=log&relation=direct&page=2", nil)
	p := newPager(r, cradle.Page{Number: 2, PerPage: 10}, 35, "component components")
	if p.Pages != 4 || p.First != 11 || p.Last != 20 {
		t.Errorf("pager = %+v", p)
	}
	if want := "/products/a/releases/1?q=log&relation=direct"; p.PrevURL != want {
		t.Errorf("PrevURL = %q, want %q", p.PrevURL, want)
	}
	if want := "/products/a/releases/1?page=3&q=log&relation=direct"; p.NextURL != want {
		t.Errorf("NextURL = %q, want %q", p.NextURL, want)
	}
}

func TestSupportFlag(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ end, want string }{
		{"", "none"}, {"2026-05-31", "ended"}, {"2026-06-01", "ending"}, {"2027-05-31", "ending"}, {"2027-06-02", "active"},
	} {
		if got := supportAt(&cradle.Product{SupportEnd: tc.end}, now).State; got != tc.want {
			t.Errorf("support end %q: state %q, want %q", tc.end, got, tc.want)
		}
	}
}

func TestUIRoutesAreUI(t *testing.T) {
	s, _ := newUIServer(t)
	for _, rt := range s.allUIRoutes() {
		if !rt.UI {
			t.Errorf("%s: UI route without UI: true", rt.Pattern)
		}
	}
}

// BenchmarkUIPages renders the pages that must stay fast on a large
// portfolio: the store queries paginate, so a release page costs the same
// with 1,000 components as with 50 shown. Run with -benchtime=50x.
func BenchmarkUIPages(b *testing.B) {
	s, db := newUIServer(b)
	ctx := context.Background()
	actor := cradle.Actor{Name: "bench"}
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "Big", SupportStart: "2025-01-01", SupportEnd: "2031-01-01"}); err != nil {
		b.Fatal(err)
	}
	const releases, components = 20, 1000
	for r := range releases {
		v := "1." + itoa64(int64(r))
		if err := db.CreateRelease(ctx, actor, "Big", &cradle.Release{Version: v}); err != nil {
			b.Fatal(err)
		}
		doc := &cradle.SBOM{Format: cradle.FormatCycloneDX, Encoding: "json", SpecVersion: "1.6", Root: "root",
			Components: []cradle.Component{{Ref: "root", Name: "big"}}}
		for c := 1; c < components; c++ {
			ref := "c" + itoa64(int64(c))
			doc.Components = append(doc.Components, cradle.Component{Ref: ref, Name: "lib-" + ref, Version: "1.0." + v,
				PURL: "pkg:npm/lib-" + ref + "@1.0." + v})
			doc.Dependencies = append(doc.Dependencies, cradle.Dependency{From: "root", To: ref})
		}
		doc.ComputeDepths()
		if _, err := db.ImportSBOM(ctx, actor, "Big", v, []byte(v), doc, nil); err != nil {
			b.Fatal(err)
		}
	}
	c := signedIn(b, s, db, cradle.RoleAdmin)
	for _, path := range []string{"/", "/products/Big", "/products/Big/releases/1.7", "/products/Big/releases/1.7?q=lib-c9&relation=direct&page=2",
		"/components?q=pkg:npm/lib-c99@"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				if rec := c.get(path); rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
