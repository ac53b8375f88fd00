package monitor_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/feeds"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

var actor = cradle.Actor{Name: "test"}

// gatewayBOM is an SBOM with Go packages that the test records affect (or
// not, with fixed=true).
func gatewayBOM(fixed bool) []byte {
	net, std := "v0.17.0", "go1.21.3"
	if fixed {
		net, std = "v0.36.0", "go1.24.1"
	}
	return []byte(fmt.Sprintf(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
	"metadata":{"component":{"bom-ref":"app","type":"application","name":"gw","version":"1"}},
	"components":[
	 {"bom-ref":"net","type":"library","name":"golang.org/x/net","version":"%s","purl":"pkg:golang/golang.org/x/net@%s"},
	 {"bom-ref":"std","type":"library","name":"stdlib","version":"%s","purl":"pkg:golang/stdlib@%s"},
	 {"bom-ref":"z","type":"library","name":"zlib","version":"1.2.13","purl":"pkg:generic/zlib@1.2.13"}],
	"dependencies":[{"ref":"app","dependsOn":["net","std","z"]}]}`, net, net, std, std))
}

func setup(t *testing.T, db *store.DB) *monitor.Monitor {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "GW"}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1", "2"} {
		if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: v, Lifecycle: cradle.LifecycleReleased}); err != nil {
			t.Fatal(err)
		}
	}
	return monitor.New(db, nil)
}

func TestSBOMThenAdvisoriesThenFix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := setup(t, db)
		// pkg:generic has no OSV ecosystem: that component is unmatchable.
		res, err := m.ImportSBOM(ctx, actor, "GW", "1", "gw.cdx.json", gatewayBOM(false), nil)
		if err != nil || res.Findings.New != 0 || res.Unmatched != 1 {
			t.Fatalf("SBOM before any advisory: %+v %v", res, err)
		}
		rep := m.ImportPath(ctx, "testdata/osv/Go")
		if rep.Status != "imported" || rep.Records != 2 || rep.Findings.New != 4 {
			t.Fatalf("advisory import: %+v", rep)
		}
		fs, total, err := db.ListFindings(ctx, store.FindingFilter{Product: "GW", Release: "1"}, cradle.Page{})
		if err != nil || total != 4 {
			t.Fatalf("findings: %d %v", total, err)
		}
		want := map[string]string{
			"golang.org/x/net CVE-2023-45288": "0.23.0", "golang.org/x/net CVE-2025-22870": "0.36.0",
			"stdlib CVE-2023-45288": "1.21.9", "stdlib CVE-2025-22870": "1.23.7, 1.24.1",
		}
		for _, f := range fs {
			key := f.Component + " " + f.GroupID
			fix, ok := want[key]
			if !ok {
				t.Errorf("unexpected finding %s", key)
				continue
			}
			if !strings.HasPrefix(f.Fixed, strings.Split(fix, ",")[0]) {
				t.Errorf("%s: fixed %q, want %q", key, f.Fixed, fix)
			}
		}
		// The same SBOM in a second release is matched at once.
		res, err = m.ImportSBOM(ctx, actor, "GW", "2", "gw.cdx.json", gatewayBOM(false), nil)
		if err != nil || res.Findings.New != 4 {
			t.Fatalf("second release: %+v %v", res.Findings, err)
		}
		first := fs[0].FirstSeen
		// Re-importing the same advisories changes nothing.
		rep = m.ImportPath(ctx, "testdata/osv/Go")
		if rep.Unchanged != 2 || rep.Findings.New+rep.Findings.Resolved != 0 {
			t.Fatalf("re-import: %+v %+v", rep, rep.Findings)
		}
		// A fixed SBOM resolves release 1's findings; release 2 keeps its own.
		res, err = m.ImportSBOM(ctx, actor, "GW", "1", "gw.cdx.json", gatewayBOM(true), nil)
		if err != nil || res.Findings.Resolved != 4 || res.Findings.New != 0 {
			t.Fatalf("fixed SBOM: %+v %v", res.Findings, err)
		}
		_, total, _ = db.ListFindings(ctx, store.FindingFilter{}, cradle.Page{})
		if total != 4 {
			t.Fatalf("open findings after the fix: %d, want release 2's 4", total)
		}
		// Back to the vulnerable SBOM: the findings reopen with their first-seen time.
		res, err = m.ImportSBOM(ctx, actor, "GW", "1", "gw.cdx.json", gatewayBOM(false), nil)
		if err != nil || !res.Reinstated {
			t.Fatalf("reinstate: %+v %v", res, err)
		}
		fs, _, _ = db.ListFindings(ctx, store.FindingFilter{Product: "GW", Release: "1", Vuln: "GHSA-4v7x-pqxf-cx7m"}, cradle.Page{})
		if len(fs) != 2 || !fs[0].FirstSeen.Equal(first) && !fs[1].FirstSeen.Equal(first) {
			t.Fatalf("reopened findings: %+v (first seen %v)", fs, first)
		}
	})
}

func TestWithdrawnAdvisoriesDoNotMatch(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	m := setup(t, db)
	if _, err := m.ImportSBOM(ctx, actor, "GW", "1", "gw.cdx.json", gatewayBOM(false), nil); err != nil {
		t.Fatal(err)
	}
	v := &cradle.Vulnerability{ID: "GO-9999-0001", Withdrawn: time.Now(), Affected: []cradle.Affected{{Ecosystem: "Go", Name: "golang.org/x/net",
		Ranges: []cradle.Range{{Type: "SEMVER", Events: []cradle.Event{{Introduced: "0"}}}}}}}
	_, ch, err := m.ImportVulns(ctx, []*cradle.Vulnerability{v})
	if err != nil || ch.New != 0 {
		t.Fatalf("withdrawn advisory matched: %+v %v", ch, err)
	}
}

// zipOf packs the test records as an OSV all.zip.
func zipOf(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"GO-2024-2687.json", "GO-2025-3503.json"} {
		b, err := os.ReadFile(filepath.Join("testdata/osv/Go", name))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

// feedServer serves an OSV bucket, a KEV catalog and EPSS scores with
// validators, and can be told to fail or to cut a body short.
type feedServer struct {
	osvZip, kev, epss []byte
	mode              atomic.Value // "", "500", "truncate"
	hits              atomic.Int64
}

func (f *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	mode, _ := f.mode.Load().(string)
	var body []byte
	var ctype string
	switch r.URL.Path {
	case "/osv/Go/all.zip":
		body, ctype = f.osvZip, "application/zip"
	case "/kev.json":
		body, ctype = f.kev, "application/json"
	case "/epss.csv.gz":
		body, ctype = f.epss, "application/gzip"
	default:
		http.NotFound(w, r)
		return
	}
	switch mode {
	case "500":
		http.Error(w, "upstream exploded", http.StatusInternalServerError)
		return
	case "truncate":
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:len(body)/2])
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("ETag", fmt.Sprintf(`"%x"`, len(body)))
	http.ServeContent(w, r, "", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), bytes.NewReader(body))
}

func TestSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := setup(t, db)
		if _, err := m.ImportSBOM(ctx, actor, "GW", "1", "gw.cdx.json", gatewayBOM(false), nil); err != nil {
			t.Fatal(err)
		}
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte("#model_version:v2025.03.14,score_date:2026-11-01T00:00:00+0000\ncve,epss,percentile\nCVE-2023-45288,0.91234,0.99876\n"))
		zw.Close()
		fs := &feedServer{osvZip: zipOf(t), epss: gz.Bytes(),
			kev: []byte(`{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.11.01","dateReleased":"2026-11-01T00:00:00.000Z","count":1,
			"vulnerabilities":[{"cveID":"CVE-2023-45288","vendorProject":"Go","product":"net/http","vulnerabilityName":"HTTP/2 CONTINUATION flood",
			"dateAdded":"2026-10-30","shortDescription":"x","requiredAction":"Apply updates.","dueDate":"2026-11-20","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":[]}]}`)}
		srv := httptest.NewServer(fs)
		defer srv.Close()
		opts := monitor.SyncOptions{Sources: feeds.Sources{OSVBase: srv.URL + "/osv", KEV: srv.URL + "/kev.json", EPSS: srv.URL + "/epss.csv.gz"},
			Ecosystems: []string{"Go"}, KEV: true, EPSS: true, Dir: t.TempDir(), Client: srv.Client(), Retries: 2, Backoff: 5 * time.Millisecond}
		reps := m.Sync(ctx, opts)
		for _, r := range reps {
			if r.Status != "imported" {
				t.Fatalf("first sync %s: %+v", r.Source, r)
			}
		}
		fsn, _, _ := db.ListFindings(ctx, store.FindingFilter{KEV: true}, cradle.Page{})
		if len(fsn) != 2 || fsn[0].EPSS != 0.91234 {
			t.Fatalf("KEV findings after sync: %+v", fsn)
		}
		// Nothing changed upstream: conditional requests, nothing imported.
		for _, r := range m.Sync(ctx, opts) {
			if r.Status != "not-modified" {
				t.Errorf("second sync %s: %+v", r.Source, r)
			}
		}
		// Upstream fails: the source reports it, the previous data stays.
		opts.Sources.OSVBase = srv.URL + "/osv"
		fs.mode.Store("500")
		noRetry := opts
		for _, r := range m.Sync(ctx, noRetry) {
			if r.Status != "failed" || !strings.Contains(r.Error, "500") {
				t.Errorf("sync against a failing server %s: %+v", r.Source, r)
			}
		}
		fs.mode.Store("truncate")
		// Force a download (no validators would match a truncated answer anyway).
		for _, r := range m.Sync(ctx, opts) {
			if r.Status != "failed" {
				t.Errorf("sync with a truncated body %s: %+v", r.Source, r)
			}
		}
		feedsNow, _ := db.Feeds(ctx)
		for _, f := range feedsNow {
			if f.Status != "error" || f.Error == "" || f.ImportedAt.IsZero() {
				t.Errorf("feed %s after failures: %+v", f.Source, f)
			}
		}
		_, total, _ := db.ListFindings(ctx, store.FindingFilter{}, cradle.Page{})
		if total != 4 {
			t.Errorf("findings after failed syncs: %d, want the 4 from before", total)
		}
	})
}

func TestNoticesAndWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := setup(t, db)
		var got []string
		var calls atomic.Int64
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if r.Header.Get("X-Cradle-Signature") != monitor.Sign("a-very-secret-key", body) {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			if calls.Add(1) == 1 {
				http.Error(w, "try later", http.StatusServiceUnavailable) // the first delivery fails
				return
			}
			got = append(got, r.Header.Get("X-Cradle-Event"))
		}))
		defer hook.Close()
		if err := db.CreateWebhook(ctx, actor, &store.Webhook{URL: hook.URL, Secret: "a-very-secret-key"}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateWebhook(ctx, actor, &store.Webhook{URL: "ftp://x", Secret: "short", Kinds: []string{"nope"}}); cradle.ErrorCode(err) != cradle.EInvalid || len(cradle.ErrorProblems(err)) != 3 {
			t.Fatalf("bad webhook: %v", err)
		}
		if _, err := m.ImportSBOM(ctx, actor, "GW", "1", "gw.cdx.json", gatewayBOM(false), nil); err != nil {
			t.Fatal(err)
		}
		m.ImportPath(ctx, "testdata/osv/Go")
		if _, err := db.ReplaceKEV(ctx, []store.KEVEntry{{CVE: "CVE-2023-45288", DateAdded: "2026-10-30"}}); err != nil {
			t.Fatal(err)
		}
		notices, total, err := db.Notices(ctx, time.Time{}, cradle.Page{})
		if err != nil || total != 2 {
			t.Fatalf("notices: %d %v %+v", total, err, notices)
		}
		if notices[0].Kind != cradle.NoticeKEV || !strings.Contains(notices[0].Summary, "CRA Art. 14") ||
			notices[1].Kind != cradle.NoticeNewFindings || !strings.Contains(notices[1].Summary, "4 new vulnerable") {
			t.Errorf("notices: %+v", notices)
		}
		d := &monitor.Deliverer{DB: db, Client: hook.Client(), Backoff: time.Millisecond, MaxBackoff: time.Millisecond}
		ok, failed, err := d.DeliverDue(ctx)
		if err != nil || ok != 1 || failed != 1 {
			t.Fatalf("first round: %d ok, %d failed, %v", ok, failed, err)
		}
		time.Sleep(5 * time.Millisecond)
		ok, failed, err = d.DeliverDue(ctx)
		if err != nil || ok != 1 || failed != 0 {
			t.Fatalf("retry: %d ok, %d failed, %v", ok, failed, err)
		}
		log, _, _ := db.Deliveries(ctx, cradle.Page{})
		for _, l := range log {
			if l.DeliveredAt.IsZero() {
				t.Errorf("delivery %d not delivered: %+v", l.ID, l)
			}
		}
		if len(got) != 2 {
			t.Errorf("received %v", got)
		}
	})
}
