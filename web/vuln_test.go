package web

import (
	"archive/zip"
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/store"
)

// goSBOM is a CycloneDX document of a Go service that ships
// golang.org/x/net at netVersion, paho.mqtt.golang v1.4.3 (affected by
// GO-2025-4173) and gorilla/websocket v1.5.0 (affected by the made-up
// CRADLE-TEST-0001).
func goSBOM(netVersion string) []byte {
	return []byte(`{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "metadata": {"component": {"type": "application", "bom-ref": "svc", "name": "gateway-svc", "version": "3.0.0"}},
  "components": [
    {"type": "library", "bom-ref": "net", "name": "golang.org/x/net", "version": "` + netVersion + `", "purl": "pkg:golang/golang.org/x/net@` + netVersion + `"},
    {"type": "library", "bom-ref": "paho", "name": "github.com/eclipse/paho.mqtt.golang", "version": "v1.4.3", "purl": "pkg:golang/github.com/eclipse/paho.mqtt.golang@v1.4.3"},
    {"type": "library", "bom-ref": "ws", "name": "github.com/gorilla/websocket", "version": "v1.5.0", "purl": "pkg:golang/github.com/gorilla/websocket@v1.5.0"}
  ],
  "dependencies": [
    {"ref": "svc", "dependsOn": ["net", "paho", "ws"]}
  ]
}`)
}

// testAdvisory is made up (no real Go record carries a CVSS score): a
// critical vulnerability in gorilla/websocket before 1.5.1.
func testAdvisory() *cradle.Vulnerability {
	return &cradle.Vulnerability{
		ID: "CRADLE-TEST-0001", Aliases: []string{"CVE-2099-0001"},
		Summary:  "Made-up test advisory for github.com/gorilla/websocket",
		Details:  "First paragraph.\n\nSecond paragraph,\nwith a line break.",
		Severity: []cradle.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, {Type: "CVSS_V4", Score: "not a vector"}},
		Affected: []cradle.Affected{{Ecosystem: "Go", Name: "github.com/gorilla/websocket", Ranges: []cradle.Range{
			{Type: cradle.RangeSemver, Events: []cradle.Event{{Introduced: "0"}, {Fixed: "1.5.1"}}},
		}}},
		References: []string{"https://example.com/advisories/CRADLE-TEST-0001", "javascript:alert(1)", "ftp://example.com/x"},
		Published:  time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC),
		Source:     "test",
	}
}

// loadVulnData loads the vulnerability data the tests match against: the
// real Go records in testdata/osv/Go, the made-up testAdvisory, a KEV
// entry for CVE-2024-45338, EPSS scores, and the state of two feeds (one
// failed). It returns how the findings changed.
func loadVulnData(t testing.TB, db *store.DB, extra ...*cradle.Vulnerability) *store.FindingChanges {
	t.Helper()
	ctx := context.Background()
	vdb, err := monitor.LoadVulnDB(filepath.Join("testdata", "osv", "Go"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(vdb.Vulns) != 3 {
		t.Fatalf("loaded %d test advisories, want 3", len(vdb.Vulns))
	}
	vulns := append([]*cradle.Vulnerability{testAdvisory()}, extra...)
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range vdb.Vulns {
			if !yield(id) {
				return
			}
		}
	}) {
		v := vdb.Vulns[id]
		v.Source = "osv:Go"
		vulns = append(vulns, v)
	}
	_, ch, err := monitor.New(db, nil).ImportVulns(ctx, vulns)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReplaceKEV(ctx, []store.KEVEntry{{CVE: "CVE-2024-45338", DateAdded: "2025-01-07", DueDate: "2025-01-28",
		Vendor: "Go", Product: "x/net", Name: "golang.org/x/net/html non-linear parsing (test entry)", Action: "Apply updates per vendor instructions."}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReplaceEPSS(ctx, func(emit func(store.EPSSScore) error) (string, error) {
		return "2025-01-08", emit(store.EPSSScore{CVE: "CVE-2024-45338", Score: 0.01234, Percentile: 0.85})
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, f := range []store.Feed{
		{Source: "osv:Go", URL: "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip", ETag: `"abc"`, LastModified: "Tue, 07 Jan 2025 10:00:00 GMT",
			CheckedAt: now, ImportedAt: now, Records: 3, Status: "ok"},
		{Source: "kev", CheckedAt: now, ImportedAt: now.Add(-10 * 24 * time.Hour), Records: 1, Status: "error", Error: "fetch https://www.cisa.gov/...: 503 Service Unavailable\nmore detail"},
	} {
		if err := db.SaveFeed(ctx, &f); err != nil {
			t.Fatal(err)
		}
	}
	return ch
}

// seedVulnRelease stores product "Gateway" with the released 3.0.0 (the
// Go service of goSBOM with x/net v0.17.0) and development 3.1.0-dev (the
// same SBOM), and loads the vulnerability data: each release has three
// open findings, one of them KEV-listed.
func seedVulnRelease(t testing.TB, db *store.DB, extra ...*cradle.Vulnerability) {
	t.Helper()
	ctx := context.Background()
	actor := cradle.Actor{Name: "test"}
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "Gateway"}); err != nil {
		t.Fatal(err)
	}
	m := monitor.New(db, nil)
	for _, r := range []*cradle.Release{{Version: "3.0.0", Lifecycle: cradle.LifecycleReleased}, {Version: "3.1.0-dev"}} {
		if err := db.CreateRelease(ctx, actor, "Gateway", r); err != nil {
			t.Fatal(err)
		}
		if _, err := m.ImportSBOM(ctx, actor, "Gateway", r.Version, "svc.cdx.json", goSBOM("v0.17.0"), nil); err != nil {
			t.Fatal(err)
		}
	}
	if ch, want := loadVulnData(t, db, extra...), 6+2*len(extra); ch.New != want {
		t.Fatalf("findings after loading the data: %+v, want %d new", ch, want)
	}
}

func TestFindingFilter(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  store.FindingFilter
		bad   []string // locations of the problems
	}{
		{"", store.FindingFilter{}, nil},
		{"product=P&release=1&severity=high&kev=true&fix_available=1&since=2025-01-02&all=true",
			store.FindingFilter{Product: "P", Release: "1", MinRating: "high", KEV: true, FixAvailable: true, Since: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), Resolved: true}, nil},
		{"kev=false", store.FindingFilter{}, nil},
		{"release=1", store.FindingFilter{}, []string{"release"}},
		{"severity=unknown&kev=yes&since=02.01.2025&all=x", store.FindingFilter{}, []string{"severity", "kev", "all", "since"}},
	} {
		q, _ := url.ParseQuery(tc.query)
		got, err := findingFilter(q)
		var locs []string
		for _, p := range cradle.ErrorProblems(err) {
			locs = append(locs, p.Location)
		}
		if !slices.Equal(locs, tc.bad) {
			t.Errorf("%q: problems at %v (%v), want %v", tc.query, locs, err, tc.bad)
		}
		if err == nil && got != tc.want {
			t.Errorf("%q: filter %+v, want %+v", tc.query, got, tc.want)
		}
	}
}

func TestDescribeRange(t *testing.T) {
	ev := func(kv ...string) []cradle.Event {
		var out []cradle.Event
		for i := 0; i < len(kv); i += 2 {
			var e cradle.Event
			switch kv[i] {
			case "i":
				e.Introduced = kv[i+1]
			case "f":
				e.Fixed = kv[i+1]
			case "l":
				e.LastAffected = kv[i+1]
			case "x":
				e.Limit = kv[i+1]
			}
			out = append(out, e)
		}
		return out
	}
	for _, tc := range []struct {
		r    cradle.Range
		want string
	}{
		{cradle.Range{Type: "SEMVER", Events: ev("i", "0", "f", "1.21.9", "i", "1.22.0-0", "f", "1.22.2")}, "v < 1.21.9; 1.22.0-0 ≤ v < 1.22.2"},
		{cradle.Range{Type: "SEMVER", Events: ev("i", "0")}, "every version"},
		{cradle.Range{Type: "ECOSYSTEM", Events: ev("i", "2.0", "l", "2.3")}, "2.0 ≤ v ≤ 2.3 (in the ecosystem's version order)"},
		{cradle.Range{Type: "ECOSYSTEM", Events: ev("i", "1.0", "i", "3.0", "f", "3.1")}, "v ≥ 1.0; 3.0 ≤ v < 3.1 (in the ecosystem's version order)"},
		{cradle.Range{Type: "GIT", Repo: "https://github.com/python/cpython", Events: ev("i", "0", "f", "0123456789abcdef0123456789abcdef01234567", "x", "*")},
			"v < 0123456789ab (Git commits of https://github.com/python/cpython; limit *)"},
	} {
		if got := describeRange(tc.r).String(); got != tc.want {
			t.Errorf("describeRange(%+v) = %q, want %q", tc.r.Events, got, tc.want)
		}
	}
}

func TestReferenceOf(t *testing.T) {
	for raw, link := range map[string]bool{
		"https://go.dev/cl/637536": true, "http://example.com/a?b=c": true,
		"javascript:alert(1)": false, "data:text/html,<script>": false, "//evil.example/x": false,
		"/relative": false, "ftp://example.com/f": false, "https://": false, "HTTPS://EXAMPLE.COM/": true,
	} {
		if got := referenceOf(raw).Link; got != link {
			t.Errorf("referenceOf(%q).Link = %v, want %v", raw, got, link)
		}
	}
}

func TestUIVulnPages(t *testing.T) {
	s, db := newUIServer(t)
	seedVulnRelease(t, db)
	c := signedIn(t, s, db, cradle.RoleAuditor)
	ctx := context.Background()
	comps, _, err := db.ListComponents(ctx, "Gateway", "3.0.0", store.ComponentFilter{Query: "golang.org/x/net"}, cradle.Page{})
	if err != nil || len(comps) != 1 {
		t.Fatalf("ListComponents: %v %v", comps, err)
	}
	netURL := componentURL("Gateway", "3.0.0", comps[0].ID)
	rel := releaseURL("Gateway", "3.0.0")
	for _, tc := range []struct {
		path string
		want []string
		not  []string
	}{
		// The dashboard's exposure panel: the released 3.0.0 has one
		// critical and two unrated findings; KEV counts both releases,
		// like the list it links to.
		{"/", []string{"Exposure", "Open findings · released", `<span class="n">1</span> <span class="l">Critical</span>`,
			`<span class="n">2</span> <span class="l">No CVSS</span>`, "3 more in releases not on the market",
			`href="/findings?kev=true">2</a>`, "findings of 1 vulnerability", "1 in released products — CRA Art. 14 attention",
			"New since yesterday", `href="/findings?since=` + time.Now().UTC().AddDate(0, 0, -1).Format(cradle.DateLayout) + `">6</a>`,
			"Data freshness", "Last update failed", "osv:Go", `href="/vulndb"`, "Products", "Gateway",
			`href="/findings?product=Gateway" title="6 open in all releases, worst: Critical">6</a>`}, nil},
		// The release: counts, the KEV alert for a release on the market,
		// KEV first, links to the vulnerability and component pages.
		{rel, []string{`id="vulnerabilities"`, "3 open", "1 actively exploited vulnerability (CISA KEV) — CRA Art. 14 attention",
			`<a class="vuln-id" href="/vulns/CVE-2024-45338">CVE-2024-45338</a> in golang.org/x/net <span class="muted">· KEV since 2025-01-07</span>`,
			`href="/vulns/CVE-2024-45338"`, `href="` + netURL + `"`, "0.33.0", "Non-linear parsing", "1.2%", ">KEV<", "9.8",
			`name="severity"`, `name="kev"`, `name="fix_available"`, "Components",
			`href="` + netURL + `#vulnerabilities" title="1 open, worst: Unknown">1</a>`, "/findings?product=Gateway&amp;release=3.0.0"}, nil},
		{rel + "?severity=critical", []string{"CVE-2099-0001", "9.8"}, []string{`CVE-2024-45338</a><span class="sub">`}},
		{rel + "?kev=true", []string{"CVE-2024-45338</a><span class=\"sub\">"}, []string{`CVE-2025-10543</a><span class="sub">`}},
		{rel + "?severity=bogus", []string{"invalid filter", "severity must be one of"}, nil},
		// Not on the market: KEV is noted, without the CRA flag.
		{releaseURL("Gateway", "3.1.0-dev"), []string{"1 actively exploited vulnerability (CISA KEV)", "not on the market", "CVE-2024-45338"}, []string{"CRA Art. 14 attention"}},
		{netURL, []string{"Vulnerabilities", "1 open", "CVE-2024-45338"}, []string{"CVE-2025-10543"}},
		{"/findings", []string{"Vulnerabilities", "CVE-2024-45338", "CVE-2025-10543", "CVE-2099-0001", "Gateway", "3.1.0-dev", "Released", `name="since"`, `aria-current="page">Vulnerabilities`}, nil},
		{"/findings?kev=true&product=Gateway&release=3.0.0", []string{"Actively exploited vulnerabilities", "CVE-2024-45338"}, []string{"CVE-2025-10543"}},
		{"/findings?since=2999-01-01", []string{"No finding matches the filter."}, nil},
		{"/findings?all=true&fix_available=true&severity=low", []string{"CVE-2099-0001"}, []string{"CVE-2024-45338<"}},
		// The vulnerability, by an alias: merged records, impact, KEV.
		{"/vulns/GHSA-w32m-9786-jp63", []string{"CVE-2024-45338", "GO-2024-3333", "GHSA-w32m-9786-jp63", "Non-linear parsing",
			"golang.org/x/net", "v &lt; 0.33.0", `href="https://go.dev/cl/637536"`, "Impact across the portfolio", "3.1.0-dev",
			"listed in CISA's KEV catalog on 2025-01-07", "Apply updates per vendor instructions.", "CRA Art. 14 attention",
			"No severity given"}, nil},
		{"/vulns/CVE-2099-0001", []string{"CRADLE-TEST-0001", "9.8", "CVSS 3.1", "does not parse", "First paragraph.", "Second paragraph,\nwith a line break.",
			`href="https://example.com/advisories/CRADLE-TEST-0001"`, "javascript:alert(1)</span> <span class=\"muted\">(not a web address)"},
			[]string{`href="javascript:`, `href="ftp:`}},
		{"/vulns/GO-2023-1988", []string{"CVE-2023-3978", "No current release ships an affected version."}, nil},
		{"/vulndb", []string{"osv:Go", "kev", "failed", "503 Service Unavailable", "<summary>Details</summary><pre>more detail</pre>", "stale", "epss"}, []string{`action="/vulndb/rematch"`, `action="/vulndb/import"`}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			rec := c.get(tc.path)
			wantStatus(t, rec, http.StatusOK)
			wantBody(t, rec, tc.want...)
			for _, bad := range tc.not {
				if strings.Contains(rec.Body.String(), bad) {
					t.Errorf("body contains %q", bad)
				}
			}
		})
	}
	rec := c.get("/findings?severity=urgent&since=yesterday")
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "Invalid filter", "severity", "since", `name="product"`)
	rec = c.get("/findings?product=Nope")
	wantStatus(t, rec, http.StatusNotFound)
	wantBody(t, rec, "Nope")
	rec = c.get("/vulns/CVE-1999-0001")
	wantStatus(t, rec, http.StatusNotFound)
	wantBody(t, rec, "No vulnerability CVE-1999-0001")
}

// TestUIReleasePagers checks that the release page's two tables page
// independently: ?fpage= pages the findings, ?page= the components.
func TestUIReleasePagers(t *testing.T) {
	s, db := newUIServer(t)
	seedVulnRelease(t, db)
	c := signedIn(t, s, db, cradle.RoleDeveloper)
	rel := releaseURL("Gateway", "3.0.0")
	body := c.get(rel + "?per_page=1").Body.String()
	for _, want := range []string{`href="` + rel + `?fpage=2&amp;per_page=1#vulnerabilities"`, `href="` + rel + `?page=2&amp;per_page=1#components"`} {
		if !strings.Contains(body, want) {
			t.Errorf("release page lacks the pager link %s", want)
		}
	}
	body = c.get(rel + "?per_page=1&fpage=2").Body.String()
	if !strings.Contains(body, "Page 2 of 3 · 2–2 of 3 findings") || !strings.Contains(body, "Page 1 of 4 · 1–1 of 4 components") {
		t.Errorf("fpage=2 did not page the findings alone:\n%s", shortBody(body))
	}
}

func TestUIVulnDBWrites(t *testing.T) {
	s, db := newUIServer(t)
	seedVulnRelease(t, db)
	ctx := context.Background()

	// Developers and auditors see no write controls and are refused.
	for _, role := range []cradle.Role{cradle.RoleDeveloper, cradle.RoleAuditor} {
		c := signedIn(t, s, db, role)
		tok := c.csrf()
		body := c.get("/vulndb").Body.String()
		if strings.Contains(body, `action="/vulndb/rematch"`) || strings.Contains(body, `action="/vulndb/import"`) {
			t.Errorf("%s sees the write forms on /vulndb", role)
		}
		wantStatus(t, c.post("/vulndb/rematch", url.Values{"csrf": {tok}}), http.StatusForbidden)
		wantStatus(t, c.uploadVuln(tok, "GO-2024-3333.json", "", readTestdata(t, "GO-2024-3333.json")), http.StatusForbidden)
	}

	c := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	tok := c.csrf()
	wantBody(t, c.get("/vulndb"), `action="/vulndb/rematch"`, `action="/vulndb/import"`, `enctype="multipart/form-data"`, `list="ecosystems"`)
	// Without the CSRF token nothing happens.
	wantStatus(t, c.post("/vulndb/rematch", url.Values{}), http.StatusForbidden)
	wantStatus(t, c.uploadVuln("", "GO-2024-3333.json", "", readTestdata(t, "GO-2024-3333.json")), http.StatusForbidden)

	rec := c.post("/vulndb/rematch", url.Values{"csrf": {tok}})
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, "Portfolio re-matched", "New findings</dt><dd>0", "Still open</dt><dd>6", "Resolved</dt><dd>0")

	t.Run("OSV record", func(t *testing.T) {
		rec := c.uploadVuln(tok, "GO-2024-3333.json", "", readTestdata(t, "GO-2024-3333.json"))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "was imported as", "file:GO-2024-3333.json", "Records</dt><dd>1", "Findings of the changed packages")
	})
	t.Run("all.zip needs its ecosystem", func(t *testing.T) {
		rec := c.uploadVuln(tok, "all.zip", "", zipOf(t, "GO-2025-4173.json"))
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "which ecosystem", `aria-invalid="true"`)
		rec = c.uploadVuln(tok, "all.zip", "../Go", zipOf(t, "GO-2025-4173.json"))
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "Invalid ecosystem")
	})
	t.Run("all.zip", func(t *testing.T) {
		rec := c.uploadVuln(tok, "all.zip", "Go", zipOf(t, "GO-2025-4173.json", "GO-2023-1988.json"))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "was imported as", "osv:Go", "Records</dt><dd>2", "Unchanged</dt><dd>2", "No advisory changed")
		if f, _ := db.Feed(ctx, "osv:Go"); f.Records != 2 || f.Status != "ok" {
			t.Errorf("feed osv:Go after the upload: %+v", f)
		}
	})
	t.Run("KEV catalog", func(t *testing.T) {
		kev := `{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.01.07", "dateReleased": "2025-01-07T12:00:00.000Z", "count": 1,
  "vulnerabilities": [{"cveID": "CVE-2025-10543", "vendorProject": "Eclipse", "product": "Paho", "vulnerabilityName": "test", "dateAdded": "2025-01-07",
  "shortDescription": "test", "requiredAction": "Apply updates.", "dueDate": "2025-01-28", "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": []}]}`
		rec := c.uploadVuln(tok, "known_exploited_vulnerabilities.json", "", []byte(kev))
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, "imported as", ">kev<", "Newly in KEV</dt><dd>1")
		if e, _ := db.KEV(ctx, "CVE-2025-10543"); e == nil {
			t.Error("the KEV upload was not stored")
		}
	})
	t.Run("broken file changes nothing", func(t *testing.T) {
		before, _ := db.VulnCounts(ctx)
		rec := c.uploadVuln(tok, "all.zip", "PyPI", []byte("this is not a zip"))
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "was not imported", "Nothing was changed")
		if strings.Contains(rec.Body.String(), os.TempDir()) {
			t.Errorf("the result page shows the temporary path:\n%s", shortBody(rec.Body.String()))
		}
		after, _ := db.VulnCounts(ctx)
		if after["osv:Go"] != before["osv:Go"] || after["osv:PyPI"] != 0 {
			t.Errorf("counts changed: %v → %v", before, after)
		}
		wantBody(t, c.get("/vulndb"), "osv:PyPI", "failed")
	})
	t.Run("located problem", func(t *testing.T) {
		bad := `{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.01.07", "dateReleased": "2025-01-07T12:00:00.000Z", "count": 7, "vulnerabilities": []}`
		rec := c.uploadVuln(tok, "known_exploited_vulnerabilities.json", "", []byte(bad))
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "was not imported", `<pre class="error-detail">`, "/count")
		if e, _ := db.KEV(ctx, "CVE-2025-10543"); e == nil {
			t.Error("a refused KEV upload emptied the catalog")
		}
	})
	t.Run("no file", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", tok)
		mw.Close()
		rec := c.do(http.MethodPost, "/vulndb/import", &buf, mw.FormDataContentType())
		wantStatus(t, rec, http.StatusBadRequest)
		wantBody(t, rec, "No file was uploaded")
	})
	t.Run("too large", func(t *testing.T) {
		small, err := New(db, Config{Version: "test", MaxUploadSize: 100}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c2 := &uiClient{t: t, h: small, cookies: c.cookies}
		rec := c2.uploadVuln(tok, "GO-2024-3333.json", "", readTestdata(t, "GO-2024-3333.json"))
		wantStatus(t, rec, http.StatusRequestEntityTooLarge)
		wantBody(t, rec, "larger than the limit")
	})
}

// TestUIVulnEscaping stores an advisory whose every text field carries
// markup and checks that the pages show it as text.
func TestUIVulnEscaping(t *testing.T) {
	s, db := newUIServer(t)
	script := `<script>alert(1)</script>`
	evil := &cradle.Vulnerability{
		ID: "EVIL-2025-0001", Aliases: []string{"CVE-2098-0001", `GHSA-<b>x</b>`},
		Summary:    "Summary " + script,
		Details:    "Details " + script + "\n\n<img src=x onerror=alert(2)>\n\n[link](javascript:alert(3))",
		Severity:   []cradle.Severity{{Type: "CVSS_V3", Score: `CVSS:3.1/AV:N"><svg onload=alert(4)>`}},
		Affected:   []cradle.Affected{{Ecosystem: "Go", Name: "github.com/gorilla/websocket", Versions: []string{"v1.5.0", script}}},
		References: []string{`javascript:alert(5)`, `https://example.com/"><script>alert(6)</script>`},
		Source:     "test",
	}
	seedVulnRelease(t, db, evil)
	c := signedIn(t, s, db, cradle.RoleAuditor)
	for _, p := range []string{"/vulns/EVIL-2025-0001", "/findings", releaseURL("Gateway", "3.0.0"), "/"} {
		rec := c.get(p)
		wantStatus(t, rec, http.StatusOK)
		body := rec.Body.String()
		for _, bad := range []string{script, "<img src=x", "<svg onload", `href="javascript:`, "<b>x</b>"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: body contains unescaped %q", p, bad)
			}
		}
	}
	wantBody(t, c.get("/vulns/EVIL-2025-0001"), html.EscapeString("Summary "+script), html.EscapeString("<img src=x onerror=alert(2)>"))
	// A reference with markup in it stays one (escaped) link.
	body := c.get("/vulns/CVE-2098-0001").Body.String()
	if !strings.Contains(body, `href="https://example.com/%22%3E%3Cscript%3Ealert%286%29%3C/script%3E"`) {
		t.Errorf("the https reference is not an escaped link: %q", regexp.MustCompile(`.*example\.com.*`).FindAllString(body, -1))
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "osv", "Go", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// zipOf packs test records into an all.zip as OSV publishes them.
func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(readTestdata(t, n))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadVuln posts the vulnerability-data upload form.
func (c *uiClient) uploadVuln(csrf, filename, ecosystem string, content []byte) *httptest.ResponseRecorder {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	mw.WriteField("ecosystem", ecosystem)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(fw, bytes.NewReader(content))
	mw.Close()
	return c.do(http.MethodPost, "/vulndb/import", &buf, mw.FormDataContentType())
}

// TestUICoverageGap checks that components of an ecosystem without
// loaded advisories are called unchecked, not clean.
func TestUICoverageGap(t *testing.T) {
	s, db := newUIServer(t)
	seedVulnRelease(t, db)
	ctx := context.Background()
	actor := cradle.Actor{Name: "test"}
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "HMI"}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRelease(ctx, actor, "HMI", &cradle.Release{Version: "7", Lifecycle: cradle.LifecycleReleased}); err != nil {
		t.Fatal(err)
	}
	const bom = `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "metadata": {"component": {"type": "application", "bom-ref": "hmi", "name": "hmi", "version": "7"}},
  "components": [{"type": "library", "bom-ref": "log4j", "name": "log4j-core", "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
  "dependencies": [{"ref": "hmi", "dependsOn": ["log4j"]}]}`
	if _, err := monitor.New(db, nil).ImportSBOM(ctx, actor, "HMI", "7", "hmi.cdx.json", []byte(bom), nil); err != nil {
		t.Fatal(err)
	}
	c := signedIn(t, s, db, cradle.RoleDeveloper)
	wantBody(t, c.get("/"), "Not checked:</strong> Maven (1 component)", `title="No open findings in the loaded vulnerability data">0<`)
	wantBody(t, c.get("/vulndb"), "Not every component is checked", "<strong>Maven</strong> (1 component in current SBOMs)")
	if body := c.get("/").Body.String(); strings.Contains(body, "Not checked:</strong> Go") {
		t.Error("Go is reported unchecked although osv:Go is loaded")
	}
}
