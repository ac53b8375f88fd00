package web

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// reportFile is an attachment of the public reporting form.
type reportFile struct{ Name, Type, Content string }

// reportRequest builds a POST /report as a browser sends it, from addr.
func reportRequest(t testing.TB, addr string, fields map[string]string, files ...reportFile) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="attachments"; filename="`+f.Name+`"`)
		h.Set("Content-Type", f.Type)
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, f.Content)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/report", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.RemoteAddr = addr
	return req
}

func serveRequest(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func goodReport() map[string]string {
	return map[string]string{"product": "Gateway", "version": "1.0", "title": "Crash in the HTML parser",
		"description": "Sending a crafted page to the gateway's web proxy makes it spin at 100% CPU.", "contact_name": "", "contact_email": "", "website": ""}
}

var statusLinkField = regexp.MustCompile(`id="status-link" class="secret mono" value="([^"]+)"`)

// caseLocal formats t as a datetime-local value in UTC.
func caseLocal(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }

// TestUIPSIRTWalkthrough follows a report from the public form to a
// security update that fixes it, through the pages a PSIRT uses, on every
// available engine.
func TestUIPSIRTWalkthrough(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			db := storetest.Open(t, engine)
			s, err := New(db, Config{Version: "test"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			seedNotices(t, db, "Gateway") // Gateway 1.0 (released) and 1.1-dev ship golang.org/x/net v0.17.0, CVE-2024-45338 is KEV-listed
			psirtWalkthrough(t, s, db)
		})
	}
}

func psirtWalkthrough(t *testing.T, s *Server, db *store.DB) {
	ctx := context.Background()

	// 1. An anonymous reporter files a report with an attachment.
	anon := newClient(t, s)
	rec := anon.get("/report")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, `enctype="multipart/form-data"`, `name="attachments"`, `name="website"`, "stay anonymous")
	if strings.Contains(rec.Body.String(), `name="csrf"`) || strings.Contains(rec.Body.String(), `action="/logout"`) {
		t.Error("the anonymous report form has a CSRF field or the signed-in navigation")
	}
	rec = serveRequest(s, reportRequest(t, "198.51.100.7:1234", goodReport(), reportFile{"poc.html", "text/html", "<script>alert(1)</script>"}))
	wantStatus(t, rec, http.StatusCreated)
	wantBody(t, rec, "Your tracking ID is", "only this once")
	m := statusLinkField.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("no status link on the receipt:\n%s", shortBody(rec.Body.String()))
	}
	link, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	tracking := strings.TrimPrefix(link.Path, "/report/status/")

	// 2. The status page with the token; a wrong or missing token is a 404.
	rec = anon.get(link.RequestURI())
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, tracking, "Received", "No note yet")
	if strings.Contains(rec.Body.String(), "Crash in the HTML parser") {
		t.Error("the status page shows the report's title; it shows only the status")
	}
	wantStatus(t, anon.get("/report/status/"+tracking+"?t=wrong"), http.StatusNotFound)
	wantStatus(t, anon.get("/report/status/"+tracking), http.StatusNotFound)
	wantStatus(t, anon.get("/intake"), http.StatusSeeOther) // the inbox needs a sign-in

	// 3. The PSIRT's inbox and the report.
	so := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := so.csrf()
	rec = so.get("/intake")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, tracking, "Crash in the HTML parser", "anonymous", "Received")
	rec = so.get("/intake/" + tracking)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Sending a crafted page", "poc.html", "/intake/"+tracking+"/attachments/1", "Open a case from this report")

	// The attachment is a download, whatever type the reporter claimed.
	rec = so.get("/intake/" + tracking + "/attachments/1")
	wantStatus(t, rec, http.StatusOK)
	if got := rec.Header().Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("attachment Content-Type = %q", got)
	}
	if got := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(got, "attachment") || !strings.Contains(got, "poc.html") {
		t.Errorf("attachment Content-Disposition = %q", got)
	}
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("attachment X-Content-Type-Options = %q", got)
	}
	if rec.Body.String() != "<script>alert(1)</script>" {
		t.Errorf("attachment body = %q", rec.Body.String())
	}
	wantStatus(t, so.get("/intake/"+tracking+"/attachments/2"), http.StatusNotFound)

	// 4. Open a case from the report: the form is prefilled.
	rec = so.get("/cases/new?intake=" + tracking)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, `name="intake_id" value="`+tracking+`"`, `value="Crash in the HTML parser"`, `<option value="Gateway" selected>`, `id="f-suggest" name="suggest" value="true" checked`)
	aware := time.Now().UTC().Add(-time.Hour)
	openForm := url.Values{"csrf": {tok}, "intake_id": {tracking}, "type": {"vulnerability"}, "title": {"Crash in the HTML parser"},
		"description": {"Sending a crafted page makes it spin."}, "source": {"intake"}, "aware_at": {caseLocal(aware)}, "product": {"Gateway"},
		"suggest": {"true"}, "vuln_id": {"CVE-2024-45338"}, "component": {"pkg:golang/golang.org/x/net@v0.17.0"}}
	rec = so.post("/cases", openForm)
	wantStatus(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != "/cases/CASE-1" {
		t.Fatalf("Location = %q", got)
	}
	c, err := db.Case(ctx, "CASE-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Releases) != 2 || c.IntakeID != tracking || c.Source != cradle.SourceIntake {
		t.Fatalf("case = %+v, want the two Gateway releases suggested and the report linked", c)
	}
	if rep, _ := db.Intake(ctx, tracking); rep.Status != cradle.IntakeAccepted || rep.CaseRef != "CASE-1" {
		t.Errorf("report after opening the case = %+v", rep)
	}
	rec = so.get("/cases/CASE-1")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Crash in the HTML parser", "Gateway", "1.1-dev", "Under investigation", "/intake/"+tracking, "opened the case")

	// The cases list suggests marking it actively exploited: KEV-listed,
	// in a released product.
	rec = so.get("/cases")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "CASE-1", "Mark actively exploited", `action="/cases/CASE-1/exploited"`, "2 releases", "2 Under investigation")

	// 5. Triage: a bad vector is refused with its field error and saves
	// nothing; "Calculate" scores without saving; then it is saved.
	triage := url.Values{"csrf": {tok}, "title": {c.Title}, "description": {c.Description}, "component": {c.Component}, "vuln_id": {c.VulnID},
		"aware_at": {caseLocal(c.AwareAt)}, "validity": {"valid"}, "cvss_v3": {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X"}, "cvss_v4": {""},
		"cwe": {"CWE-400"}, "root_cause": {"quadratic parsing"}, "owner": {"ada"}, "decision": {"fix"}, "decision_rationale": {""}, "state": {"open"}}
	rec = so.post("/cases/CASE-1", triage)
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-cvss_v3-err"`, `aria-invalid="true"`, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X", "quadratic parsing")
	if after, _ := db.Case(ctx, "CASE-1"); !after.UpdatedAt.Equal(c.UpdatedAt) || after.Validity != cradle.ValidityPending || after.Owner != "" {
		t.Errorf("a refused triage changed the case: %+v", after)
	}
	triage.Set("cvss_v3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	rec = so.post("/cases/CASE-1/calculate", triage)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Scores calculated", "<strong>9.8</strong>", "sev-critical")
	if after, _ := db.Case(ctx, "CASE-1"); after.CVSS3 != "" {
		t.Errorf("Calculate saved the vector: %+v", after)
	}
	rec = so.post("/cases/CASE-1", triage)
	wantStatus(t, rec, http.StatusSeeOther)
	c, _ = db.Case(ctx, "CASE-1")
	if c.CVSS3Base != 9.8 || c.Rating != "critical" || c.Decision != cradle.DecisionFix || c.DecidedBy == "" || c.Owner != "ada" || !c.AwareAt.Equal(aware.Truncate(time.Minute)) {
		t.Fatalf("case after triage = %+v", c)
	}
	// Defer needs a residual-risk rationale.
	triage.Set("decision", "defer")
	rec = so.post("/cases/CASE-1", triage)
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-decision_rationale-err"`, "residual-risk justification")
	triage.Set("decision", "fix")

	// 6. Per-release statuses: not_affected without a justification is
	// refused at its row; with one it is saved.
	rels := url.Values{"csrf": {tok}}
	for i, r := range c.Releases {
		p := "releases/" + itoa64(int64(i))
		rels.Set(p+"/release_id", itoa64(r.ReleaseID))
		rels.Set(p+"/status", r.Status)
	}
	rels.Set("releases/1/status", "not_affected")
	rec = so.post("/cases/CASE-1/releases", rels)
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="releases/1/justification-err"`, "needs a justification or an impact statement")
	if after, _ := db.Case(ctx, "CASE-1"); after.Releases[1].Status != cradle.VEXUnderInvestigation {
		t.Errorf("a refused status was saved: %+v", after.Releases)
	}
	rels.Set("releases/1/justification", "vulnerable_code_not_in_execute_path")
	rec = so.post("/cases/CASE-1/releases", rels)
	wantStatus(t, rec, http.StatusSeeOther)
	c, _ = db.Case(ctx, "CASE-1")
	if r := c.Releases[1]; r.Version != "1.1-dev" || r.Status != cradle.VEXNotAffected || r.Justification != "vulnerable_code_not_in_execute_path" || r.UpdatedBy == "" {
		t.Fatalf("release status after save = %+v", r)
	}

	// 7. Mark it actively exploited: the Art. 14 panel shows the deadlines.
	rec = so.post("/cases/CASE-1/exploited", url.Values{"csrf": {tok}, "actively_exploited": {"true"}, "malicious_actor": {""}})
	wantStatus(t, rec, http.StatusSeeOther)
	c, _ = db.Case(ctx, "CASE-1")
	if !c.Exploited || c.ExploitedAt.IsZero() {
		t.Fatalf("case after marking exploited = %+v", c)
	}
	rec = so.get("/cases/CASE-1")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "CRA Art. 14 reporting", "Early warning", "Notification", "Final report", "waiting",
		"none is recorded yet", "/cases/CASE-1/art14/early_warning", "actively exploited", "Record a submission")
	// The early warning is due 24 hours after the manufacturer became
	// aware of the exploitation (marked now, after the case's awareness),
	// in the viewer's zone (UTC here), with a countdown.
	wantBody(t, rec, c.ExploitedAt.Truncate(time.Minute).Add(24*time.Hour).Format("2006-01-02 15:04")+" UTC")
	if !regexp.MustCompile(`class="sub countdown">in (2[34] h( [0-9]+ min)?|1 d)<`).MatchString(rec.Body.String()) {
		t.Error("no countdown of about 24 hours for the early warning")
	}
	// The history shows what changed, field by field.
	wantBody(t, rec, "Actively exploited", "CVSS v3.1", "Not affected (Vulnerable code not in execute path)")

	// 8. The draft page.
	rec = so.get("/cases/CASE-1/art14/early_warning")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Early warning: draft", "readonly", "/ 255 characters", "single reporting platform", "is being actively exploited")
	wantStatus(t, so.get("/cases/CASE-1/art14/bogus"), http.StatusBadRequest)

	// 9. Record the submission.
	submitted := time.Now().UTC()
	rec = so.post("/cases/CASE-1/art14", url.Values{"csrf": {tok}, "stage": {"early_warning"}, "submitted_at": {"yesterday"}, "reference": {"SRP-1"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-submitted_at-err"`)
	rec = so.post("/cases/CASE-1/art14", url.Values{"csrf": {tok}, "stage": {"early_warning"}, "submitted_at": {caseLocal(submitted)}, "reference": {"SRP-1"}})
	wantStatus(t, rec, http.StatusSeeOther)
	subs, err := db.Submissions(ctx, "CASE-1")
	if err != nil || len(subs) != 1 || subs[0].Reference != "SRP-1" || subs[0].Content["title"] == "" {
		t.Fatalf("submissions = %+v, %v", subs, err)
	}
	wantBody(t, so.get("/cases/CASE-1"), "submitted", "SRP-1", "recorded an Art. 14 submission")

	// 10. The security update fixes the case; the updates page and the
	// time-to-fix report list it.
	rec = so.get("/products/Gateway/releases/1.0")
	wantBody(t, rec, "Mark as security update")
	rec = so.get("/products/Gateway/releases/1.0/security-update?case=CASE-1")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, `name="cases" value="CASE-1" checked`, "lists Gateway")
	upd := url.Values{"csrf": {tok}, "available_at": {caseLocal(time.Now())}, "summary": {"Fixes the HTML parser"}, "install": {"Upload the image"},
		"verify": {"Check the version page"}, "impact": {""}, "qualification": {"Regression suite"}, "artifact": {"gw-1.0.bin"},
		"artifact_sha256": {"not a hash"}, "signature_url": {""}, "cases": {"CASE-1"}, "cases_other": {""}}
	rec = so.post("/products/Gateway/releases/1.0/security-update", upd)
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-artifact_sha256-err"`, "64 hexadecimal")
	upd.Set("artifact_sha256", strings.Repeat("ab", 32))
	rec = so.post("/products/Gateway/releases/1.0/security-update", upd)
	wantStatus(t, rec, http.StatusSeeOther)
	c, _ = db.Case(ctx, "CASE-1")
	if c.FixAvailableAt.IsZero() || c.Releases[0].Status != cradle.VEXFixed {
		t.Fatalf("case after the security update = %+v", c)
	}
	rec = so.get("/updates")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Gateway", `href="/cases/CASE-1"`, "Time to fix", "Fixes the HTML parser")
	ttf, err := db.TimeToFixReport(ctx, cradle.DefaultRemediationPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if ttf[0].Rating != "critical" || ttf[0].Fixed != 1 {
		t.Fatalf("time to fix = %+v", ttf)
	}
	if !regexp.MustCompile(`sev-critical">Critical</span></th>\s*<td class="num">7 days</td>\s*<td class="num">1</td>\s*<td class="num">1 of 1</td>`).MatchString(rec.Body.String()) {
		t.Errorf("the time-to-fix table does not count the fixed critical case:\n%s", shortBody(rec.Body.String()))
	}
	// The final report is now due 14 days after the fix.
	wantBody(t, so.get("/cases/CASE-1"), "14 days after the corrective or mitigating measure became available")
	wantStatus(t, so.post("/products/Gateway/releases/1.0/security-update", upd), http.StatusConflict)

	// 11. The report's status for the reporter.
	rec = so.post("/intake/"+tracking, url.Values{"csrf": {tok}, "status": {"accepted"}, "status_note": {"Thanks, fixed in 1.0."}})
	wantStatus(t, rec, http.StatusSeeOther)
	wantBody(t, anon.get(link.RequestURI()), "Accepted", "Thanks, fixed in 1.0.")
}

func TestUIPSIRTComponentDecision(t *testing.T) {
	s, db := newUIServer(t)
	seedNotices(t, db, "Gateway")
	so := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := so.csrf()
	// The link a finding row uses: prefilled from the query.
	rec := so.get("/cases/new?vuln=CVE-2024-45338&component=pkg:golang/golang.org/x/net@v0.17.0&source=monitoring")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, `value="CVE-2024-45338"`, `value="pkg:golang/golang.org/x/net@v0.17.0"`, `<option value="monitoring" selected>`, `name="suggest" value="true" checked`)
	rec = so.post("/cases", url.Values{"csrf": {tok}, "type": {"vulnerability"}, "title": {"x/net in Gateway"}, "source": {"monitoring"},
		"aware_at": {caseLocal(time.Now())}, "vuln_id": {"CVE-2024-45338"}, "component": {"pkg:golang/golang.org/x/net@v0.17.0"}, "suggest": {"true"}})
	wantStatus(t, rec, http.StatusSeeOther)
	// Without a justification: refused at the field.
	rec = so.post("/cases/CASE-1/decision", url.Values{"csrf": {tok}, "status": {"not_affected"}, "component": {""}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="d-justification-err"`)
	rec = so.post("/cases/CASE-1/decision", url.Values{"csrf": {tok}, "status": {"not_affected"}, "justification": {"vulnerable_code_not_in_execute_path"}, "component": {""}})
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Decision applied to 1 component version", "golang.org/x/net", "0.17.0", "Not affected")
	c, _ := db.Case(context.Background(), "CASE-1")
	for _, r := range c.Releases {
		if r.Status != cradle.VEXNotAffected {
			t.Errorf("%s %s: status %s after the decision", r.Product, r.Version, r.Status)
		}
	}
}

func TestUIPSIRTBadInput(t *testing.T) {
	s, db := newUIServer(t)
	seed(t, db)
	so := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := so.csrf()
	ctx := context.Background()
	cases := func() int {
		_, n, err := db.ListCases(ctx, store.CaseFilter{}, cradle.DefaultRemediationPolicy, cradle.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"no title", url.Values{"title": {""}, "aware_at": {caseLocal(time.Now())}}, []string{`id="f-title-err"`, "Title is required"}},
		{"future awareness", url.Values{"title": {"x"}, "aware_at": {caseLocal(time.Now().Add(48 * time.Hour))}}, []string{`id="f-aware_at-err"`, "is in the future"}},
		{"bad time", url.Values{"title": {"x"}, "aware_at": {"tomorrow"}}, []string{`id="f-aware_at-err"`, "must be a date and time"}},
		{"bad vector", url.Values{"title": {"x"}, "aware_at": {caseLocal(time.Now())}, "cvss_v4": {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}, []string{`id="f-cvss_v4-err"`, "v4.0"}},
		{"bad CWE", url.Values{"title": {"x"}, "aware_at": {caseLocal(time.Now())}, "cwe": {"79"}}, []string{`id="f-cwe-err"`, "CWE-79"}},
		{"exploited incident", url.Values{"title": {"x"}, "type": {"incident"}, "aware_at": {caseLocal(time.Now())}, "actively_exploited": {"true"}}, []string{"applies to vulnerability cases"}},
		{"unknown product", url.Values{"title": {"x"}, "aware_at": {caseLocal(time.Now())}, "product": {"Nope"}, "suggest": {"true"}}, []string{`id="f-product-err"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("csrf", tok)
			rec := so.post("/cases", tc.form)
			wantStatus(t, rec, http.StatusBadRequest)
			wantBody(t, rec, tc.want...)
			if n := cases(); n != 0 {
				t.Errorf("%d cases after a refused form", n)
			}
		})
	}
	// The policy: located errors, nothing saved.
	rec := so.post("/settings/remediation", url.Values{"csrf": {tok}, "critical": {"40"}, "high": {"30"}, "medium": {"x"}, "low": {"180"}, "unknown": {"30"}, "due_soon_days": {"7"}, "review_every_days": {"0"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-medium-err"`, "whole number")
	rec = so.post("/settings/remediation", url.Values{"csrf": {tok}, "critical": {"40"}, "high": {"30"}, "medium": {"90"}, "low": {"180"}, "unknown": {"30"}, "due_soon_days": {"7"}, "review_every_days": {"0"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-critical-err"`, `id="f-review_every_days-err"`)
	if p, _ := db.RemediationPolicy(ctx); p != cradle.DefaultRemediationPolicy {
		t.Errorf("policy after refused forms = %+v", p)
	}
	rec = so.post("/settings/remediation", url.Values{"csrf": {tok}, "critical": {"5"}, "high": {"30"}, "medium": {"90"}, "low": {"180"}, "unknown": {"30"}, "due_soon_days": {"7"}, "review_every_days": {"14"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if p, _ := db.RemediationPolicy(ctx); p.Critical != 5 || p.ReviewEveryDays != 14 {
		t.Errorf("policy after save = %+v", p)
	}
	// Reviews: notes are required; the warning shows while none is recorded.
	if err := db.CreateCase(ctx, cradle.Actor{Name: "test"}, &cradle.Case{Title: "open", AwareAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	wantBody(t, so.get("/cases"), "No periodic review of the open cases has been recorded")
	rec = so.post("/case-reviews", url.Values{"csrf": {tok}, "notes": {" "}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-notes-err"`)
	wantStatus(t, so.post("/case-reviews", url.Values{"csrf": {tok}, "notes": {"all reviewed"}}), http.StatusSeeOther)
	rec = so.get("/cases")
	wantBody(t, rec, "all reviewed", "Periodic review recorded.")
	if strings.Contains(rec.Body.String(), "No periodic review") {
		t.Error("the review warning stays after a review")
	}
	// Subscribers: a bad address is located; a good one is added and removed.
	rec = so.post("/settings/subscribers", url.Values{"csrf": {tok}, "email": {"not-an-address"}, "product": {""}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, `id="f-email-err"`)
	wantStatus(t, so.post("/settings/subscribers", url.Values{"csrf": {tok}, "email": {"ops@customer.example"}, "name": {"Ops"}, "product": {"Gateway"}}), http.StatusSeeOther)
	subs, _ := db.Subscribers(ctx)
	if len(subs) != 1 || subs[0].Product != "Gateway" {
		t.Fatalf("subscribers = %+v", subs)
	}
	wantBody(t, so.get("/settings/subscribers"), "ops@customer.example", "Mail delivery log")
	wantStatus(t, so.post("/settings/subscribers/"+itoa64(subs[0].ID)+"/delete", url.Values{"csrf": {tok}}), http.StatusSeeOther)
	if subs, _ := db.Subscribers(ctx); len(subs) != 0 {
		t.Errorf("subscribers after removal = %+v", subs)
	}
}

func TestUIReportRateLimit(t *testing.T) {
	s, db := newUIServer(t)
	for i := range 5 {
		rec := serveRequest(s, reportRequest(t, "203.0.113.9:5000", goodReport()))
		if rec.Code != http.StatusCreated {
			t.Fatalf("report %d: status %d", i+1, rec.Code)
		}
	}
	rec := serveRequest(s, reportRequest(t, "203.0.113.9:5001", goodReport()))
	wantStatus(t, rec, http.StatusTooManyRequests)
	wantBody(t, rec, "Too many reports from your address")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Another address is not limited by the first one.
	wantStatus(t, serveRequest(s, reportRequest(t, "203.0.113.10:5000", goodReport())), http.StatusCreated)
	if _, n, _ := db.ListIntake(context.Background(), "", cradle.Page{}); n != 6 {
		t.Errorf("%d reports stored, want 6", n)
	}
}

func TestUIReportRefused(t *testing.T) {
	s, db := newUIServer(t)
	stored := func() int {
		_, n, err := db.ListIntake(context.Background(), "", cradle.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("honeypot", func(t *testing.T) {
		f := goodReport()
		f["website"] = "http://spam.example"
		rec := serveRequest(s, reportRequest(t, "192.0.2.50:1", f))
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "not accepted")
		if n := stored(); n != 0 {
			t.Errorf("%d reports stored after a filled honeypot", n)
		}
	})
	t.Run("located errors", func(t *testing.T) {
		f := goodReport()
		f["title"], f["description"], f["contact_email"] = "", "short", "nope"
		rec := serveRequest(s, reportRequest(t, "192.0.2.51:1", f, reportFile{"a.txt", "text/plain", "x"}))
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, `id="f-title-err"`, `id="f-description-err"`, `id="f-contact_email-err"`, `value="Gateway"`, "choose them again")
		if n := stored(); n != 0 {
			t.Errorf("%d reports stored after an invalid one", n)
		}
	})
	t.Run("too many files", func(t *testing.T) {
		var files []reportFile
		for range 6 {
			files = append(files, reportFile{"f.txt", "text/plain", "x"})
		}
		rec := serveRequest(s, reportRequest(t, "192.0.2.52:1", goodReport(), files...))
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, `id="f-attachments-err"`, "at most 5 files")
	})
	t.Run("file too large", func(t *testing.T) {
		rec := serveRequest(s, reportRequest(t, "192.0.2.53:1", goodReport(), reportFile{"big.bin", "application/octet-stream", strings.Repeat("x", cradle.IntakeMaxAttachmentSize+1)}))
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "big.bin is 5 MiB, larger than 5 MiB")
		if n := stored(); n != 0 {
			t.Errorf("%d reports stored", n)
		}
	})
}

func TestUIPSIRTScriptInjection(t *testing.T) {
	s, db := newUIServer(t)
	seed(t, db)
	const script = `<script>alert(1)</script>`
	f := goodReport()
	f["title"], f["description"], f["contact_name"], f["product"], f["version"] = script, "Steps: "+script+" and more text", script, script, script
	rec := serveRequest(s, reportRequest(t, "192.0.2.60:1", f, reportFile{script + ".html", "text/html", script}))
	wantStatus(t, rec, http.StatusCreated)
	link, _ := url.Parse(html.UnescapeString(statusLinkField.FindStringSubmatch(rec.Body.String())[1]))
	tracking := strings.TrimPrefix(link.Path, "/report/status/")

	so := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := so.csrf()
	wantStatus(t, so.post("/intake/"+tracking, url.Values{"csrf": {tok}, "status": {"rejected"}, "status_note": {script}}), http.StatusSeeOther)
	rec = so.post("/cases", url.Values{"csrf": {tok}, "type": {"vulnerability"}, "title": {script}, "description": {script}, "source": {"intake"},
		"intake_id": {tracking}, "aware_at": {caseLocal(time.Now())}, "owner": {script}, "component": {script}, "vuln_id": {""}, "product": {"Gateway"}, "suggest": {"true"}})
	wantStatus(t, rec, http.StatusSeeOther)
	c, _ := db.Case(context.Background(), "CASE-1")
	if len(c.Releases) != 1 {
		t.Fatalf("case releases = %+v, want Gateway 1.0 suggested", c.Releases)
	}
	rec = so.post("/cases/CASE-1/upstream", url.Values{"csrf": {tok}, "upstream_notified_at": {""}, "upstream_channel": {script}, "upstream_ref": {script}, "upstream_note": {script}})
	wantStatus(t, rec, http.StatusSeeOther)
	if err := db.CreateRelease(context.Background(), cradle.Actor{Name: "test"}, "Gateway", &cradle.Release{Version: "2.0"}); err != nil {
		t.Fatal(err)
	}
	rec = so.post("/cases/CASE-1/releases", url.Values{"csrf": {tok}, "releases/0/release_id": {itoa64(c.Releases[0].ReleaseID)},
		"releases/0/status": {"affected"}, "releases/0/action_statement": {script}, "releases/0/impact_statement": {script},
		"new/product": {"Gateway"}, "new/version": {"2.0"}, "new/status": {"affected"}, "new/action_statement": {script}})
	wantStatus(t, rec, http.StatusSeeOther)
	if c, _ := db.Case(context.Background(), "CASE-1"); len(c.Releases) != 2 {
		t.Errorf("the new row was not added: %+v", c.Releases)
	}
	// A refused form echoes the input back, escaped.
	rec = so.post("/cases/CASE-1", url.Values{"csrf": {tok}, "title": {script}, "root_cause": {script}, "aware_at": {"x" + script}, "validity": {"pending"}, "state": {"open"}})
	wantStatus(t, rec, http.StatusBadRequest)
	pages := map[string]*httptest.ResponseRecorder{"refused triage": rec}
	for _, p := range []string{"/intake", "/intake/" + tracking, "/cases", "/cases/CASE-1", "/cases/new?intake=" + tracking} {
		rec := so.get(p)
		wantStatus(t, rec, http.StatusOK)
		pages[p] = rec
	}
	pages["status"] = newClient(t, s).get(link.RequestURI())
	for name, rec := range pages {
		body := rec.Body.String()
		if strings.Contains(body, "<script>alert") {
			t.Errorf("%s: body contains an unescaped script element", name)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s: body does not show the escaped input", name)
		}
	}
	// The attachment's name is made safe for the download header.
	rec = so.get("/intake/" + tracking + "/attachments/1")
	if got := rec.Header().Get("Content-Disposition"); strings.ContainsAny(got, "<>") {
		t.Errorf("Content-Disposition = %q", got)
	}
}

func TestUITimeZone(t *testing.T) {
	s, db := newUIServer(t)
	seed(t, db)
	ctx := context.Background()
	summer := time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)
	if _, err := s.ps.Open(ctx, cradle.Actor{Name: "test"}, psirt.NewCase{Title: "summer", AwareAt: summer, Exploited: true}); err != nil {
		t.Fatal(err)
	}
	so := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := so.csrf()
	wantBody(t, so.get("/cases/CASE-1"), "2025-07-01 10:00 UTC", `<option value="UTC" selected>`)

	rec := so.post("/prefs/timezone", url.Values{"csrf": {tok}, "tz": {"Mars/Olympus"}})
	wantStatus(t, rec, http.StatusBadRequest)
	rec = so.do(http.MethodPost, "/prefs/timezone", strings.NewReader(url.Values{"csrf": {tok}, "tz": {"Europe/Berlin"}}.Encode()), "application/x-www-form-urlencoded")
	wantStatus(t, rec, http.StatusSeeOther)
	if so.cookies[tzCookie] != "Europe/Berlin" {
		t.Fatalf("cookie %s = %q", tzCookie, so.cookies[tzCookie])
	}
	rec = so.get("/cases/CASE-1")
	wantBody(t, rec, "2025-07-01 12:00 CEST", "2025-07-02 12:00 CEST", `<option value="Europe/Berlin" selected>`, "Aware since (Europe/Berlin)")
	// A datetime-local value is read in the viewer's zone: winter time.
	rec = so.post("/cases", url.Values{"csrf": {tok}, "title": {"winter"}, "type": {"vulnerability"}, "aware_at": {"2025-01-15T10:00"}})
	wantStatus(t, rec, http.StatusSeeOther)
	c, err := db.Case(ctx, "CASE-2")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC); !c.AwareAt.Equal(want) {
		t.Errorf("aware_at = %v, want %v", c.AwareAt, want)
	}
	wantBody(t, so.get("/cases/CASE-2"), "2025-01-15 10:00 CET", `value="2025-01-15T10:00"`)
	// A garbage cookie is UTC.
	so.cookies[tzCookie] = "../../etc/passwd"
	wantBody(t, so.get("/cases/CASE-2"), "2025-01-15 09:00 UTC")
}

func TestParseLocal(t *testing.T) {
	berlin, ok := loadZone("Europe/Berlin")
	if !ok {
		t.Skip("no time zone database")
	}
	for _, tc := range []struct {
		in, want, err string
	}{
		{"2025-07-01T12:00", "2025-07-01T10:00:00Z", ""},
		{"2025-01-15T12:00:30", "2025-01-15T11:00:30Z", ""},
		{"2025-10-26T02:30", "2025-10-26T00:30:00Z", ""}, // the repeated hour: the earlier instant (CEST)
		{"2025-10-26T03:30", "2025-10-26T02:30:00Z", ""},
		{"2025-03-30T02:30", "", "does not exist"}, // skipped by the change to summer time
		{"30.03.2025 14:00", "", "must be a date and time"},
	} {
		got, err := parseLocal(tc.in, berlin)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseLocal(%q) = %v, %v; want error %q", tc.in, got, err, tc.err)
			}
		case err != nil || got.Format(time.RFC3339) != tc.want:
			t.Errorf("parseLocal(%q) = %v, %v; want %s", tc.in, got.Format(time.RFC3339), err, tc.want)
		}
	}
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{5*time.Hour + 12*time.Minute, "in 5 h 12 min"}, {-2 * time.Hour, "overdue by 2 h"}, {49 * time.Hour, "in 2 d 1 h"}, {20 * time.Second, "in less than a minute"},
	} {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if got := countdown(now.Add(tc.d), now); got != tc.want {
			t.Errorf("countdown(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestUIPSIRTAccess(t *testing.T) {
	s, db := newUIServer(t)
	seed(t, db)
	ctx := context.Background()
	if err := db.CreateCase(ctx, cradle.Actor{Name: "test"}, &cradle.Case{Title: "c", AwareAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	auditor := signedIn(t, s, db, cradle.RoleAuditor)
	rec := auditor.get("/cases/CASE-1")
	wantStatus(t, rec, http.StatusOK)
	for _, bad := range []string{`action="/cases/CASE-1"`, `action="/cases/CASE-1/releases"`, "Open a case"} {
		if strings.Contains(rec.Body.String(), bad) {
			t.Errorf("auditor's case page offers %s", bad)
		}
	}
	wantBody(t, auditor.get("/settings/remediation"), "Days to fix")
	tok := auditor.csrf()
	wantStatus(t, auditor.post("/cases/CASE-1", url.Values{"csrf": {tok}, "title": {"x"}}), http.StatusForbidden)
	wantStatus(t, auditor.get("/intake"), http.StatusForbidden)
	wantStatus(t, auditor.get("/settings/subscribers"), http.StatusForbidden)

	dev := signedIn(t, s, db, cradle.RoleDeveloper)
	wantStatus(t, dev.get("/cases/new"), http.StatusOK)
	wantStatus(t, dev.get("/products/Gateway/releases/1.0/security-update"), http.StatusForbidden)
	if strings.Contains(dev.get("/products/Gateway/releases/1.0").Body.String(), "Mark as security update") {
		t.Error("a developer sees Mark as security update")
	}
	wantBody(t, dev.get("/"), `href="/cases"`)
	// Every state-changing PSIRT form needs the CSRF token.
	so := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	for _, p := range []string{"/cases", "/cases/CASE-1", "/cases/CASE-1/exploited", "/case-reviews", "/settings/remediation", "/prefs/timezone"} {
		wantStatus(t, so.post(p, url.Values{"title": {"x"}}), http.StatusForbidden)
	}
	if c, _ := db.Case(ctx, "CASE-1"); c.Exploited || c.Title != "c" {
		t.Errorf("case changed without CSRF token: %+v", c)
	}
}
