package psirt_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

var actor = cradle.Actor{Name: "psirt@example.com", Via: "test"}

func bom(net string) []byte {
	return []byte(fmt.Sprintf(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
	"metadata":{"component":{"bom-ref":"app","type":"application","name":"gw","version":"1"}},
	"components":[{"bom-ref":"net","type":"library","name":"golang.org/x/net","version":"%s","purl":"pkg:golang/golang.org/x/net@%s"}],
	"dependencies":[{"ref":"app","dependsOn":["net"]}]}`, net, net))
}

// portfolio: product GW (made available in DE and FR) with released 1 and
// 2 shipping x/net v0.17.0, which GO-2024-2687 (CVE-2023-45288) affects.
func portfolio(t *testing.T, db *store.DB) (*monitor.Monitor, *psirt.Service) {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "GW", Manufacturer: "Northwind", MemberStates: []string{"fr", "DE"}, SupportEnd: "2040-12-31"}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1", "2", "3"} {
		if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: v, Lifecycle: cradle.LifecycleReleased}); err != nil {
			t.Fatal(err)
		}
	}
	m := monitor.New(db, nil)
	for _, v := range []string{"1", "2"} {
		if _, err := m.ImportSBOM(ctx, actor, "GW", v, "gw.json", bom("v0.17.0"), nil); err != nil {
			t.Fatal(err)
		}
	}
	if rep := m.ImportPath(ctx, "testdata/osv"); rep.Status != "imported" {
		t.Fatalf("osv import: %+v", rep)
	}
	return m, psirt.New(db, nil)
}

func TestCaseLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m, s := portfolio(t, db)
		aware := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)

		// Bad input changes nothing.
		_, err := s.Open(ctx, actor, psirt.NewCase{Title: "x/net HTTP/2 CONTINUATION flood", VulnID: "CVE-2023-45288", CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:X", AwareAt: aware})
		if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "cvss_v3") {
			t.Fatalf("bad vector: %v", err)
		}
		_, err = s.Open(ctx, actor, psirt.NewCase{Title: "future", AwareAt: time.Now().Add(48 * time.Hour)})
		if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "aware_at") {
			t.Fatalf("awareness in the future: %v", err)
		}
		if cs, total, _ := db.ListCases(ctx, store.CaseFilter{}, cradle.DefaultRemediationPolicy, cradle.Page{}); total != 0 {
			t.Fatalf("rejected cases were stored: %+v", cs)
		}

		c, err := s.Open(ctx, actor, psirt.NewCase{Title: "x/net HTTP/2 CONTINUATION flood", Source: cradle.SourceMonitoring,
			Component: "pkg:golang/golang.org/x/net@v0.17.0", VulnID: "GO-2024-2687", CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
			AwareAt: aware, Suggest: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Releases) != 2 || c.Releases[0].Status != cradle.VEXUnderInvestigation || c.Rating != "high" || c.CVSS3Base != 7.5 {
			t.Fatalf("opened case: %+v", c)
		}
		if want := aware.Add(30 * 24 * time.Hour); !c.DueAt.Equal(want) {
			t.Fatalf("due %v, want %v (high: 30 days)", c.DueAt, want)
		}
		// A critical v4.0 vector moves the due date to 7 days.
		c, err = s.Update(ctx, actor, c.Ref, psirt.CasePatch{CVSS4: ptr("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"), Validity: ptr("valid")})
		if err != nil || c.Rating != "critical" || c.CVSS4Base != 9.3 || !c.DueAt.Equal(aware.Add(7*24*time.Hour)) {
			t.Fatalf("re-scored: %+v %v", c, err)
		}
		// Defer needs a residual-risk justification.
		if _, err := s.Update(ctx, actor, c.Ref, psirt.CasePatch{Decision: ptr("defer")}); cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "decision_rationale") {
			t.Fatalf("defer without rationale: %v", err)
		}
		c, err = s.Update(ctx, actor, c.Ref, psirt.CasePatch{Decision: ptr("fix")})
		if err != nil || c.DecidedBy != actor.String() || c.DecidedAt.IsZero() {
			t.Fatalf("decision: %+v %v", c, err)
		}
		// not_affected without justification is refused.
		if _, err := db.ApplyDecision(ctx, actor, c.Ref, cradle.CaseRelease{Status: cradle.VEXNotAffected}, ""); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("not_affected without justification: %v", err)
		}
		ds, err := db.ApplyDecision(ctx, actor, c.Ref, cradle.CaseRelease{Status: cradle.VEXNotAffected, Justification: "vulnerable_code_not_in_execute_path"}, "")
		if err != nil || len(ds) != 1 {
			t.Fatalf("apply decision: %+v %v", ds, err)
		}
		// Release 3 gets the same component later and inherits the decision.
		if _, err := m.ImportSBOM(ctx, actor, "GW", "3", "gw.json", bom("v0.17.0"), nil); err != nil {
			t.Fatal(err)
		}
		fs, _, err := db.ListFindings(ctx, store.FindingFilter{Product: "GW", Release: "3", Vuln: "CVE-2023-45288"}, cradle.Page{})
		if err != nil || len(fs) != 1 || fs[0].VEXStatus != cradle.VEXNotAffected || fs[0].VEXCase != c.Ref {
			t.Fatalf("inherited decision: %+v %v", fs, err)
		}
		if _, n, _ := db.ListFindings(ctx, store.FindingFilter{Product: "GW", Undecided: true}, cradle.Page{}); n != 3 {
			t.Fatalf("undecided findings: %d, want the 3 of GO-2025-3503", n)
		}
		c, _ = db.Case(ctx, c.Ref)
		for _, r := range c.Releases {
			if r.Status != cradle.VEXNotAffected || r.Justification == "" {
				t.Fatalf("release statuses after the decision: %+v", c.Releases)
			}
		}
	})
}

func TestArt14AndSecurityUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, s := portfolio(t, db)
		aware := time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC) // the night before DST ends in the EU
		s.Now = func() time.Time { return aware.Add(30 * time.Hour) }
		c, err := s.Open(ctx, actor, psirt.NewCase{Title: "Exploited x/net flood", VulnID: "CVE-2023-45288", Component: "golang.org/x/net",
			CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", AwareAt: aware, Suggest: true, Exploited: true})
		if err != nil {
			t.Fatal(err)
		}
		ds, _, err := s.Deadlines(ctx, c)
		if err != nil || len(ds) != 3 {
			t.Fatalf("deadlines: %+v %v", ds, err)
		}
		if ds[0].State != cradle.DeadlineOverdue || !ds[0].Due.Equal(aware.Add(24*time.Hour)) {
			t.Errorf("early warning 30 h after awareness: %+v", ds[0])
		}
		if ds[1].State != cradle.DeadlineOpen || !ds[1].Due.Equal(aware.Add(72*time.Hour)) {
			t.Errorf("notification: %+v", ds[1])
		}
		if ds[2].State != cradle.DeadlineWaiting {
			t.Errorf("final report before any fix: %+v", ds[2])
		}
		// The draft names the Member States and fits the platform's limits.
		fields, err := s.Draft(ctx, c.Ref, cradle.StageEarlyWarning)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]cradle.DraftField{}
		for _, f := range fields {
			got[f.Name] = f
			if f.Limit > 0 && len([]rune(f.Value)) > f.Limit {
				t.Errorf("%s over its limit", f.Name)
			}
		}
		if got["member_states"].Value != "DE, FR" || got["manufacturer"].Value != "Northwind" || !strings.Contains(got["product"].Value, "GW 1, 2") {
			t.Errorf("early warning draft: %+v", got)
		}
		// A submission before awareness is refused.
		if err := db.RecordSubmission(ctx, actor, c.Ref, &cradle.Art14Submission{Stage: cradle.StageEarlyWarning, SubmittedAt: aware.Add(-time.Hour)}); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("submission before awareness: %v", err)
		}
		if err := db.RecordSubmission(ctx, actor, c.Ref, &cradle.Art14Submission{Stage: cradle.StageEarlyWarning, SubmittedAt: aware.Add(25 * time.Hour), Reference: "ENISA-EW-1"}); err != nil {
			t.Fatal(err)
		}
		// Subscribers get the security update by mail.
		if err := db.AddSubscriber(ctx, actor, &cradle.Subscriber{Email: "ops@customer.example", Product: "GW"}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddSubscriber(ctx, actor, &cradle.Subscriber{Email: "OPS@customer.example", Product: "GW"}); cradle.ErrorCode(err) != cradle.EConflict {
			t.Fatalf("duplicate subscriber: %v", err)
		}
		fixAt := aware.Add(28 * time.Hour)
		u := &cradle.SecurityUpdate{AvailableAt: fixAt, Summary: "Fixes the flood", Install: "Upload the image", Verify: "Check the signature",
			Qualification: "Regression suite 4,210 tests", ArtifactHash: strings.Repeat("ab", 32), Cases: []string{c.Ref, "CASE-999"}}
		err = db.CreateSecurityUpdate(ctx, actor, "GW", "3", u, s.ComposeUpdate)
		if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "CASE-999") {
			t.Fatalf("update naming an unknown case: %v", err)
		}
		if ups, err := db.SecurityUpdates(ctx, "GW"); err != nil || len(ups) != 0 {
			t.Fatalf("half-written update: %+v", ups)
		}
		u.Cases = []string{c.Ref}
		if err := db.CreateSecurityUpdate(ctx, actor, "GW", "3", u, s.ComposeUpdate); err != nil {
			t.Fatal(err)
		}
		c, _ = db.Case(ctx, c.Ref)
		if !c.FixAvailableAt.Equal(fixAt) {
			t.Fatalf("fix available %v, want %v", c.FixAvailableAt, fixAt)
		}
		ds, _, _ = s.Deadlines(ctx, c)
		if ds[0].State != cradle.DeadlineSubmittedLate || ds[2].State != cradle.DeadlineOpen || !ds[2].Due.Equal(fixAt.Add(14*24*time.Hour)) {
			t.Fatalf("deadlines after the fix: %+v", ds)
		}
		mails, err := db.DueMail(ctx, 10)
		if err != nil || len(mails) != 1 || mails[0].Mail.To != "ops@customer.example" || !strings.Contains(mails[0].Mail.Text, "Check the signature") {
			t.Fatalf("queued mail: %+v %v", mails, err)
		}
		ups, _ := db.SecurityUpdates(ctx, "GW")
		if len(ups) != 1 || ups[0].AvailableUntil.Year() != 2040 {
			t.Fatalf("updates: %+v", ups)
		}
	})
}

func TestIntake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, s := portfolio(t, db)
		r := &cradle.IntakeReport{Product: "GW", Version: "2", Title: `<script>alert(1)</script>`, Description: "The login form reflects the user name unescaped."}
		tok, err := db.CreateIntake(ctx, r, []store.IntakeFile{{Filename: "../../poc.html", ContentType: "text/html; charset=utf-8", Data: []byte("<b>poc</b>")}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.TrackingID, "VR-") || r.Attachments[0].Filename != "poc.html" || r.Attachments[0].ContentType != "text/html" {
			t.Fatalf("report: %+v", r)
		}
		if _, err := db.IntakeForReporter(ctx, r.TrackingID, tok+"x"); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Fatalf("wrong token: %v", err)
		}
		got, err := db.IntakeForReporter(ctx, r.TrackingID, tok)
		if err != nil || got.Title != r.Title || got.Status != cradle.IntakeReceived {
			t.Fatalf("reporter's view: %+v %v", got, err)
		}
		c, err := s.Open(ctx, actor, psirt.NewCase{Title: "Reflected XSS in login", Source: cradle.SourceIntake, IntakeID: r.TrackingID, Product: "GW", Suggest: true, CWE: "cwe-79"})
		if err != nil {
			t.Fatal(err)
		}
		if c.CWE != "CWE-79" || len(c.Releases) != 3 {
			t.Fatalf("case from intake: %+v", c)
		}
		got, _ = db.IntakeForReporter(ctx, r.TrackingID, tok)
		if got.Status != cradle.IntakeAccepted || got.CaseRef != c.Ref {
			t.Fatalf("report after the case opened: %+v", got)
		}
		// A report opens one case.
		if _, err := s.Open(ctx, actor, psirt.NewCase{Title: "again", IntakeID: r.TrackingID}); cradle.ErrorCode(err) != cradle.EConflict {
			t.Fatalf("second case from one report: %v", err)
		}
		// Oversize and empty reports are refused.
		big := &cradle.IntakeReport{Product: "GW", Title: "t", Description: "short"}
		if _, err := db.CreateIntake(ctx, big, []store.IntakeFile{{Filename: "a", Data: make([]byte, cradle.IntakeMaxAttachmentSize+1)}}); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("oversize: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestCheckDeadlinesNotifiesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, s := portfolio(t, db)
		aware := time.Now().UTC().Add(-20 * time.Hour) // early warning due in 4 h: due soon
		if _, err := s.Open(ctx, actor, psirt.NewCase{Title: "exploited", VulnID: "CVE-2023-45288", Suggest: true, Exploited: true, AwareAt: aware}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.CheckDeadlines(ctx); err != nil || n != 1 {
			t.Fatalf("first check: %d %v", n, err)
		}
		if n, err := s.CheckDeadlines(ctx); err != nil || n != 0 {
			t.Fatalf("second check repeats: %d %v", n, err)
		}
		s.Now = func() time.Time { return aware.Add(25 * time.Hour) } // early warning overdue
		if n, err := s.CheckDeadlines(ctx); err != nil || n != 1 {
			t.Fatalf("overdue: %d %v", n, err)
		}
		all, _, _ := db.Notices(ctx, time.Time{}, cradle.Page{})
		var ns []cradle.Notice
		for _, n := range all {
			if strings.HasPrefix(n.Kind, "art14.") {
				ns = append(ns, n)
			}
		}
		if len(ns) != 2 || ns[0].Kind != cradle.NoticeArt14Overdue || !strings.Contains(ns[0].Summary, "early warning for CASE-1") {
			t.Fatalf("notices: %+v", ns)
		}
	})
}
