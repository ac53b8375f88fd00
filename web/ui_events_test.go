package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/store"
)

// seedNotices stores product name with a released and a development
// release shipping the vulnerable Go service of goSBOM, and imports the
// test advisories (testdata/osv/Go) and KEV entry: each release gets a
// findings.new and a finding.kev notice, the released one's with CRA
// Art. 14 attention.
func seedNotices(t *testing.T, db *store.DB, name string) {
	t.Helper()
	ctx := context.Background()
	actor := cradle.Actor{Name: "test"}
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: name}); err != nil {
		t.Fatal(err)
	}
	m := monitor.New(db, nil)
	for _, r := range []*cradle.Release{{Version: "1.0", Lifecycle: cradle.LifecycleReleased}, {Version: "1.1-dev"}} {
		if err := db.CreateRelease(ctx, actor, name, r); err != nil {
			t.Fatal(err)
		}
		if _, err := m.ImportSBOM(ctx, actor, name, r.Version, "svc.cdx.json", goSBOM("v0.17.0"), nil); err != nil {
			t.Fatal(err)
		}
	}
	loadVulnData(t, db)
}

func TestUIEvents(t *testing.T) {
	s, db := newUIServer(t)
	// Names may not contain "/": the product's name is an attribute-based
	// payload, and every notice's summary names the product.
	evil := `<img src=x onerror=alert(1)>`
	seedNotices(t, db, evil)
	ns, total, err := db.Notices(context.Background(), time.Time{}, cradle.Page{})
	if err != nil || total != 4 {
		t.Fatalf("notices: %d %v, want 4 (new findings and KEV, per release)", total, err)
	}

	c := signedIn(t, s, db, cradle.RoleAuditor)
	wantBody(t, c.get("/"), `href="/events"`) // in the main navigation
	rec := c.get("/events")
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	for _, bad := range []string{evil, "<img src=x"} {
		if strings.Contains(body, bad) {
			t.Errorf("/events contains unescaped %q", bad)
		}
	}
	wantBody(t, rec, html.EscapeString(ns[0].Summary), html.EscapeString(ns[3].Summary), formatUTC(ns[0].At),
		`title="finding.kev"`, `title="findings.new"`, "KEV listed", "New findings", `href="/vulns/CVE-2024-45338"`,
		`href="`+releaseURL(evil, "1.0")+`"`)
	// Only the KEV notice of the released product carries the flag.
	if n := strings.Count(body, `>CRA Art. 14</span>`); n != 1 {
		t.Errorf("CRA Art. 14 flags = %d, want 1 (the released product's KEV notice)", n)
	}
	// Newest first: the KEV notices came after the findings.
	if strings.Index(body, `title="finding.kev"`) > strings.Index(body, `title="findings.new"`) {
		t.Error("notices are not newest first")
	}

	// Pagination and the since filter, as in the API.
	rec = c.get("/events?per_page=3&page=2")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Page 2 of 2", html.EscapeString(ns[3].Summary))
	rec = c.get("/events?since=2999-01-01")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "No notices since 2999-01-01")
	rec = c.get("/events?since=yesterday")
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "must be a date YYYY-MM-DD", `value="yesterday"`)
}

func TestUIWebhooks(t *testing.T) {
	s, db := newUIServer(t)
	ctx := context.Background()

	dev := signedIn(t, s, db, cradle.RoleDeveloper)
	wantStatus(t, dev.get("/admin/webhooks"), http.StatusForbidden)
	wantStatus(t, dev.post("/admin/webhooks", url.Values{"csrf": {dev.csrf()}, "url": {"https://x.example.com"}, "secret": {"a-very-secret-key"}}), http.StatusForbidden)

	c := signedIn(t, s, db, cradle.RoleAdmin)
	wantBody(t, c.get("/admin/users"), `href="/admin/webhooks"`) // an Admin tab
	rec := c.get("/admin/webhooks")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "No webhooks", "No deliveries", "X-Cradle-Signature: sha256=", "HMAC-SHA256", `name="kinds" value="finding.kev"`)
	tok := c.csrf()

	// Without the CSRF token nothing is created.
	wantStatus(t, c.post("/admin/webhooks", url.Values{"url": {"https://x.example.com"}, "secret": {"a-very-secret-key"}}), http.StatusForbidden)

	// A bad URL re-renders the form with the store's located message,
	// the entered values kept and the secret not echoed.
	rec = c.post("/admin/webhooks", url.Values{"csrf": {tok}, "url": {"ftp://files.example.com"}, "secret": {"a-very-secret-key"}, "kinds": {"finding.kev"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "Invalid webhook", `aria-invalid="true"`, "URL must be an http or https URL; found &#34;ftp://files.example.com&#34;",
		`value="ftp://files.example.com"`, `value="finding.kev" checked`)
	if strings.Contains(rec.Body.String(), "a-very-secret-key") {
		t.Error("the secret was echoed back")
	}
	rec = c.post("/admin/webhooks", url.Values{"csrf": {tok}, "url": {"https://x.example.com"}, "secret": {"short"}, "kinds": {"everything"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "Secret must be at least 16 characters", "Kinds: unknown kind &#34;everything&#34;")
	if ws, _ := db.Webhooks(ctx); len(ws) != 0 {
		t.Fatalf("invalid forms created webhooks: %+v", ws)
	}

	rec = c.post("/admin/webhooks", url.Values{"csrf": {tok}, "url": {"https://hooks.example.com/cradle"}, "secret": {"a-very-secret-key"},
		"kinds": {"finding.kev", "findings.new"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/admin/webhooks" {
		t.Errorf("redirect to %q", loc)
	}
	ws, err := db.Webhooks(ctx)
	if err != nil || len(ws) != 1 || ws[0].Secret != "a-very-secret-key" || strings.Join(ws[0].Kinds, ",") != "finding.kev,findings.new" {
		t.Fatalf("webhooks after the form: %+v %v", ws, err)
	}

	// Notices recorded from now on are queued for it: the delivery log.
	seedNotices(t, db, "Gateway")
	ds, total, err := db.Deliveries(ctx, cradle.Page{})
	if err != nil || total != 4 {
		t.Fatalf("deliveries: %d %v, want 4", total, err)
	}
	if err := db.RecordDelivery(ctx, ds[0].ID, 500, "the endpoint answered 500 Internal Server Error", false, true); err != nil {
		t.Fatal(err)
	}
	rec = c.get("/admin/webhooks")
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Webhook created.", "https://hooks.example.com/cradle", "KEV listed", "New findings",
		">gave up</span>", ">pending</span>", "the endpoint answered 500 Internal Server Error")
	if strings.Contains(rec.Body.String(), "a-very-secret-key") {
		t.Error("the webhooks page shows a secret")
	}
}
