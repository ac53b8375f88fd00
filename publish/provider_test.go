package publish

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	cradle "github.com/cradle-sdl/cradle"
)

const testBase = "https://example.com/.well-known/csaf"

// csafJSON is a small CSAF document with the fields Build reads. Build
// does not schema-validate documents, so it need not be complete.
func csafJSON(id, tlp, title, initial, current string) []byte {
	return fmt.Appendf(nil, `{
  "document": {
    "category": "csaf_security_advisory",
    "csaf_version": "2.0",
    "distribution": {"tlp": {"label": %q, "url": "https://www.first.org/tlp/"}},
    "publisher": {"category": "vendor", "name": "ACME", "namespace": "https://example.com"},
    "title": %q,
    "tracking": {
      "id": %q,
      "initial_release_date": %q,
      "current_release_date": %q,
      "revision_history": [{"date": %q, "number": "1", "summary": "Initial"}],
      "status": "final",
      "version": "1"
    }
  }
}
`, tlp, title, id, initial, current, current)
}

func testProvider(t testing.TB) Provider {
	return Provider{
		CanonicalURL: testBase,
		Publisher: Publisher{
			Name:           "ACME Product Security",
			Namespace:      "https://example.com",
			Category:       "vendor",
			ContactDetails: "mailto:psirt@example.com",
		},
		Key:         mustKey(t),
		LastUpdated: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
	}
}

// testDocs covers every TLP, two years, a tracking ID that needs the
// file-name rule, CLEAR given for WHITE, a fractional second and an
// initial release date whose year differs in UTC.
func testDocs() []Doc {
	return []Doc{
		{JSON: csafJSON("ACME-SA-2024-001", "WHITE", "Buffer overflow in PLC firmware", "2024-01-10T08:00:00Z", "2024-02-01T08:00:00Z")},
		{JSON: csafJSON("ACME-SA-2025-001", "WHITE", "Hard-coded credentials", "2025-01-15T08:00:00Z", "2025-01-15T08:00:00.5Z")},
		{TLP: "CLEAR", JSON: csafJSON("ACME SA:2023/007 (Rev. B)", "WHITE", "Old one", "2023-12-31T23:30:00-02:00", "2024-03-01T00:00:00Z")},
		{JSON: csafJSON("ACME-SA-2025-002", "GREEN", "Green one", "2025-02-01T00:00:00Z", "2025-02-01T00:00:00Z")},
		{JSON: csafJSON("ACME-SA-2025-003", "AMBER", "Unpatched RCE in gateway", "2025-02-10T00:00:00Z", "2025-02-11T00:00:00Z")},
		{JSON: csafJSON("ACME-SA-2025-004", "RED", "Red one", "2025-02-20T00:00:00Z", "2025-02-20T00:00:00Z")},
	}
}

func buildTestTree(t *testing.T) Tree {
	t.Helper()
	tree, err := Build(testProvider(t), testDocs())
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return tree
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"Avendor-advisory-0004", "avendor-advisory-0004.json"},
		{"ICSA-24-004-01", "icsa-24-004-01.json"},
		{"Example Company - 2019-YH3234", "example_company_-_2019-yh3234.json"}, // CSAF 2.0 §5.1 example
		{"RHBA-2019:0024", "rhba-2019_0024.json"},                               // §5.1 example
		{"cisco-sa-20190513-secureboot", "cisco-sa-20190513-secureboot.json"},   // §5.1 example
		{"../../etc/passwd", "_etc_passwd.json"},
		{"a+b", "a+b.json"},
		{"ÄÖÜ-1", "_-1.json"},
		{"x.json", "x_json.json"},
	} {
		if got := FileName(tc.id); got != tc.want {
			t.Errorf("FileName(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestBuildLayout(t *testing.T) {
	tree := buildTestTree(t)
	k := mustKey(t)
	var paths []string
	for p := range tree {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	fp := k.Fingerprint()
	want := []string{
		"amber/2025/acme-sa-2025-003.json", "amber/2025/acme-sa-2025-003.json.asc", "amber/2025/acme-sa-2025-003.json.sha256", "amber/2025/acme-sa-2025-003.json.sha512",
		"amber/category-amber.json", "amber/changes.csv", "amber/csaf-feed-tlp-amber.json", "amber/index.txt",
		"green/2025/acme-sa-2025-002.json", "green/2025/acme-sa-2025-002.json.asc", "green/2025/acme-sa-2025-002.json.sha256", "green/2025/acme-sa-2025-002.json.sha512",
		"green/category-green.json", "green/changes.csv", "green/csaf-feed-tlp-green.json", "green/index.txt",
		"openpgp/" + fp + ".asc",
		"provider-metadata.json",
		"red/2025/acme-sa-2025-004.json", "red/2025/acme-sa-2025-004.json.asc", "red/2025/acme-sa-2025-004.json.sha256", "red/2025/acme-sa-2025-004.json.sha512",
		"red/category-red.json", "red/changes.csv", "red/csaf-feed-tlp-red.json", "red/index.txt",
		"service.json",
		// The year as written in the value: 2023-12-31T23:30:00-02:00 is 2024 in UTC.
		"white/2023/acme_sa_2023_007_rev_b_.json", "white/2023/acme_sa_2023_007_rev_b_.json.asc", "white/2023/acme_sa_2023_007_rev_b_.json.sha256", "white/2023/acme_sa_2023_007_rev_b_.json.sha512",
		"white/2024/acme-sa-2024-001.json", "white/2024/acme-sa-2024-001.json.asc", "white/2024/acme-sa-2024-001.json.sha256", "white/2024/acme-sa-2024-001.json.sha512",
		"white/2025/acme-sa-2025-001.json", "white/2025/acme-sa-2025-001.json.asc", "white/2025/acme-sa-2025-001.json.sha256", "white/2025/acme-sa-2025-001.json.sha512",
		"white/category-white.json", "white/changes.csv", "white/csaf-feed-tlp-white.json", "white/index.txt",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("tree paths (-want +got):\n%s", diff)
	}
	for p, f := range tree {
		if !validPath(p) || strings.Contains(p, "..") {
			t.Errorf("path %q escapes or is not clean", p)
		}
		wantTLP := ""
		if first, _, ok := strings.Cut(p, "/"); ok && first != "openpgp" {
			wantTLP = strings.ToUpper(first)
		}
		if f.TLP != wantTLP {
			t.Errorf("%s: TLP %q, want %q", p, f.TLP, wantTLP)
		}
		if f.ContentType == "" {
			t.Errorf("%s: no content type", p)
		}
	}
	if got := tree["white/2024/acme-sa-2024-001.json"].ContentType; got != "application/json" {
		t.Errorf("document content type %q", got)
	}
}

func TestBuildProviderMetadata(t *testing.T) {
	tree := buildTestTree(t)
	data := tree["provider-metadata.json"].Data
	// Validated in Build; again here, independently of it.
	if err := validateMetadata(data); err != nil {
		t.Fatalf("provider-metadata.json: %v", err)
	}
	var pmd struct {
		CanonicalURL  string `json:"canonical_url"`
		Distributions []struct {
			DirectoryURL string `json:"directory_url"`
			ROLIE        *struct {
				Feeds []struct {
					Summary, URL string
					TLPLabel     string `json:"tlp_label"`
				} `json:"feeds"`
				Services   []string `json:"services"`
				Categories []string `json:"categories"`
			} `json:"rolie"`
		} `json:"distributions"`
		LastUpdated string                              `json:"last_updated"`
		List        bool                                `json:"list_on_CSAF_aggregators"`
		Mirror      bool                                `json:"mirror_on_CSAF_aggregators"`
		Version     string                              `json:"metadata_version"`
		Keys        []struct{ Fingerprint, URL string } `json:"public_openpgp_keys"`
		Publisher   map[string]string                   `json:"publisher"`
		Role        string                              `json:"role"`
	}
	if err := json.Unmarshal(data, &pmd); err != nil {
		t.Fatal(err)
	}
	k := mustKey(t)
	if pmd.CanonicalURL != testBase+"/provider-metadata.json" || pmd.Role != "csaf_trusted_provider" ||
		pmd.Version != "2.0" || !pmd.List || !pmd.Mirror || pmd.LastUpdated != "2025-03-01T00:00:00Z" {
		t.Errorf("metadata header: %+v", pmd)
	}
	if diff := cmp.Diff(map[string]string{"category": "vendor", "name": "ACME Product Security", "namespace": "https://example.com", "contact_details": "mailto:psirt@example.com"}, pmd.Publisher); diff != "" {
		t.Errorf("publisher (-want +got):\n%s", diff)
	}
	if len(pmd.Keys) != 1 || pmd.Keys[0].Fingerprint != k.Fingerprint() || pmd.Keys[0].URL != testBase+"/openpgp/"+k.Fingerprint()+".asc" {
		t.Errorf("public_openpgp_keys: %+v", pmd.Keys)
	}
	// Every URL the metadata names is a file of the tree.
	inTree := func(u string) {
		t.Helper()
		rel, ok := strings.CutPrefix(u, testBase+"/")
		if !ok {
			t.Errorf("URL %s is not under %s", u, testBase)
			return
		}
		if _, isFile := tree[rel]; !isFile && !strings.HasSuffix(rel, "/") {
			t.Errorf("URL %s names no file of the tree", u)
		}
	}
	if !bytes.Equal(tree["openpgp/"+k.Fingerprint()+".asc"].Data, k.ArmoredPublic()) {
		t.Error("the published key is not the signing key")
	}
	var labels, dirs []string
	for _, d := range pmd.Distributions {
		if d.ROLIE != nil {
			for _, f := range d.ROLIE.Feeds {
				labels = append(labels, f.TLPLabel)
				inTree(f.URL)
				if f.Summary == "" {
					t.Errorf("feed %s has no summary", f.URL)
				}
				if want := testBase + "/" + strings.ToLower(f.TLPLabel) + "/csaf-feed-tlp-" + strings.ToLower(f.TLPLabel) + ".json"; f.URL != want {
					t.Errorf("feed URL %s, want %s", f.URL, want)
				}
			}
			for _, u := range append(d.ROLIE.Services, d.ROLIE.Categories...) {
				inTree(u)
			}
		}
		if d.DirectoryURL != "" {
			dirs = append(dirs, d.DirectoryURL)
			inTree(d.DirectoryURL + "index.txt")
			inTree(d.DirectoryURL + "changes.csv")
		}
	}
	if diff := cmp.Diff([]string{"WHITE", "GREEN", "AMBER", "RED"}, labels); diff != "" {
		t.Errorf("feed TLP labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{testBase + "/white/", testBase + "/green/", testBase + "/amber/", testBase + "/red/"}, dirs); diff != "" {
		t.Errorf("directory_url (-want +got):\n%s", diff)
	}

	// The ROLIE service document lists exactly the feeds.
	var svc serviceDocument
	if err := json.Unmarshal(tree["service.json"].Data, &svc); err != nil {
		t.Fatal(err)
	}
	var hrefs []string
	for _, c := range svc.Service.Workspace[0].Collection {
		hrefs = append(hrefs, c.HRef)
	}
	if len(hrefs) != 4 {
		t.Errorf("service.json lists %v", hrefs)
	}

	// An invalid metadata document is caught by the schema.
	bad := bytes.Replace(data, []byte(`"metadata_version": "2.0"`), []byte(`"metadata_version": "1.0"`), 1)
	if err := validateMetadata(bad); err == nil || !strings.Contains(err.Error(), "metadata_version") {
		t.Errorf("schema accepted metadata_version 1.0: %v", err)
	}
	bad = bytes.Replace(data, []byte(`"fingerprint": "`), []byte(`"fingerprint": "XYZ`), 1)
	if err := validateMetadata(bad); err == nil || !strings.Contains(err.Error(), "public_openpgp_keys/0/fingerprint") {
		t.Errorf("schema accepted a bad fingerprint: %v", err)
	}
}

func checkHashFile(t *testing.T, name string, data, file []byte, alg string) {
	t.Helper()
	var sum []byte
	switch alg {
	case "sha256":
		s := sha256.Sum256(data)
		sum = s[:]
	case "sha512":
		s := sha512.Sum512(data)
		sum = s[:]
	}
	if want := hex.EncodeToString(sum) + "  " + name + "\n"; string(file) != want {
		t.Errorf("%s.%s = %q, want %q", name, alg, file, want)
	}
}

// TestBuildDistributions checks every distribution: each document with
// its hashes and signature, index.txt and changes.csv listing exactly
// the documents (newest first), and the ROLIE feed's entries.
func TestBuildDistributions(t *testing.T) {
	tree := buildTestTree(t)
	k := mustKey(t)
	pub := tree["openpgp/"+k.Fingerprint()+".asc"].Data
	docs := map[string][]Doc{} // tlp dir → docs
	for _, d := range testDocs() {
		var m csafMeta
		if err := json.Unmarshal(d.JSON, &m); err != nil {
			t.Fatal(err)
		}
		dir := strings.ToLower(m.Document.Distribution.TLP.Label)
		d.TrackingID, d.Title = m.Document.Tracking.ID, m.Document.Title
		d.InitialReleaseDate, _ = time.Parse(time.RFC3339, m.Document.Tracking.InitialReleaseDate)
		d.CurrentReleaseDate, _ = time.Parse(time.RFC3339, m.Document.Tracking.CurrentReleaseDate)
		docs[dir] = append(docs[dir], d)
	}
	quoted := regexp.MustCompile(`^"[0-9]{4}/[+\-a-z0-9_]+\.json","[0-9T:.Z-]+"$`)
	for dir, list := range docs {
		t.Run(dir, func(t *testing.T) {
			var rels []string
			want := map[string]Doc{}
			for _, d := range list {
				rel := fmt.Sprintf("%d/%s", d.InitialReleaseDate.Year(), FileName(d.TrackingID))
				rels = append(rels, rel)
				want[rel] = d
				p := dir + "/" + rel
				f, ok := tree[p]
				if !ok {
					t.Errorf("%s missing", p)
					continue
				}
				if !bytes.Equal(f.Data, d.JSON) {
					t.Errorf("%s: not the document's bytes", p)
				}
				name := FileName(d.TrackingID)
				checkHashFile(t, name, f.Data, tree[p+".sha256"].Data, "sha256")
				checkHashFile(t, name, f.Data, tree[p+".sha512"].Data, "sha512")
				if err := Verify(pub, f.Data, tree[p+".asc"].Data); err != nil {
					t.Errorf("%s.asc: %v", p, err)
				}
				if err := Verify(pub, append(bytes.Clone(f.Data), '\n'), tree[p+".asc"].Data); err == nil {
					t.Errorf("%s.asc verifies altered data", p)
				}
			}
			slices.Sort(rels)

			index := strings.Split(strings.TrimSuffix(string(tree[dir+"/index.txt"].Data), "\n"), "\n")
			if diff := cmp.Diff(rels, index); diff != "" {
				t.Errorf("index.txt (-want +got):\n%s", diff)
			}

			raw := tree[dir+"/changes.csv"].Data
			for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
				if !quoted.MatchString(line) {
					t.Errorf("changes.csv line %q is not \"path\",\"time\"", line)
				}
			}
			records, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			var prev time.Time
			for i, r := range records {
				listed = append(listed, r[0])
				at, err := time.Parse(time.RFC3339, r[1])
				if err != nil {
					t.Errorf("changes.csv %s: %v", r[1], err)
				}
				if d := want[r[0]]; !at.Equal(d.CurrentReleaseDate) {
					t.Errorf("changes.csv %s at %s, document says %s", r[0], r[1], d.CurrentReleaseDate)
				}
				if i > 0 && at.After(prev) {
					t.Errorf("changes.csv not newest first: %s after %s", r[1], prev)
				}
				prev = at
			}
			slices.Sort(listed)
			if diff := cmp.Diff(rels, listed); diff != "" {
				t.Errorf("changes.csv paths (-want +got):\n%s", diff)
			}

			var feed rolieFeed
			if err := json.Unmarshal(tree[dir+"/csaf-feed-tlp-"+dir+".json"].Data, &feed); err != nil {
				t.Fatal(err)
			}
			label := strings.ToUpper(dir)
			if feed.Feed.ID != "csaf-feed-tlp-"+dir || !strings.Contains(feed.Feed.Title, "TLP:"+label) ||
				feed.Feed.Link[0] != (link{Rel: "self", HRef: testBase + "/" + dir + "/csaf-feed-tlp-" + dir + ".json"}) ||
				feed.Feed.Category[0] != (category{Scheme: rolieInfoType, Term: "csaf"}) {
				t.Errorf("feed header: %+v", feed.Feed)
			}
			if len(feed.Feed.Entry) != len(list) {
				t.Fatalf("feed has %d entries, want %d", len(feed.Feed.Entry), len(list))
			}
			for _, e := range feed.Feed.Entry {
				var rel string
				for r, d := range want {
					if d.TrackingID == e.ID {
						rel = r
					}
				}
				d, ok := want[rel]
				if !ok {
					t.Errorf("feed entry %q is no document of the distribution", e.ID)
					continue
				}
				u := testBase + "/" + dir + "/" + rel
				wantLinks := []link{{"self", u}, {"hash", u + ".sha256"}, {"hash", u + ".sha512"}, {"signature", u + ".asc"}}
				if diff := cmp.Diff(wantLinks, e.Link); diff != "" {
					t.Errorf("entry %s links (-want +got):\n%s", e.ID, diff)
				}
				for _, l := range e.Link {
					if _, ok := tree[strings.TrimPrefix(l.HRef, testBase+"/")]; !ok {
						t.Errorf("entry %s links to %s, not in the tree", e.ID, l.HRef)
					}
				}
				pub, _ := time.Parse(time.RFC3339, e.Published)
				upd, _ := time.Parse(time.RFC3339, e.Updated)
				if e.Title != d.Title || !pub.Equal(d.InitialReleaseDate) || !upd.Equal(d.CurrentReleaseDate) ||
					e.Content != (content{Type: "application/json", Src: u}) ||
					e.Format != (format{Schema: "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", Version: "2.0"}) {
					t.Errorf("entry %+v does not match document %s", e, d.TrackingID)
				}
			}
		})
	}
	// The newest white document is the 2025 one with a fractional second,
	// and the fraction is kept.
	first, _, _ := strings.Cut(string(tree["white/changes.csv"].Data), "\n")
	if first != `"2025/acme-sa-2025-001.json","2025-01-15T08:00:00.5Z"` {
		t.Errorf("changes.csv first line = %s", first)
	}
}

func TestBuildEmptyWhite(t *testing.T) {
	tree, err := Build(testProvider(t), []Doc{{JSON: csafJSON("A-1", "AMBER", "x", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z")}})
	if err != nil {
		t.Fatal(err)
	}
	// §7.1.15: a TLP:WHITE, GREEN or unlabeled feed must exist.
	if _, ok := tree["white/csaf-feed-tlp-white.json"]; !ok {
		t.Error("no white feed when all documents are AMBER")
	}
	if got := tree["white/index.txt"].Data; len(got) != 0 {
		t.Errorf("white/index.txt = %q", got)
	}
	if _, ok := tree["white/category-white.json"]; ok {
		t.Error("category document for an empty feed")
	}
	if _, err := Build(testProvider(t), nil); err != nil {
		t.Errorf("Build without documents: %v", err)
	}
}

func TestBuildRejects(t *testing.T) {
	ok := csafJSON("A-1", "WHITE", "x", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")
	for _, tc := range []struct {
		name string
		edit func(*Provider)
		docs []Doc
		want string
	}{
		{name: "no key", edit: func(p *Provider) { p.Key = nil }, want: "provider/key"},
		{name: "http", edit: func(p *Provider) { p.CanonicalURL = "http://example.com/.well-known/csaf" }, want: "provider/canonical_url"},
		{name: "no canonical url", edit: func(p *Provider) { p.CanonicalURL = "" }, want: "provider/canonical_url: the https URL"},
		{name: "query", edit: func(p *Provider) { p.CanonicalURL = "https://example.com/csaf?x=1" }, want: "provider/canonical_url"},
		{name: "category", edit: func(p *Provider) { p.Publisher.Category = "manufacturer" }, want: "provider/publisher/category: \"manufacturer\" is not one of"},
		{name: "namespace", edit: func(p *Provider) { p.Publisher.Namespace = "example" }, want: "provider/publisher/namespace"},
		{name: "no name", edit: func(p *Provider) { p.Publisher.Name = " " }, want: "provider/publisher/name"},
		{name: "role", edit: func(p *Provider) { p.Role = "csaf_aggregator" }, want: "provider/role"},
		{name: "last updated", edit: func(p *Provider) { p.LastUpdated = time.Time{} }, want: "provider/last_updated"},
		{name: "no JSON", docs: []Doc{{TrackingID: "A-1"}}, want: "documents[0] (A-1): the document's JSON is required"},
		{name: "not JSON", docs: []Doc{{JSON: []byte("{")}}, want: "documents[0]: not a JSON document"},
		{name: "not UTF-8", docs: []Doc{{JSON: []byte("{\"a\":\"\xff\"}")}}, want: "not valid UTF-8"},
		{name: "wrong type", docs: []Doc{{JSON: []byte(`{"document":{"title":1}}`)}}, want: "documents[0]/document/title: expected a string"},
		{name: "tracking id differs", docs: []Doc{{TrackingID: "B-2", JSON: ok}}, want: "documents[0] (B-2)/document/tracking/id: \"B-2\" is given but the document says \"A-1\""},
		{name: "tlp differs", docs: []Doc{{TLP: "AMBER", JSON: ok}}, want: "/document/distribution/tlp/label: \"AMBER\" is given but the document says \"WHITE\""},
		{name: "date differs", docs: []Doc{{CurrentReleaseDate: time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC), JSON: ok}}, want: "/document/tracking/current_release_date"},
		{name: "no tlp", docs: []Doc{{JSON: csafJSON("A-1", "", "x", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")}}, want: "a TLP label is required"},
		{name: "amber strict", docs: []Doc{{JSON: csafJSON("A-1", "AMBER+STRICT", "x", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")}}, want: "\"AMBER+STRICT\" is not a CSAF 2.0 TLP label"},
		{name: "bad date", docs: []Doc{{JSON: csafJSON("A-1", "WHITE", "x", "2025-01-01", "2025-01-02T00:00:00Z")}}, want: "\"2025-01-01\" is not an RFC 3339 date-time"},
		{name: "no title", docs: []Doc{{JSON: csafJSON("A-1", "WHITE", "", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")}}, want: "/document/title: is required"},
		{name: "same file name", docs: []Doc{{JSON: csafJSON("A_1", "WHITE", "x", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")}, {JSON: csafJSON("a:1", "RED", "y", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")}}, want: "documents[1]/document/tracking/id: gives the file name a_1.json, as documents[0] does"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testProvider(t)
			if tc.edit != nil {
				tc.edit(&p)
			}
			docs := tc.docs
			if docs == nil {
				docs = []Doc{{JSON: ok}}
			}
			tree, err := Build(p, docs)
			if tree != nil || cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build error = %v, want invalid containing %q", err, tc.want)
			}
		})
	}
}

func TestBuildCanonicalURLForms(t *testing.T) {
	for _, u := range []string{testBase, testBase + "/", testBase + "/provider-metadata.json"} {
		p := testProvider(t)
		p.CanonicalURL = u
		tree, err := Build(p, nil)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if !bytes.Contains(tree["provider-metadata.json"].Data, []byte(`"canonical_url": "`+testBase+`/provider-metadata.json"`)) {
			t.Errorf("%s: canonical_url wrong:\n%s", u, tree["provider-metadata.json"].Data)
		}
	}
}
