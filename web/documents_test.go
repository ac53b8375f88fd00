package web

import (
	"net/http"
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
