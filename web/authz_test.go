package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// access is the expected authorisation matrix: for every route, which
// roles may use it. "public" routes admit anyone, "signed-in" any role.
// It is written out by hand, independent of the permission table in
// user.go, so that a change to either shows up here.
var access = map[string]string{
	"GET /healthz":             "public",
	"GET /api/v1/openapi.json": "public",
	"GET /api/v1/me":           "signed-in",

	"GET /api/v1/products":           "admin security-officer developer auditor",
	"POST /api/v1/products":          "admin security-officer",
	"GET /api/v1/products/{product}": "admin security-officer developer auditor",
	"PUT /api/v1/products/{product}": "admin security-officer",

	"GET /api/v1/products/{product}/releases":                           "admin security-officer developer auditor",
	"POST /api/v1/products/{product}/releases":                          "admin security-officer developer",
	"GET /api/v1/products/{product}/releases/{version}":                 "admin security-officer developer auditor",
	"PUT /api/v1/products/{product}/releases/{version}":                 "admin security-officer developer",
	"GET /api/v1/products/{product}/releases/{version}/components":      "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/releases/{version}/components/{id}": "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/releases/{version}/sboms":           "admin security-officer developer auditor",
	"POST /api/v1/products/{product}/releases/{version}/sboms":          "admin security-officer developer",
	"GET /api/v1/products/{product}/releases/{version}/sboms/{id}":      "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/releases/{version}/sbom":            "admin security-officer developer auditor",
	"GET /api/v1/components":                                            "admin security-officer developer auditor",

	"GET /api/v1/findings":          "admin security-officer developer auditor",
	"GET /api/v1/vulns/{id}":        "admin security-officer developer auditor",
	"GET /api/v1/vulns/{id}/impact": "admin security-officer developer auditor",
	"GET /api/v1/vulndb/status":     "admin security-officer developer auditor",
	"POST /api/v1/vulndb/rematch":   "admin security-officer",

	"GET /api/v1/events":              "admin security-officer developer auditor",
	"GET /api/v1/webhooks":            "admin",
	"POST /api/v1/webhooks":           "admin",
	"GET /api/v1/webhooks/deliveries": "admin",

	"GET /api/v1/users":          "admin",
	"POST /api/v1/users":         "admin",
	"PUT /api/v1/users/{id}":     "admin",
	"GET /api/v1/tokens":         "admin",
	"POST /api/v1/tokens":        "admin",
	"DELETE /api/v1/tokens/{id}": "admin",
	"GET /api/v1/audit":          "admin auditor",
	"GET /api/v1/audit/verify":   "admin auditor",

	// Vulnerability handling, advisories, VEX and the public PSIRT files.
	"GET /api/v1/cases":                                                  "admin security-officer developer auditor",
	"POST /api/v1/cases":                                                 "admin security-officer developer",
	"GET /api/v1/cases/{ref}":                                            "admin security-officer developer auditor",
	"PATCH /api/v1/cases/{ref}":                                          "admin security-officer",
	"POST /api/v1/cases/{ref}/decision":                                  "admin security-officer",
	"GET /api/v1/cases/{ref}/art14/{stage}":                              "admin security-officer",
	"POST /api/v1/cases/{ref}/art14":                                     "admin security-officer",
	"POST /api/v1/cases/{ref}/advisories":                                "admin security-officer",
	"GET /api/v1/case-suggestions/exploited":                             "admin security-officer developer auditor",
	"GET /api/v1/case-reviews":                                           "admin security-officer developer auditor",
	"POST /api/v1/case-reviews":                                          "admin security-officer",
	"GET /api/v1/decisions":                                              "admin security-officer developer auditor",
	"GET /api/v1/settings/remediation-policy":                            "admin security-officer developer auditor",
	"PUT /api/v1/settings/remediation-policy":                            "admin security-officer",
	"POST /api/v1/cvss":                                                  "admin security-officer developer auditor",
	"POST /api/v1/intake":                                                "public",
	"GET /api/v1/intake/{id}/status":                                     "public",
	"GET /api/v1/intake":                                                 "admin security-officer",
	"GET /api/v1/intake/{id}":                                            "admin security-officer",
	"PUT /api/v1/intake/{id}":                                            "admin security-officer",
	"GET /api/v1/security-updates":                                       "admin security-officer developer auditor",
	"POST /api/v1/products/{product}/releases/{version}/security-update": "admin security-officer",
	"GET /api/v1/reports/time-to-fix":                                    "admin security-officer developer auditor",
	"GET /api/v1/subscribers":                                            "admin security-officer",
	"POST /api/v1/subscribers":                                           "admin security-officer",
	"DELETE /api/v1/subscribers/{id}":                                    "admin security-officer",
	"GET /api/v1/mail":                                                   "admin security-officer",
	"GET /api/v1/advisories":                                             "admin security-officer developer auditor",
	"GET /api/v1/advisories/{id}":                                        "admin security-officer developer auditor",
	"PUT /api/v1/advisories/{id}":                                        "admin security-officer",
	"GET /api/v1/advisories/{id}/csaf":                                   "admin security-officer developer auditor",
	"POST /api/v1/advisories/{id}/publish":                               "admin security-officer",
	"POST /api/v1/csaf/validate":                                         "admin security-officer developer auditor",
	"GET /api/v1/settings/psirt":                                         "admin security-officer developer auditor",
	"PUT /api/v1/settings/psirt":                                         "admin security-officer",
	"GET /api/v1/settings/signing-key":                                   "admin security-officer developer auditor",
	"POST /api/v1/settings/signing-key":                                  "admin security-officer",
	"POST /api/v1/products/{product}/vex":                                "admin security-officer",
	"GET /api/v1/products/{product}/vex":                                 "admin security-officer developer auditor",
	"GET /.well-known/security.txt":                                      "public",
	"GET /.well-known/csaf/":                                             "public",

	// UI.
	"GET /static/{file}": "public",
	"GET /login":         "public",
	"POST /login":        "login", // public, but answers 401/403 for bad credentials or a missing sign-in cookie
	"POST /logout":       "signed-in",
	"GET /":              "public", // the not-found page
	"GET /{$}":           "admin security-officer developer auditor",

	"GET /products/new":                                          "admin security-officer",
	"POST /products":                                             "admin security-officer",
	"GET /products/{product}":                                    "admin security-officer developer auditor",
	"GET /products/{product}/edit":                               "admin security-officer",
	"POST /products/{product}":                                   "admin security-officer",
	"POST /products/{product}/releases":                          "admin security-officer developer",
	"GET /products/{product}/releases/{version}":                 "admin security-officer developer auditor",
	"POST /products/{product}/releases/{version}":                "admin security-officer developer",
	"GET /products/{product}/releases/{version}/components/{id}": "admin security-officer developer auditor",
	"GET /products/{product}/releases/{version}/upload":          "admin security-officer developer",
	"POST /products/{product}/releases/{version}/upload":         "admin security-officer developer",
	"GET /components":                                            "admin security-officer developer auditor",

	"GET /findings":        "admin security-officer developer auditor",
	"GET /vulns/{id}":      "admin security-officer developer auditor",
	"GET /vulndb":          "admin security-officer developer auditor",
	"POST /vulndb/rematch": "admin security-officer",
	"POST /vulndb/import":  "admin security-officer",
	"GET /events":          "admin security-officer developer auditor",

	"GET /admin/users":               "admin",
	"POST /admin/users":              "admin",
	"POST /admin/users/{id}":         "admin",
	"GET /admin/tokens":              "admin",
	"POST /admin/tokens":             "admin",
	"POST /admin/tokens/{id}/revoke": "admin",
	"GET /admin/webhooks":            "admin",
	"POST /admin/webhooks":           "admin",
	"GET /audit":                     "admin auditor",
	"GET /audit/verify":              "admin auditor",

	// Vulnerability handling (ui_psirt*.go).
	"GET /cases":                       "admin security-officer developer auditor",
	"GET /cases/new":                   "admin security-officer developer",
	"POST /cases/new/calculate":        "admin security-officer developer",
	"POST /cases":                      "admin security-officer developer",
	"GET /cases/{ref}":                 "admin security-officer developer auditor",
	"POST /cases/{ref}":                "admin security-officer",
	"POST /cases/{ref}/calculate":      "admin security-officer",
	"POST /cases/{ref}/releases":       "admin security-officer",
	"POST /cases/{ref}/decision":       "admin security-officer",
	"POST /cases/{ref}/exploited":      "admin security-officer",
	"POST /cases/{ref}/fix":            "admin security-officer",
	"POST /cases/{ref}/upstream":       "admin security-officer",
	"POST /cases/{ref}/art14":          "admin security-officer",
	"GET /cases/{ref}/art14/{stage}":   "admin security-officer",
	"POST /case-reviews":               "admin security-officer",
	"GET /report":                      "public",
	"POST /report":                     "public",
	"GET /report/status/{id}":          "public",
	"GET /intake":                      "admin security-officer",
	"GET /intake/{id}":                 "admin security-officer",
	"POST /intake/{id}":                "admin security-officer",
	"GET /intake/{id}/attachments/{n}": "admin security-officer",
	"GET /updates":                     "admin security-officer developer auditor",
	"GET /products/{product}/releases/{version}/security-update":  "admin security-officer",
	"POST /products/{product}/releases/{version}/security-update": "admin security-officer",
	"GET /settings/remediation":                                   "admin security-officer developer auditor",
	"POST /settings/remediation":                                  "admin security-officer",
	"GET /settings/subscribers":                                   "admin security-officer",
	"POST /settings/subscribers":                                  "admin security-officer",
	"POST /settings/subscribers/{id}/delete":                      "admin security-officer",
	"POST /prefs/timezone":                                        "signed-in",

	// Advisories, PSIRT settings, public pages (ui_advisory.go).
	"GET /advisories":                 "admin security-officer developer auditor",
	"GET /cases/{ref}/advisories/new": "admin security-officer",
	"POST /cases/{ref}/advisories":    "admin security-officer",
	"GET /advisories/{id}":            "admin security-officer developer auditor",
	"POST /advisories/{id}":           "admin security-officer",
	"POST /advisories/{id}/publish":   "admin security-officer",
	"GET /advisories/{id}/view":       "admin security-officer developer auditor",
	"GET /security/advisories/{id}":   "public",
	"GET /security/policy":            "public",
	"GET /settings/psirt":             "admin security-officer developer auditor",
	"POST /settings/psirt":            "admin security-officer",
	"POST /settings/psirt/key":        "admin security-officer",
	"POST /products/{product}/vex":    "admin security-officer",

	// Release compliance (api_compliance.go, ui_compliance.go).
	"GET /api/v1/products/{product}/releases/{version}/compliance":                                 "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/releases/{version}/compliance/history":                         "admin security-officer developer auditor",
	"PUT /api/v1/products/{product}/releases/{version}/compliance/{requirement}":                   "admin security-officer",
	"POST /api/v1/products/{product}/releases/{version}/compliance/{requirement}/evidence":         "admin security-officer developer",
	"PUT /api/v1/products/{product}/releases/{version}/maturity/{practice}":                        "admin security-officer",
	"GET /products/{product}/releases/{version}/compliance":                                        "admin security-officer developer auditor",
	"POST /products/{product}/releases/{version}/compliance/requirements/{requirement}/assessment": "admin security-officer",
	"POST /products/{product}/releases/{version}/compliance/requirements/{requirement}/evidence":   "admin security-officer developer",
	"POST /products/{product}/releases/{version}/compliance/practices/{practice}/maturity":         "admin security-officer",

	// Compliance documents (documents.go).
	"GET /api/v1/products/{product}/documents/{kind}":               "admin security-officer developer auditor",
	"GET /api/v1/compliance/organisation/documents/self-assessment": "admin security-officer developer auditor",
	"GET /products/{product}/documents/{kind}":                      "admin security-officer developer auditor",
	"GET /compliance/organisation/documents/self-assessment":        "admin security-officer developer auditor",

	// Compliance: catalogues, assessments, evidence, maturity (api_compliance.go, ui_compliance.go).
	"GET /api/v1/catalogs":                                                         "admin security-officer developer auditor",
	"POST /api/v1/catalogs":                                                        "admin security-officer",
	"GET /api/v1/catalogs/{id}":                                                    "admin security-officer developer auditor",
	"GET /api/v1/catalogs/{id}/oscal":                                              "admin security-officer developer auditor",
	"GET /api/v1/compliance/matrix":                                                "admin security-officer developer auditor",
	"GET /api/v1/compliance/organisation":                                          "admin security-officer developer auditor",
	"GET /api/v1/compliance/organisation/history":                                  "admin security-officer developer auditor",
	"PUT /api/v1/compliance/organisation/{requirement}":                            "admin security-officer",
	"POST /api/v1/compliance/organisation/{requirement}/evidence":                  "admin security-officer developer",
	"PUT /api/v1/compliance/organisation/maturity/{practice}":                      "admin security-officer",
	"GET /api/v1/products/{product}/compliance":                                    "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/compliance/history":                            "admin security-officer developer auditor",
	"PUT /api/v1/products/{product}/compliance/{requirement}":                      "admin security-officer",
	"POST /api/v1/products/{product}/compliance/{requirement}/evidence":            "admin security-officer developer",
	"PUT /api/v1/products/{product}/scope":                                         "admin security-officer",
	"PUT /api/v1/products/{product}/applicability/{requirement}":                   "admin security-officer",
	"PUT /api/v1/products/{product}/maturity/{practice}":                           "admin security-officer",
	"DELETE /api/v1/evidence/{id}":                                                 "admin security-officer",
	"GET /api/v1/evidence/{id}/file":                                               "admin security-officer developer auditor",
	"GET /products/{product}/threat-model":                                         "admin security-officer developer auditor",
	"GET /products/{product}/threat-model/diagram.svg":                             "admin security-officer developer auditor",
	"POST /products/{product}/threat-model":                                        "admin security-officer developer",
	"POST /products/{product}/threat-model/reviews":                                "admin security-officer",
	"GET /products/{product}/releases/{version}/results":                           "admin security-officer developer auditor",
	"POST /products/{product}/releases/{version}/results":                          "admin security-officer developer",
	"POST /products/{product}/results/suppressions":                                "admin security-officer",
	"GET /products/{product}/releases/{version}/sbom/quality":                      "admin security-officer developer auditor",
	"GET /products/{product}/releases/{version}/gate":                              "admin security-officer developer auditor",
	"POST /products/{product}/releases/{version}/gate":                             "admin security-officer developer",
	"GET /gate/decisions/{id}":                                                     "admin security-officer developer auditor",
	"POST /products/{product}/gate/exceptions":                                     "admin security-officer",
	"POST /gate/exceptions/{id}/revoke":                                            "admin security-officer",
	"POST /products/{product}/gate/policy":                                         "admin security-officer",
	"POST /api/v1/products/{product}/threat-model":                                 "admin security-officer developer",
	"GET /api/v1/products/{product}/threat-model":                                  "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/threat-model/diagram":                          "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/threat-model/diff":                             "admin security-officer developer auditor",
	"POST /api/v1/products/{product}/threat-model/reviews":                         "admin security-officer",
	"POST /api/v1/products/{product}/releases/{version}/results":                   "admin security-officer developer",
	"GET /api/v1/products/{product}/releases/{version}/results":                    "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/releases/{version}/results/imports":            "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/results/trend":                                 "admin security-officer developer auditor",
	"POST /api/v1/products/{product}/results/suppressions":                         "admin security-officer",
	"GET /api/v1/products/{product}/releases/{version}/sbom/quality":               "admin security-officer developer auditor",
	"POST /api/v1/sbom/check":                                                      "admin security-officer developer auditor",
	"POST /api/v1/products/{product}/releases/{version}/gate":                      "admin security-officer developer",
	"GET /api/v1/products/{product}/releases/{version}/gate":                       "admin security-officer developer auditor",
	"GET /api/v1/gate/decisions/{id}":                                              "admin security-officer developer auditor",
	"GET /api/v1/gate/decisions/{id}/verify":                                       "admin security-officer developer auditor",
	"GET /api/v1/products/{product}/gate/policy":                                   "admin security-officer developer auditor",
	"PUT /api/v1/products/{product}/gate/policy":                                   "admin security-officer",
	"GET /api/v1/products/{product}/gate/exceptions":                               "admin security-officer developer auditor",
	"POST /api/v1/products/{product}/gate/exceptions":                              "admin security-officer",
	"DELETE /api/v1/gate/exceptions/{id}":                                          "admin security-officer",
	"GET /compliance":                                                              "admin security-officer developer auditor",
	"GET /compliance/organisation":                                                 "admin security-officer developer auditor",
	"POST /compliance/organisation/requirements/{requirement}/assessment":          "admin security-officer",
	"POST /compliance/organisation/requirements/{requirement}/evidence":            "admin security-officer developer",
	"POST /compliance/organisation/practices/{practice}/maturity":                  "admin security-officer",
	"GET /products/{product}/compliance":                                           "admin security-officer developer auditor",
	"POST /products/{product}/compliance/scope":                                    "admin security-officer",
	"POST /products/{product}/compliance/requirements/{requirement}/assessment":    "admin security-officer",
	"POST /products/{product}/compliance/requirements/{requirement}/applicability": "admin security-officer",
	"POST /products/{product}/compliance/requirements/{requirement}/evidence":      "admin security-officer developer",
	"POST /products/{product}/compliance/practices/{practice}/maturity":            "admin security-officer",
	"POST /evidence/{id}/remove":                                                   "admin security-officer",
	"GET /catalogs":                                                                "admin security-officer developer auditor",
	"POST /catalogs":                                                               "admin security-officer",
}

// authzFixture is a server with one product, release, SBOM, and a user
// and API token per role.
type authzFixture struct {
	srv    *Server
	db     *store.DB
	users  map[cradle.Role]*cradle.User
	tokens map[cradle.Role]string
}

func newAuthzFixture(t *testing.T, engine string) *authzFixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, engine)
	srv, err := New(db, Config{Version: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sys := cradle.Actor{Name: "test"}
	if err := db.CreateProduct(ctx, sys, &cradle.Product{Name: "P"}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRelease(ctx, sys, "P", &cradle.Release{Version: "1"}); err != nil {
		t.Fatal(err)
	}
	doc := &cradle.SBOM{Format: cradle.FormatCycloneDX, Encoding: "json", SpecVersion: "1.6", Root: "a",
		Components:   []cradle.Component{{Ref: "a", Name: "app", Version: "1"}, {Ref: "b", Name: "lib", Version: "2", PURL: "pkg:npm/lib@2"}},
		Dependencies: []cradle.Dependency{{From: "a", To: "b"}}}
	doc.ComputeDepths()
	if _, err := db.ImportSBOM(ctx, sys, "P", "1", []byte(`{}`), doc, nil); err != nil {
		t.Fatal(err)
	}
	f := &authzFixture{srv: srv, db: db, users: map[cradle.Role]*cradle.User{}, tokens: map[cradle.Role]string{}}
	for _, r := range cradle.Roles {
		u := &cradle.User{Email: string(r) + "@example.com", Role: r}
		if err := db.CreateUser(ctx, sys, u, "a long test password"); err != nil {
			t.Fatal(err)
		}
		f.users[r] = u
	}
	// Token 1 is a throw-away, so that DELETE /api/v1/tokens/1 revokes
	// nothing the test relies on.
	if _, err := db.CreateToken(ctx, sys, &cradle.Token{UserID: f.users[cradle.RoleAuditor].ID, Name: "spare", Role: cradle.RoleAuditor}); err != nil {
		t.Fatal(err)
	}
	for _, r := range cradle.Roles {
		secret, err := db.CreateToken(ctx, sys, &cradle.Token{UserID: f.users[r].ID, Name: "t", Role: r})
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[r] = secret
	}
	return f
}

// concretePath fills a route pattern's wildcards.
func concretePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.NewReplacer("{product}", "P", "{version}", "1", "{id}", "1", "{file...}", "style.css", "{file}", "style.css", "{$}", "").Replace(path)
	return method, path
}

// request sends a request as a role ("" for anonymous), by token for API
// routes and by a fresh session (with its CSRF token) for UI routes.
func (f *authzFixture) request(t *testing.T, rt route, role cradle.Role, withCSRF bool) *httptest.ResponseRecorder {
	t.Helper()
	method, path := concretePath(rt.Pattern)
	form := url.Values{}
	var req *http.Request
	if role != "" && rt.UI {
		sess, err := f.db.CreateSession(context.Background(), f.users[role])
		if err != nil {
			t.Fatal(err)
		}
		if withCSRF {
			form.Set("csrf", sess.CSRF)
		}
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.Token})
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if role != "" {
			req.Header.Set("Authorization", "Bearer "+f.tokens[role])
		}
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

// TestAuthorizationMatrix sends every route in the table as every role and
// as an anonymous caller, and checks the outcome against access.
func TestAuthorizationMatrix(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			f := newAuthzFixture(t, engine)
			seen := map[string]bool{}
			for _, rt := range f.srv.routes() {
				seen[rt.Pattern] = true
				want, ok := access[rt.Pattern]
				if !ok {
					t.Errorf("route %q is not in the access table: add it with the roles that may use it", rt.Pattern)
					continue
				}
				// Anonymous.
				w := f.request(t, rt, "", true)
				if w.Code >= 500 {
					t.Errorf("%s anonymous: status %d", rt.Pattern, w.Code)
				}
				if want == "login" {
					continue // its own test covers it (ui_test.go)
				}
				switch {
				case want == "public":
					if w.Code == http.StatusUnauthorized || w.Code == http.StatusForbidden {
						t.Errorf("%s anonymous: status %d, want public access", rt.Pattern, w.Code)
					}
				case rt.UI:
					if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
						t.Errorf("%s anonymous: status %d (Location %q), want 303 to /login", rt.Pattern, w.Code, w.Header().Get("Location"))
					}
				default:
					if w.Code != http.StatusUnauthorized {
						t.Errorf("%s anonymous: status %d, want 401", rt.Pattern, w.Code)
					}
				}
				for _, role := range cradle.Roles {
					allowed := want == "public" || want == "signed-in" || strings.Contains(" "+want+" ", " "+string(role)+" ")
					w := f.request(t, rt, role, true)
					denied := w.Code == http.StatusUnauthorized || w.Code == http.StatusForbidden
					if allowed && denied {
						t.Errorf("%s as %s: status %d, want access", rt.Pattern, role, w.Code)
					}
					if !allowed && w.Code != http.StatusForbidden {
						t.Errorf("%s as %s: status %d, want 403", rt.Pattern, role, w.Code)
					}
				}
			}
			for p := range access {
				if !seen[p] {
					t.Errorf("access table names %q, which is not a route", p)
				}
			}
		})
	}
}

// TestCSRFRequired checks that every state-changing UI route refuses a
// signed-in request without the session's CSRF token and changes nothing.
func TestCSRFRequired(t *testing.T) {
	f := newAuthzFixture(t, store.SQLite)
	for _, rt := range f.srv.routes() {
		method, _ := concretePath(rt.Pattern)
		if !rt.UI || safeMethod(method) || access[rt.Pattern] == "public" || access[rt.Pattern] == "login" {
			continue
		}
		if w := f.request(t, rt, cradle.RoleAdmin, false); w.Code != http.StatusForbidden {
			t.Errorf("%s without CSRF token: status %d, want 403", rt.Pattern, w.Code)
		}
	}
	// The API refuses cookie-authenticated writes without X-CSRF-Token.
	sess, _ := f.db.CreateSession(context.Background(), f.users[cradle.RoleAdmin])
	req := httptest.NewRequest("POST", "/api/v1/products", strings.NewReader(`{"name":"X"}`))
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.Token})
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden {
		t.Errorf("API write with session cookie and no X-CSRF-Token: status %d, want 403", w.Code)
	}
	// Nothing may have changed: the only audit entries are the fixture's
	// and the session logins the test made.
	entries, _, _ := f.db.ListAudit(context.Background(), store.AuditFilter{}, cradle.Page{PerPage: cradle.MaxPerPage})
	for _, e := range entries {
		if e.Action != "session.login" && e.Actor != "test" {
			t.Errorf("a refused request changed something: %s %s %s by %s", e.Action, e.EntityType, e.EntityID, e.Actor)
		}
	}
}
