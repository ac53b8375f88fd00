package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
)

// The product compliance page links the documents, and each downloads as
// an attachment that the browser is not allowed to render in cradle's
// origin.
func TestUIDocuments(t *testing.T) {
	s, db := newUIServer(t)
	seedNotices(t, db, "Gateway")
	aud := signedIn(t, s, db, cradle.RoleAuditor)
	rec := aud.get("/products/Gateway/compliance")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "/products/Gateway/documents/technical-documentation", "/products/Gateway/documents/declaration")
	rec = aud.get("/products/Gateway/documents/declaration")
	wantStatus(t, rec, http.StatusOK)
	if !strings.HasPrefix(rec.Body.String(), "%PDF-") || rec.Header().Get("Content-Security-Policy") != "sandbox" ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("declaration download: %v", rec.Header())
	}
	rec = aud.get("/products/Gateway/documents/technical-documentation")
	wantStatus(t, rec, http.StatusOK)
	if !strings.HasPrefix(rec.Body.String(), "PK") || rec.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("bundle: %v", rec.Header())
	}
	wantStatus(t, aud.get("/products/Gateway/documents/poem"), http.StatusNotFound)
	wantStatus(t, aud.get("/compliance/organisation/documents/self-assessment?format=html"), http.StatusOK)
}

// A release has its own compliance page: its assessments where it differs,
// the product's (marked inherited) elsewhere.
func TestUIReleaseCompliance(t *testing.T) {
	s, db := newUIServer(t)
	seedNotices(t, db, "Gateway") // releases 1.0 and 1.1-dev
	so := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := so.csrf()
	wantStatus(t, so.post("/products/Gateway/compliance/requirements/SVV-3/assessment", url.Values{"csrf": {tok}, "status": {"met"}}), http.StatusSeeOther)
	rec := so.get("/products/Gateway/compliance")
	wantBody(t, rec, "/products/Gateway/releases/1.0/compliance")
	rec = so.get("/products/Gateway/releases/1.0/compliance")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Gateway 1.0", "inherited from the product")
	wantStatus(t, so.post("/products/Gateway/releases/1.0/compliance/requirements/SVV-3/assessment", url.Values{"csrf": {tok}, "status": {"bogus"}}), http.StatusBadRequest)
	rec = so.post("/products/Gateway/releases/1.0/compliance/requirements/SVV-3/assessment", url.Values{"csrf": {tok}, "status": {"partial"}, "notes": {"<b>pentest</b> pending"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/products/Gateway/releases/1.0/compliance") {
		t.Fatalf("redirect to %s", loc)
	}
	rec = so.get("/products/Gateway/releases/1.0/compliance")
	wantBody(t, rec, "this release", "&lt;b&gt;pentest&lt;/b&gt; pending")
	wantStatus(t, so.get("/products/Gateway/releases/9.9/compliance"), http.StatusNotFound)
	// The product's own view is unchanged.
	if !strings.Contains(so.get("/products/Gateway/compliance").Body.String(), "SVV-3") {
		t.Fatal("product page lost SVV-3")
	}
}
