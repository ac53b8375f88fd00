package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// evidenceFile is a file part of a multipart form.
type evidenceFile struct {
	Field, Name, Content string
}

// postMultipart sends a multipart/form-data POST as a browser does.
func (c *uiClient) postMultipart(target string, fields map[string]string, files ...evidenceFile) *httptest.ResponseRecorder {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			c.t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+f.Field+`"; filename="`+strings.ReplaceAll(f.Name, `\`, `\\`)+`"`)
		h.Set("Content-Type", "text/html")
		w, err := mw.CreatePart(h)
		if err != nil {
			c.t.Fatal(err)
		}
		io.WriteString(w, f.Content)
	}
	mw.Close()
	return c.do(http.MethodPost, target, &buf, mw.FormDataContentType())
}

// complianceSeed stores two products: Gateway (important class I, a
// released version) and Sensor (default class).
func complianceSeed(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	actor := cradle.Actor{Name: "test"}
	for _, p := range []*cradle.Product{
		{Name: "Gateway", Class: cradle.ClassImportantI, SupportStart: "2025-01-01", SupportEnd: "2032-01-01"},
		{Name: "Sensor", Class: cradle.ClassDefault},
	} {
		if err := db.CreateProduct(ctx, actor, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreateRelease(ctx, actor, "Gateway", &cradle.Release{Version: "1.0", Lifecycle: cradle.LifecycleReleased}); err != nil {
		t.Fatal(err)
	}
}

// practiceRow returns the maturity table row of a practice.
func practiceRow(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `<tr id="practice-`+id+`">`)
	if i < 0 {
		t.Fatalf("no row for practice %s", id)
	}
	j := strings.Index(body[i:], "</tr>")
	return body[i : i+j]
}

// TestUIComplianceWalkthrough follows a product through the compliance
// pages: scope decision, assessments, evidence, maturity, the matrix,
// downloads, escaping and who may do what, on every available engine.
func TestUIComplianceWalkthrough(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			db := storetest.Open(t, engine)
			// A small upload limit, so that "too large" is cheap to provoke;
			// the evidence limit is the lower of it and the domain's.
			s, err := New(db, Config{Version: "test", MaxUploadSize: 256 << 10}, nil)
			if err != nil {
				t.Fatal(err)
			}
			complianceSeed(t, db)
			complianceWalkthrough(t, s, db)
		})
	}
}

func complianceWalkthrough(t *testing.T, s *Server, db *store.DB) {
	ctx := context.Background()
	const page = "/products/Gateway/compliance"
	const reqs = page + "/requirements/"
	so := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := so.csrf()

	// 1. The product page: 47 requirements in 8 practices, the rule once.
	rec := so.get(page)
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	if n := strings.Count(body, `<article class="creq `); n != 47 {
		t.Errorf("product page lists %d requirements, want 47", n)
	}
	if n := strings.Count(body, `<tr id="practice-`); n != 8 {
		t.Errorf("product page lists %d practices, want 8", n)
	}
	if n := strings.Count(body, "ML2 Managed: every applicable requirement is at least partially in place"); n != 1 {
		t.Errorf("the maturity rule is on the page %d times, want once", n)
	}
	wantBody(t, rec, "SDL scope", "not decided", `action="/products/Gateway/compliance/scope"`, `enctype="multipart/form-data"`,
		`<svg class="history-chart"`, "What blocks ML3", `href="/compliance"`)
	wantStatus(t, so.get("/products/Nope/compliance"), http.StatusNotFound)
	wantStatus(t, so.get(page+"?catalog=iso-27001"), http.StatusNotFound)
	rec = so.get(page + "?catalog=" + catalog.CRA)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Annex VI", "Not filed under a practice")

	// 2. A bad status is refused at the field; nothing is saved.
	rec = so.post(reqs+"SI-1/assessment", url.Values{"csrf": {tok}, "status": {"done"}, "owner": {"Ada"}, "notes": {"n"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-status-req-SI-1-err"`, "Status must be one of not_started, partial, met, not_applicable", `value="Ada"`)
	if !regexp.MustCompile(`<details class="req-body" open>`).MatchString(rec.Body.String()) {
		t.Error("the failed form is not unfolded")
	}
	if as, _ := db.Assessments(ctx, cradle.ScopeProduct, "Gateway", catalog.IEC62443_4_1); as["SI-1"] != nil {
		t.Errorf("a refused assessment was saved: %+v", as["SI-1"])
	}
	wantStatus(t, so.post(reqs+"XX-9/assessment", url.Values{"csrf": {tok}, "status": {"met"}}), http.StatusNotFound)

	// 3. Assess SI-1 (a product requirement) and SI-2 (the organisation's).
	for _, id := range []string{"SI-1", "SI-2"} {
		rec = so.post(reqs+id+"/assessment", url.Values{"csrf": {tok}, "status": {"met"}, "owner": {"Ada"}, "review_date": {"2099-01-01"}, "notes": {"Reviewed."}})
		wantStatus(t, rec, http.StatusSeeOther)
		if got := rec.Header().Get("Location"); got != page+"#req-"+id {
			t.Errorf("Location = %q", got)
		}
	}
	if as, _ := db.Assessments(ctx, cradle.ScopeOrganisation, "", catalog.IEC62443_4_1); as["SI-2"] == nil || as["SI-2"].Status != cradle.StatusMet {
		t.Errorf("SI-2 is not assessed for the organisation: %+v", as["SI-2"])
	}
	if row := practiceRow(t, so.get(page).Body.String(), "SI"); !strings.Contains(row, "ML2 Managed") || !strings.Contains(row, "current evidence") {
		t.Errorf("SI met without evidence:\n%s", row)
	}

	// 4. Evidence: a link, a file whose name is a path, one with a
	// Windows path; oversize and ambiguous forms are refused, located.
	rec = so.postMultipart(reqs+"SI-1/evidence", map[string]string{"csrf": tok, "url": "https://ci.example.com/sast/42", "title": "SAST run 42", "expires": "2099-12-31"})
	wantStatus(t, rec, http.StatusSeeOther)
	rec = so.postMultipart(reqs+"SI-2/evidence", map[string]string{"csrf": tok, "title": ""}, evidenceFile{"file", "../../etc/passwd", "root:x:0:0"})
	wantStatus(t, rec, http.StatusSeeOther)
	rec = so.postMultipart(reqs+"SI-2/evidence", map[string]string{"csrf": tok}, evidenceFile{"file", `..\..\coding-standard.pdf`, "%PDF-1.7"})
	wantStatus(t, rec, http.StatusSeeOther)
	before, _ := db.Assessments(ctx, cradle.ScopeOrganisation, "", catalog.IEC62443_4_1)
	rec = so.postMultipart(reqs+"SI-2/evidence", map[string]string{"csrf": tok}, evidenceFile{"file", "big.bin", strings.Repeat("x", 256<<10+1)})
	wantStatus(t, rec, http.StatusRequestEntityTooLarge)
	wantBody(t, rec, `id="f-file-req-SI-2-err"`, "File must be at most 256 KiB")
	rec = so.postMultipart(reqs+"SI-2/evidence", map[string]string{"csrf": tok, "url": "https://example.com/x"}, evidenceFile{"file", "a.txt", "a"})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "Give one piece of evidence at a time")
	rec = so.postMultipart(reqs+"SI-2/evidence", map[string]string{"csrf": tok, "url": "javascript:alert(1)"})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `aria-invalid="true"`, "must be an http or https URL")
	rec = so.postMultipart(reqs+"SI-2/evidence", map[string]string{"csrf": tok, "record_type": "case", "record": "CASE-404"})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-record-req-SI-2-err"`)
	after, _ := db.Assessments(ctx, cradle.ScopeOrganisation, "", catalog.IEC62443_4_1)
	if len(after["SI-2"].Evidence) != len(before["SI-2"].Evidence) || len(after["SI-2"].Evidence) != 2 {
		t.Errorf("refused evidence was stored: %d items", len(after["SI-2"].Evidence))
	}
	var fileID int64
	for _, e := range after["SI-2"].Evidence {
		switch e.Filename {
		case "passwd":
			fileID = e.ID
		case "coding-standard.pdf":
		default:
			t.Errorf("evidence file stored as %q", e.Filename)
		}
	}

	// 5. Met with current evidence: SI reaches ML3.
	rec = so.get(page)
	body = rec.Body.String()
	if row := practiceRow(t, body, "SI"); !strings.Contains(row, "ML3 Defined (practiced)") {
		t.Errorf("SI met with evidence:\n%s", row)
	}
	wantBody(t, rec, "SAST run 42", "valid until 2099-12-31", "passwd", "/api/v1/evidence/"+strconv.FormatInt(fileID, 10)+"/file")
	if strings.Contains(body, `id="gap-SI"`) {
		t.Error("SI is at ML3 but listed under what blocks ML3")
	}
	wantBody(t, rec, `id="gap-DM"`)

	// 6. The evidence file is a download.
	rec = so.get("/api/v1/evidence/" + strconv.FormatInt(fileID, 10) + "/file")
	wantStatus(t, rec, http.StatusOK)
	for h, want := range map[string]string{"Content-Type": "application/octet-stream", "Content-Disposition": `attachment; filename=passwd`,
		"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"} {
		if got := rec.Header().Get(h); got != want {
			t.Errorf("download %s = %q, want %q", h, got, want)
		}
	}
	if rec.Body.String() != "root:x:0:0" {
		t.Errorf("download body = %q", rec.Body.String())
	}

	// 7. An override needs a rationale; then it wins, and can be cleared.
	rec = so.post(page+"/practices/SI/maturity", url.Values{"csrf": {tok}, "level": {"2"}, "rationale": {" "}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "Rationale is required", `id="f-rationale-p-SI-err"`)
	if os, _ := db.MaturityOverrides(ctx, cradle.ScopeProduct, "Gateway", catalog.IEC62443_4_1); len(os) != 0 {
		t.Errorf("an override without rationale was saved: %+v", os)
	}
	wantStatus(t, so.post(page+"/practices/XX/maturity", url.Values{"csrf": {tok}, "level": {"2"}, "rationale": {"r"}}), http.StatusNotFound)
	wantStatus(t, so.post(page+"/practices/SG/maturity", url.Values{"csrf": {tok}, "level": {"4"}, "rationale": {"Assessed by the notified body."}}), http.StatusSeeOther)
	if row := practiceRow(t, so.get(page).Body.String(), "SG"); !strings.Contains(row, "ML4 Improving") || !strings.Contains(row, "the rule gives ML1 Initial") {
		t.Errorf("SG overridden:\n%s", row)
	}

	// 8. Scope decision and applicability, with their justifications.
	wantStatus(t, so.post(page+"/scope", url.Values{"csrf": {tok}, "in_scope": {"true"}, "justification": {""}}), http.StatusBadRequest)
	wantStatus(t, so.post(page+"/scope", url.Values{"csrf": {tok}, "justification": {"x"}}), http.StatusBadRequest)
	const xss = `<script>alert("x")</script>`
	wantStatus(t, so.post(page+"/scope", url.Values{"csrf": {tok}, "in_scope": {"true"}, "justification": {"Gateway ships to customers. " + xss}}), http.StatusSeeOther)
	rec = so.post(reqs+"SVV-4/applicability", url.Values{"csrf": {tok}, "applies": {"false"}, "justification": {""}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "Justification is required")
	wantStatus(t, so.post(reqs+"SVV-4/applicability", url.Values{"csrf": {tok}, "applies": {"false"}, "justification": {"No network interface. <img src=x onerror=alert(1)>"}}), http.StatusSeeOther)

	// 9. Free text everywhere is rendered inert.
	wantStatus(t, so.post(reqs+"SM-9/assessment", url.Values{"csrf": {tok}, "status": {"partial"}, "owner": {xss}, "notes": {xss}}), http.StatusSeeOther)
	wantStatus(t, so.postMultipart(reqs+"SM-9/evidence", map[string]string{"csrf": tok, "url": "https://example.com/sbom", "title": xss}), http.StatusSeeOther)
	wantStatus(t, so.postMultipart(reqs+"SR-2/evidence", map[string]string{"csrf": tok}, evidenceFile{"file", `<img src=x onerror=alert(2)>.txt`, "x"}), http.StatusSeeOther)
	rec = so.get(page)
	body = rec.Body.String()
	for _, raw := range []string{xss, "<img src=x", "onerror=alert(2)>"} {
		if strings.Contains(body, raw) {
			t.Errorf("the page contains %q unescaped", raw)
		}
	}
	wantBody(t, rec, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "does not apply", "covered by the SDL")

	// Expired evidence is marked stale and does not count.
	wantStatus(t, so.postMultipart(reqs+"SR-1/evidence", map[string]string{"csrf": tok, "url": "https://wiki.example.com/context", "expires": "2001-01-01"}), http.StatusSeeOther)
	rec = so.get(page)
	if !regexp.MustCompile(`<li class="ev-stale"><span class="badge neutral">url</span> <a href="https://wiki.example.com/context"`).MatchString(rec.Body.String()) {
		t.Error("expired evidence is not marked stale")
	}
	wantBody(t, rec, "valid until 2001-01-01", `<span class="badge flag-warn">1 stale</span>`)

	// 10. The matrix: Gateway with SI at ML3 and the override on SG,
	// filtered by name and class.
	rec = so.get("/compliance")
	wantStatus(t, rec, http.StatusOK)
	body = rec.Body.String()
	wantBody(t, rec, `href="/products/Gateway/compliance"`, `href="/products/Sensor/compliance"`, "Organisation", "in scope", "undecided",
		`title="SI Secure implementation: ML3 Defined (practiced) · 2 met"`, `class="ml ml-4 ml-override"`)
	rec = so.get("/compliance?q=gate&cra_class=important-class-i")
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `href="/products/Gateway/compliance"`) || strings.Contains(rec.Body.String(), `href="/products/Sensor/compliance"`) {
		t.Error("the name and class filter do not narrow the matrix to Gateway")
	}
	rec = so.get("/compliance?cra_class=essential")
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "cra_class must be one of")
	rec = so.get("/compliance?catalog=" + catalog.CRA)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Regulation (EU) 2024/2847", `<abbr title="Essential cybersecurity requirements">I</abbr>`)
	wantStatus(t, so.get("/compliance?catalog=nope"), http.StatusNotFound)

	// 11. The organisation's page lists its process requirements only.
	rec = so.get("/compliance/organisation")
	wantStatus(t, rec, http.StatusOK)
	if n := strings.Count(rec.Body.String(), `<article class="creq `); n != 14 {
		t.Errorf("organisation page lists %d requirements, want 14", n)
	}
	wantBody(t, rec, "passwd", `id="req-SI-2"`)
	if strings.Contains(rec.Body.String(), `id="req-SI-1"`) || strings.Contains(rec.Body.String(), "/applicability") {
		t.Error("the organisation page shows a product requirement or an applicability form")
	}
	wantStatus(t, so.post("/compliance/organisation/requirements/SI-1/assessment", url.Values{"csrf": {tok}, "status": {"met"}}), http.StatusBadRequest)
	wantStatus(t, so.post("/compliance/organisation/requirements/SM-1/assessment", url.Values{"csrf": {tok}, "status": {"partial"}}), http.StatusSeeOther)
	wantStatus(t, so.post("/compliance/organisation/practices/SM/maturity", url.Values{"csrf": {tok}, "level": {"0"}}), http.StatusSeeOther)

	// 12. Removing evidence takes it off the page; the audit keeps it.
	rec = so.post("/evidence/"+strconv.FormatInt(fileID, 10)+"/remove", url.Values{"csrf": {tok}, "back": {page + "#req-SI-2"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != page+"#req-SI-2" {
		t.Errorf("Location after removal = %q", got)
	}
	if strings.Contains(so.get(page).Body.String(), "/api/v1/evidence/"+strconv.FormatInt(fileID, 10)+"/file") {
		t.Error("removed evidence is still listed")
	}

	// 13. Catalogues: list, import (a broken file changes nothing).
	rec = so.get("/catalogs")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "IEC 62443-4-1:2018", "/api/v1/catalogs/cra-2024-2847/oscal", `action="/catalogs"`, "cra-2024-2847-to-iec-62443-4-1-2018")
	custom := `{"id": "acme-sdl-2025", "title": "ACME SDL <b>rules</b>", "version": "1", "groups": [{"id": "A", "title": "Access"}],
		"requirements": [{"id": "A-1", "title": "MFA for admins", "parent": "A", "kind": "product"}]}`
	rec = so.postMultipart("/catalogs", map[string]string{"csrf": tok}, evidenceFile{"file", "acme.json", `{"id": "Bad ID"}`})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "acme.json")
	wantStatus(t, so.postMultipart("/catalogs", map[string]string{"csrf": tok}), http.StatusBadRequest)
	rec = so.postMultipart("/catalogs", map[string]string{"csrf": tok}, evidenceFile{"file", "acme.json", custom})
	wantStatus(t, rec, http.StatusSeeOther)
	rec = so.get("/products/Gateway/compliance?catalog=acme-sdl-2025")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "MFA for admins", "ACME SDL &lt;b&gt;rules&lt;/b&gt;")

	// 14. Who may do what: the auditor reads; the developer adds
	// evidence but does not assess.
	aud := signedIn(t, s, db, cradle.RoleAuditor)
	rec = aud.get(page)
	wantStatus(t, rec, http.StatusOK)
	for _, form := range []string{"/assessment\"", "/evidence\"", "/applicability\"", "/maturity\"", "/scope\"", "/remove\""} {
		if strings.Contains(rec.Body.String(), form) {
			t.Errorf("the auditor's page has a form posting to …%s", form)
		}
	}
	atok := aud.csrf()
	wantStatus(t, aud.post(reqs+"SI-1/assessment", url.Values{"csrf": {atok}, "status": {"partial"}}), http.StatusForbidden)
	wantStatus(t, aud.postMultipart(reqs+"SI-1/evidence", map[string]string{"csrf": atok, "url": "https://example.com/a"}), http.StatusForbidden)
	wantStatus(t, aud.get("/api/v1/evidence/"+strconv.FormatInt(fileID, 10)+"/file"), http.StatusOK)
	dev := signedIn(t, s, db, cradle.RoleDeveloper)
	rec = dev.get(page)
	wantStatus(t, rec, http.StatusOK)
	if body := rec.Body.String(); !strings.Contains(body, reqs+"SI-1/evidence\"") || strings.Contains(body, "/assessment\"") || strings.Contains(body, "/remove\"") {
		t.Error("the developer's page should offer evidence forms only")
	}
	dtok := dev.csrf()
	wantStatus(t, dev.postMultipart(reqs+"SVV-3/evidence", map[string]string{"csrf": dtok, "url": "https://ci.example.com/fuzz/7"}), http.StatusSeeOther)
	wantStatus(t, dev.post(reqs+"SVV-3/assessment", url.Values{"csrf": {dtok}, "status": {"met"}}), http.StatusForbidden)
	wantStatus(t, dev.post(page+"/practices/SVV/maturity", url.Values{"csrf": {dtok}, "level": {"3"}, "rationale": {"x"}}), http.StatusForbidden)
	wantStatus(t, dev.post("/evidence/1/remove", url.Values{"csrf": {dtok}}), http.StatusForbidden)
	if as, _ := db.Assessments(ctx, cradle.ScopeProduct, "Gateway", catalog.IEC62443_4_1); as["SVV-3"] == nil || as["SVV-3"].Status != cradle.StatusNotStarted || len(as["SVV-3"].Evidence) != 1 {
		t.Errorf("SVV-3 after the developer's evidence: %+v", as["SVV-3"])
	}

	// 15. The history was recorded by the page views.
	if h, _ := db.MaturityHistory(ctx, cradle.ScopeProduct, "Gateway", catalog.IEC62443_4_1); len(h) != 8 {
		t.Errorf("maturity history: %d points, want 8 (one day, 8 practices)", len(h))
	}
}

// TestComplianceMatrixMatchesStatus holds the matrix's fast path to the
// levels compliance.Status computes, including freshness limits that
// depend on the product's lifecycle, applicability, overrides and the
// organisation's SM-13.
func TestComplianceMatrixMatchesStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := New(db, Config{Version: "test"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		complianceSeed(t, db)
		actor := cradle.Actor{Name: "test"}
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "Dev-only"}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateRelease(ctx, actor, "Dev-only", &cradle.Release{Version: "0.1", Lifecycle: cradle.LifecycleDevelopment}); err != nil {
			t.Fatal(err)
		}
		cat, _ := s.cs.Catalog(ctx, catalog.IEC62443_4_1)
		assess := func(product, req, status string) {
			t.Helper()
			if err := s.cs.Assess(ctx, actor, &cradle.Assessment{Product: product, CatalogID: cat.ID, Requirement: req, Status: status}); err != nil {
				t.Fatal(err)
			}
		}
		evidence := func(product, req string) {
			t.Helper()
			if err := s.cs.AddEvidence(ctx, actor, cradle.ScopeProduct, product, cat.ID, req, &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://example.com/" + req}, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []string{"Gateway", "Sensor", "Dev-only"} {
			for _, r := range cat.Requirements {
				if r.Parent == "SR" || r.Parent == "SI" || r.Parent == "SM" {
					assess(p, r.ID, cradle.StatusMet)
					evidence(p, r.ID)
				}
			}
		}
		assess("Sensor", "DM-2", cradle.StatusPartial)
		if err := db.SetApplicability(ctx, actor, &store.Applicability{Product: "Sensor", CatalogID: cat.ID, Requirement: "SVV-4", Applies: false, Justification: "j"}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetMaturityOverride(ctx, actor, cradle.ScopeProduct, "Gateway", cat.ID, &store.MaturityOverride{Practice: "DM", Level: 2, Rationale: "r"}); err != nil {
			t.Fatal(err)
		}
		compare := func(when string) {
			t.Helper()
			m, err := s.matrix(ctx, cat.ID, matrixFilter{})
			if err != nil {
				t.Fatal(err)
			}
			rows := append([]MatrixRow{m.Organisation}, m.Products...)
			for _, row := range rows {
				kind := cradle.ScopeProduct
				if row.Product == "" {
					kind = cradle.ScopeOrganisation
				}
				st, err := s.cs.Status(ctx, kind, row.Product, cat.ID)
				if err != nil {
					t.Fatal(err)
				}
				got, want := map[string]string{}, map[string]string{}
				for _, c := range row.Cells {
					if c.Assessed {
						got[c.Practice] = fmt.Sprintf("ML%d (computed %d, %v)", c.Level, c.Computed, c.Counts)
					}
				}
				for _, p := range st.Practices {
					want[p.ID] = fmt.Sprintf("ML%d (computed %d, %v)", p.Level, p.Computed.Level, p.Counts)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s, %q: matrix %v\nstatus %v", when, row.Product, got, want)
				}
				if fmt.Sprint(row.Counts) != fmt.Sprint(st.Counts) {
					t.Errorf("%s, %q: counts %v, status %v", when, row.Product, row.Counts, st.Counts)
				}
			}
		}
		compare("today")
		// The organisation's SM-13 is met with current evidence: ML4.
		if m, _ := s.matrix(ctx, cat.ID, matrixFilter{}); m.Products[0].Product != "Dev-only" || m.Products[0].Cells[1].Level != 4 {
			t.Fatalf("Dev-only SR: %+v", m.Products[0])
		}
		// Thirteen months on, SR-2's evidence is stale for the released
		// Gateway, not for Dev-only in development; SM-13's evidence is
		// over a year old, so ML4 is out of reach.
		s.cs.Now = func() time.Time { return time.Now().UTC().AddDate(1, 1, 0) }
		compare("in thirteen months")
		m, _ := s.matrix(ctx, cat.ID, matrixFilter{})
		levels := map[string]int{}
		for _, row := range m.Products {
			levels[row.Product] = row.Cells[1].Level // SR
		}
		if levels["Gateway"] != 2 || levels["Dev-only"] != 3 {
			t.Errorf("SR levels a year later: %v, want Gateway 2 (stale threat model), Dev-only 3", levels)
		}
	})
}

// benchServer is a server on a fresh SQLite database.
func benchServer(b *testing.B) *Server {
	b.Helper()
	s, err := New(storetest.Open(b, store.SQLite), Config{Version: "test"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkComplianceMatrix500 renders the matrix of 500 products, each
// with 12 assessed requirements and evidence, through the handler.
func BenchmarkComplianceMatrix500(b *testing.B) {
	ctx := context.Background()
	s := benchServer(b)
	db := s.db
	actor := cradle.Actor{Name: "bench"}
	cat, _ := s.cs.Catalog(ctx, catalog.IEC62443_4_1)
	var assessed []string
	for _, r := range cat.Requirements {
		if r.Kind == catalog.KindProduct && len(assessed) < 12 {
			assessed = append(assessed, r.ID)
		}
	}
	for i := range 500 {
		name := fmt.Sprintf("Product %03d", i)
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: name, Class: cradle.CRAClasses[i%4]}); err != nil {
			b.Fatal(err)
		}
		for j, id := range assessed {
			status := []string{cradle.StatusMet, cradle.StatusPartial, cradle.StatusMet}[(i+j)%3]
			if err := s.cs.Assess(ctx, actor, &cradle.Assessment{Product: name, CatalogID: cat.ID, Requirement: id, Status: status}); err != nil {
				b.Fatal(err)
			}
			if j%2 == 0 {
				if err := s.cs.AddEvidence(ctx, actor, cradle.ScopeProduct, name, cat.ID, id, &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://ci.example.com/" + id}, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	c := signedIn(b, s, db, cradle.RoleAuditor)
	rec := c.get("/compliance")
	if n := strings.Count(rec.Body.String(), `href="/products/Product%20`); rec.Code != http.StatusOK || n != 500 {
		b.Fatalf("matrix: status %d, %d product links", rec.Code, n)
	}
	for b.Loop() {
		if rec := c.get("/compliance"); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.ReportMetric(float64(rec.Body.Len())/1024, "KiB/page")
}

// BenchmarkProductCompliance renders a product's page: 47 requirements,
// each with 20 pieces of evidence (links, files and records).
func BenchmarkProductCompliance(b *testing.B) {
	ctx := context.Background()
	s := benchServer(b)
	db := s.db
	actor := cradle.Actor{Name: "bench"}
	complianceSeed(b, db)
	cat, _ := s.cs.Catalog(ctx, catalog.IEC62443_4_1)
	for i, r := range cat.Requirements {
		if err := s.cs.Assess(ctx, actor, &cradle.Assessment{Product: "Gateway", CatalogID: cat.ID, Requirement: r.ID,
			Status: cradle.AssessmentStatuses[i%3], Owner: "Ada", Notes: "How it is met."}); err != nil {
			b.Fatal(err)
		}
		for j := range 20 {
			e := &cradle.Evidence{Kind: cradle.EvidenceURL, URL: fmt.Sprintf("https://ci.example.com/%s/%d", r.ID, j)}
			var f *store.EvidenceFile
			switch j % 4 {
			case 1:
				e = &cradle.Evidence{Kind: cradle.EvidenceFile}
				f = &store.EvidenceFile{Filename: fmt.Sprintf("%s-%d.pdf", r.ID, j), Data: []byte(r.ID + strconv.Itoa(j))}
			case 2:
				e = &cradle.Evidence{Kind: cradle.EvidenceRecord, RecordType: "release", RecordRef: "Gateway@1.0"}
			}
			if err := s.cs.AddEvidence(ctx, actor, cradle.ScopeProduct, "Gateway", cat.ID, r.ID, e, f); err != nil {
				b.Fatal(err)
			}
		}
	}
	c := signedIn(b, s, db, cradle.RoleSecurityOfficer)
	rec := c.get("/products/Gateway/compliance")
	if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), `<article class="creq `) != 47 {
		b.Fatalf("product page: status %d", rec.Code)
	}
	for b.Loop() {
		if rec := c.get("/products/Gateway/compliance"); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.ReportMetric(float64(rec.Body.Len())/1024, "KiB/page")
}
