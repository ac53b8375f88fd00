package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/psirt"
)

// TestUIAdvisoryPublishing configures the PSIRT through the settings page,
// writes an advisory for a case, publishes it and reads it as the public
// does: the disclosure policy page, the advisory page, security.txt and
// the CSAF tree.
func TestUIAdvisoryPublishing(t *testing.T) {
	s, db := newUIServer(t)
	ctx := context.Background()
	seedNotices(t, db, "Gateway")
	so := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := so.csrf()
	anon := newClient(t, s)

	// Before configuration: no security.txt, no tree, a placeholder policy.
	wantStatus(t, anon.get("/.well-known/security.txt"), http.StatusNotFound)
	wantStatus(t, anon.get("/.well-known/csaf/provider-metadata.json"), http.StatusNotFound)
	wantBody(t, anon.get("/security/policy"), "has not been configured yet")

	settings := url.Values{"csrf": {tok}, "contacts": {"mailto:psirt@northwind.example\nnot a uri"}, "base_url": {"https://psirt.northwind.example"},
		"expires_days": {"180"}, "preferred_languages": {"en, de"}, "publisher_name": {"Northwind <b>Automation</b>"},
		"publisher_namespace": {"https://northwind.example"}, "tracking_prefix": {"NW-SA"}, "intake_enabled": {"on"},
		"cvd_policy": {"# Our policy\n\nReport to {{.Contact}}.\n\n- <script>alert(1)</script>\n"}}
	rec := so.post("/settings/psirt", settings)
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "must be a mailto:, https: or tel: URI")
	settings.Set("contacts", "mailto:psirt@northwind.example")
	wantStatus(t, so.post("/settings/psirt", settings), http.StatusSeeOther)
	wantStatus(t, so.post("/settings/psirt/key", url.Values{"csrf": {tok}, "action": {"generate"}}), http.StatusSeeOther)
	rec = so.get("/settings/psirt")
	wantBody(t, rec, "BEGIN PGP PUBLIC KEY BLOCK", "Contact: mailto:psirt@northwind.example")

	// The policy page: placeholders filled, markup escaped.
	rec = anon.get("/security/policy")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "<h2>Our policy</h2>", "Report to psirt@northwind.example.", "&lt;script&gt;")
	if strings.Contains(rec.Body.String(), "<script>alert") {
		t.Fatal("the policy page renders markup from the policy text")
	}
	wantBody(t, anon.get("/.well-known/security.txt"), "Contact: mailto:psirt@northwind.example", "Policy: https://psirt.northwind.example/security/policy")

	// A case with release statuses, then an advisory for it.
	c, err := s.ps.Open(ctx, cradle.Actor{Name: "test"}, psirt.NewCase{Title: "x/net flood", VulnID: "CVE-2024-45338", Suggest: true,
		CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"})
	if err != nil {
		t.Fatal(err)
	}
	rs := c.Releases
	for i := range rs {
		rs[i].Status, rs[i].Action = cradle.VEXAffected, "Limit HTTP/2 streams at the proxy."
	}
	if _, err := s.ps.Update(ctx, cradle.Actor{Name: "test"}, c.Ref, psirt.CasePatch{Releases: &rs}); err != nil {
		t.Fatal(err)
	}
	rec = so.get("/cases/" + c.Ref + "/advisories/new")
	wantStatus(t, rec, http.StatusOK)
	form := url.Values{"csrf": {tok}, "category": {"csaf_security_advisory"}, "tlp": {"WHITE"}, "title": {""}, "summary": {"S"}}
	wantStatus(t, so.post("/cases/"+c.Ref+"/advisories", form), http.StatusBadRequest)
	form.Set("title", `Flood in Gateway <img src=x onerror=alert(1)>`)
	rec = so.post("/cases/"+c.Ref+"/advisories", form)
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	id := strings.TrimPrefix(loc, "/advisories/")
	rec = so.get(loc)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "passes the CSAF 2.0 schema and all mandatory tests", "Publish revision 1", "&lt;img src=x")
	// Publishing needs a revision summary; then revision 1 is public.
	wantStatus(t, so.post(loc+"/publish", url.Values{"csrf": {tok}, "status": {"final"}, "summary": {""}}), http.StatusBadRequest)
	wantStatus(t, so.post(loc+"/publish", url.Values{"csrf": {tok}, "status": {"final"}, "summary": {"Initial public release"}}), http.StatusSeeOther)
	rec = anon.get("/security/advisories/" + id)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "CVE-2024-45338", "Limit HTTP/2 streams at the proxy.", "Gateway 1.0")
	if strings.Contains(rec.Body.String(), "<img src=x") {
		t.Fatal("the public advisory renders markup from the title")
	}
	wantBody(t, anon.get("/security/policy"), id)
	rec = anon.get("/.well-known/csaf/provider-metadata.json")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, `"csaf_trusted_provider"`)
	wantStatus(t, anon.get("/.well-known/csaf/white/index.txt"), http.StatusOK)
	// Editing a published advisory changes its next revision only: a RED
	// advisory edited to WHITE stays private until it is republished, and
	// the CSAF tree keeps building from the published documents.
	form.Set("tlp", "RED")
	form.Set("title", "Embargoed flood")
	rec = so.post("/cases/"+c.Ref+"/advisories", form)
	wantStatus(t, rec, http.StatusSeeOther)
	red := rec.Header().Get("Location")
	wantStatus(t, so.post(red+"/publish", url.Values{"csrf": {tok}, "status": {"final"}, "summary": {"Initial release to customers"}}), http.StatusSeeOther)
	edit := url.Values{"csrf": {tok}, "category": {"csaf_security_advisory"}, "tlp": {"WHITE"}, "title": {"Renamed"}, "summary": {"S"}}
	wantStatus(t, so.post(red, edit), http.StatusSeeOther)
	wantStatus(t, anon.get("/security/advisories/"+strings.TrimPrefix(red, "/advisories/")), http.StatusNotFound)
	if strings.Contains(anon.get("/security/policy").Body.String(), "Renamed") {
		t.Fatal("the policy page lists an unpublished title")
	}
	wantStatus(t, anon.get("/.well-known/csaf/provider-metadata.json"), http.StatusOK)
	wantStatus(t, anon.get("/.well-known/csaf/red/index.txt"), http.StatusNotFound)

	// The developer reads but may not publish.
	dev := signedIn(t, s, db, cradle.RoleDeveloper)
	wantStatus(t, dev.get(loc), http.StatusOK)
	wantStatus(t, dev.post(loc+"/publish", url.Values{"csrf": {dev.csrf()}, "status": {"final"}, "summary": {"x"}}), http.StatusForbidden)

	// VEX import on the product page: a bad document is reported on the page.
	rec = so.upload("/products/Gateway/vex", tok, "bad.json", `{"@context":"https://openvex.dev/ns/v0.2.0"}`)
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "bad.json")
	rec = so.upload("/products/Gateway/vex", tok, "supplier.json", `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://s.example/v/1",
	"author":"S","timestamp":"2026-11-01T00:00:00Z","version":1,"statements":[{"vulnerability":{"name":"CVE-2024-45338"},
	"products":[{"@id":"pkg:golang/golang.org/x/net@v0.17.0"}],"status":"not_affected","justification":"vulnerable_code_not_present"}]}`)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "decision(s) recorded")
}
