package compliance_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/compliance"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/sbom/sbomgen"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// Hostile text in every free-text field the documents show: it must come
// out as text in HTML and PDF, never as markup.
const (
	evilName         = `<img src=x onerror=alert(1)> GW (x) \ ) Tj`
	evilManufacturer = `<script>alert("m")</script> Evil & Co. GmbH, Hauptstraße 1, 10115 Berlin`
	evilNotes        = `<b>threat</b> model & "notes"`
)

var docNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

// statusOf is the status the fixture gives the i-th requirement of a
// catalogue: every status occurs, so a document that prints the wrong one
// for any requirement fails.
func statusOf(i int) string { return cradle.AssessmentStatuses[i%len(cradle.AssessmentStatuses)] }

func statusLabel(s string) string {
	return map[string]string{cradle.StatusNotStarted: "Not started", cradle.StatusPartial: "Partial", cradle.StatusMet: "Met", cradle.StatusNotApplicable: "Not applicable"}[s]
}

type fixture struct {
	s        *compliance.Service
	db       *store.DB
	evidence map[string][]byte // file evidence by SHA-256
}

func docFixture(t testing.TB, db *store.DB, name string, class cradle.CRAClass) *fixture {
	t.Helper()
	ctx := context.Background()
	s := compliance.New(db)
	s.Now = func() time.Time { return docNow }
	fx := &fixture{s: s, db: db, evidence: map[string][]byte{}}
	p := &cradle.Product{Name: name, Manufacturer: evilManufacturer, Class: class, Description: "Gateway <b>description</b>",
		IntendedPurpose: "Connects field devices to plant systems.", SupportStart: "2024-01-01", SupportEnd: "2034-06-30",
		SupportRationale: "Ten years: the life of the machines it serves.", ModelNumbers: []string{"EG-200-DIN"}}
	if err := db.CreateProduct(ctx, actor, p); err != nil {
		t.Fatal(err)
	}
	for _, r := range []cradle.Release{
		{Version: "0.9", ReleaseDate: "2023-01-01", Lifecycle: cradle.LifecycleEndOfSupport},
		{Version: "1.0", ReleaseDate: "2024-03-01", Lifecycle: cradle.LifecycleReleased},
		{Version: "2.0 <beta>", ReleaseDate: "2025-06-15", Lifecycle: cradle.LifecycleReleased},
		{Version: "3.0-dev", Lifecycle: cradle.LifecycleDevelopment},
	} {
		if err := db.CreateRelease(ctx, actor, name, &r); err != nil {
			t.Fatal(err)
		}
	}
	m := monitor.New(db, nil)
	for _, v := range []string{"1.0", "2.0 <beta>"} {
		if _, err := m.ImportSBOM(ctx, actor, name, v, "gw.json", sbomgen.CycloneDX(20, 30, v), nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{catalog.IEC62443_4_1, catalog.CRA} {
		c, err := s.Catalog(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range c.Requirements {
			a := &cradle.Assessment{CatalogID: id, Requirement: r.ID, Status: statusOf(i), Product: name, Owner: "owner-" + r.ID}
			if r.ID == "SR-2" {
				a.Notes = evilNotes
			}
			if err := s.Assess(ctx, actor, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	add := func(catalogID, req string, e *cradle.Evidence, f *store.EvidenceFile) {
		t.Helper()
		if err := s.AddEvidence(ctx, actor, cradle.ScopeProduct, name, catalogID, req, e, f); err != nil {
			t.Fatal(err)
		}
		if f != nil {
			sum := sha256.Sum256(f.Data)
			fx.evidence[hex.EncodeToString(sum[:])] = f.Data
		}
	}
	add(catalog.IEC62443_4_1, "SVV-3", &cradle.Evidence{Kind: cradle.EvidenceFile}, &store.EvidenceFile{Filename: "../../etc/passwd", Data: []byte("fuzzing report\n")})
	add(catalog.IEC62443_4_1, "SVV-1", &cradle.Evidence{Kind: cradle.EvidenceFile, Title: "Test report <final>"}, &store.EvidenceFile{Filename: "report (final) ü.pdf", Data: []byte("%PDF-1.4 not really")})
	add(catalog.IEC62443_4_1, "SVV-4", &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://pentest.example.com/report?a=1&b=<2>"}, nil)
	add(catalog.IEC62443_4_1, "SVV-4", &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://old.example.com/", ExpiresAt: time.Now().AddDate(-1, 0, 0)}, nil)
	add(catalog.IEC62443_4_1, "SVV-2", &cradle.Evidence{Kind: cradle.EvidenceRecord, RecordType: "release", RecordRef: name + "@1.0"}, nil)
	add(catalog.CRA, "I.II.3", &cradle.Evidence{Kind: cradle.EvidenceFile}, &store.EvidenceFile{Filename: "passwd", Data: []byte("fuzzing report\n")}) // same content as SVV-3's
	add(catalog.IEC62443_4_1, "SG-4", &cradle.Evidence{Kind: cradle.EvidenceURL, Title: "Decommissioning guide", URL: "https://docs.example.com/decommission"}, nil)
	add(catalog.CRA, "II.6", &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://example.com/doc.pdf"}, nil)
	if err := db.SetApplicability(ctx, actor, &store.Applicability{Product: name, CatalogID: catalog.CRA, Requirement: "I.I.2.g", Applies: false, Justification: "The gateway processes no personal data <none>."}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetApplicability(ctx, actor, &store.Applicability{Product: name, CatalogID: catalog.CRA, Requirement: "I.I.1", Applies: true, Justification: "Risk-based design per threat model."}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMaturityOverride(ctx, actor, cradle.ScopeProduct, name, catalog.IEC62443_4_1, &store.MaturityOverride{Practice: "SI", Level: 2, Rationale: "SAST covers only <C> code"}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSetting(ctx, actor, "psirt", cradle.PSIRTSettings{Contacts: []string{"mailto:psirt@example.com"}, BaseURL: "https://example.com",
		CVDPolicy: cradle.DefaultCVDPolicy, PublisherName: "Evil & Co", PublisherNamespace: "https://example.com", TrackingPrefix: "EV-SA", IntakeEnabled: true}, nil); err != nil {
		t.Fatal(err)
	}
	c := &cradle.Case{Title: "Flood <x>", AwareAt: time.Now().Add(-48 * time.Hour)}
	if err := db.CreateCase(ctx, actor, c); err != nil {
		t.Fatal(err)
	}
	u := &cradle.SecurityUpdate{AvailableAt: time.Now().Add(-time.Hour), Summary: "Fixes the flood <x>", Install: "Upload the image", Verify: "Check the SHA-256",
		Qualification: "Regression suite", ArtifactHash: strings.Repeat("ab", 32), Cases: []string{c.Ref}}
	if err := db.CreateSecurityUpdate(ctx, actor, name, "2.0 <beta>", u, func(*cradle.SecurityUpdate, cradle.Subscriber) store.Mail { return store.Mail{} }); err != nil {
		t.Fatal(err)
	}
	return fx
}

// expected returns each requirement of a catalogue with the status label
// the fixture gave it.
func expected(t *testing.T, s *compliance.Service, catalogID string, kind catalog.Kind) map[string]string {
	t.Helper()
	c, err := s.Catalog(context.Background(), catalogID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i, r := range c.Requirements {
		if kind == "" || r.Kind == kind {
			out[r.ID] = statusLabel(statusOf(i))
		}
	}
	return out
}

// checkHTML checks that page is a complete HTML5 document that is also
// well-formed XML (so every element is closed and nested properly), that
// void elements are the only self-closed ones, and that it has no script,
// no event-handler attribute and no element from the data.
func checkHTML(t *testing.T, page []byte) string {
	t.Helper()
	if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>\n<html lang=\"en\">")) {
		t.Fatalf("not an HTML5 page: %.80q", page)
	}
	void := map[string]bool{"meta": true, "br": true, "hr": true, "link": true}
	for _, m := range regexp.MustCompile(`<([a-zA-Z0-9]+)[^<>]*/>`).FindAllSubmatch(page, -1) {
		if !void[string(m[1])] {
			t.Errorf("non-void element written self-closed: %s", m[0])
		}
	}
	allowed := map[string]bool{"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "header": true, "h1": true, "h2": true, "h3": true,
		"p": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "ul": true, "ol": true, "li": true, "a": true, "nav": true,
		"main": true, "section": true, "footer": true}
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	var text strings.Builder
	var stack []string
	seen := map[string]bool{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, col := d.InputPos()
			t.Fatalf("not well-formed at %d:%d: %v", line, col, err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if !allowed[x.Name.Local] {
				t.Errorf("unexpected element <%s>", x.Name.Local)
			}
			for _, a := range x.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					t.Errorf("event handler attribute %s on <%s>", a.Name.Local, x.Name.Local)
				}
				if a.Name.Local == "href" && (strings.Contains(a.Value, ":") || strings.HasPrefix(a.Value, "/")) && !strings.HasPrefix(a.Value, "#") {
					t.Errorf("link leaves the bundle: %q", a.Value)
				}
			}
			stack = append(stack, x.Name.Local)
			seen[x.Name.Local] = true
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			text.Write(x)
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	for _, e := range []string{"html", "head", "title", "style", "body", "h1"} {
		if !seen[e] {
			t.Errorf("no <%s>", e)
		}
	}
	return text.String()
}

// pdfTool finds a poppler tool, skipping visibly when it is missing
// unless CRADLE_TEST_PDFTOPPM=1 requires it.
func pdfTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CRADLE_TEST_PDFTOPPM") == "1" {
			t.Fatalf("%s not found (poppler-utils) and CRADLE_TEST_PDFTOPPM=1 requires it", name)
		}
		t.Skipf("SKIPPING the PDF rendering checks: %s not found (install poppler-utils, or set CRADLE_TEST_PDFTOPPM=1 to make this a failure)", name)
	}
	return p
}

var pageRE = regexp.MustCompile(`Page 1 of (\d+)`)

// checkPDF renders every page with pdftoppm and returns the text as laid
// out (pdftotext -layout: a table row's first line is one line) and flat
// (pdftotext -raw, whitespace collapsed: a wrapped cell reads as one
// phrase); it checks the page count against the footer.
func checkPDF(t *testing.T, doc []byte) (layout, flat string) {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte("%PDF-")) || !bytes.Contains(doc[max(0, len(doc)-1024):], []byte("%%EOF")) {
		t.Fatalf("not a PDF: %.20q ... %.20q", doc, doc[max(0, len(doc)-20):])
	}
	toppm, totext := pdfTool(t, "pdftoppm"), pdfTool(t, "pdftotext")
	dir := t.TempDir()
	file := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(toppm, "-png", "-r", "20", file, filepath.Join(dir, "page")).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	out, err := exec.Command(totext, "-layout", "-enc", "UTF-8", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	text := string(out)
	m := pageRE.FindStringSubmatch(text)
	if m == nil || m[1] != fmt.Sprint(len(pngs)) || len(pngs) == 0 {
		t.Fatalf("footer %q, %d rendered pages", m, len(pngs))
	}
	if !strings.Contains(text, fmt.Sprintf("Page %d of %d", len(pngs), len(pngs))) || !strings.Contains(text, "Generated 2026-03-10 09:30 UTC by cradle") {
		t.Errorf("footer on the last page or generation date missing")
	}
	raw, err := exec.Command(totext, "-raw", "-enc", "UTF-8", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, raw)
	}
	return text, strings.Join(strings.Fields(string(raw)), " ")
}

// rowHas reports whether the HTML has a table row whose first cell is id
// and that has a cell equal to want.
func rowHas(page, id, want string) bool {
	for _, row := range strings.Split(page, "<tr>") {
		if strings.HasPrefix(row, "<td>"+id+"</td>") && strings.Contains(row[:strings.Index(row+"</tr>", "</tr>")], "<td>"+want+"</td>") {
			return true
		}
	}
	return false
}

// lineHas reports whether a line of pdftotext output starts with id (as a
// whole word) and contains want.
func lineHas(text, id, want string) bool {
	re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(id) + `\s.*\b` + regexp.QuoteMeta(want) + `\b`)
	return re.MatchString(text)
}

func TestSelfAssessment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := docFixture(t, db, evilName, cradle.ClassDefault)
		d, err := fx.s.SelfAssessment(ctx, evilName)
		if err != nil {
			t.Fatal(err)
		}
		page, err := d.HTML()
		if err != nil {
			t.Fatal(err)
		}
		text := checkHTML(t, page)
		want := expected(t, fx.s, catalog.IEC62443_4_1, "")
		if len(want) != 47 {
			t.Fatalf("%d requirements in the catalogue", len(want))
		}
		for id, label := range want {
			if !rowHas(string(page), id, label) {
				t.Errorf("HTML: no overview row %s with status %s", id, label)
			}
			if !strings.Contains(text, id+" ") {
				t.Errorf("HTML: no section for %s", id)
			}
		}
		for _, s := range []string{evilName, evilManufacturer, evilNotes, "SAST covers only <C> code", "ML2 Managed",
			"SHA-256 " + hexOf("fuzzing report\n"), "passwd", "https://pentest.example.com/report?a=1&b=<2>", "STALE: expired ",
			"release " + evilName + "@1.0", "Derived from cradle's records", "owner-SVV-3"} {
			if !strings.Contains(text, s) {
				t.Errorf("HTML text lacks %q", s)
			}
		}
		pdf, err := d.PDF()
		if err != nil {
			t.Fatal(err)
		}
		t.Run("pdf", func(t *testing.T) {
			ptext, flat := checkPDF(t, pdf)
			for id, label := range want {
				if !lineHas(ptext, id, label) {
					t.Errorf("PDF: no line with %s and status %s", id, label)
				}
			}
			for _, s := range []string{"GW (x) \\ ) Tj", "Evil & Co. GmbH, Hauptstraße 1", "SAST covers only <C> code", "Maturity per practice", evilNotes} {
				if !strings.Contains(flat, s) {
					t.Errorf("PDF text lacks %q", s)
				}
			}
		})

		// The organisation's self-assessment: its 16 process requirements only.
		d, err = fx.s.SelfAssessment(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		page, err = d.HTML()
		if err != nil {
			t.Fatal(err)
		}
		checkHTML(t, page)
		org := expected(t, fx.s, catalog.IEC62443_4_1, catalog.KindOrganisation)
		for id, label := range want {
			_, isOrg := org[id]
			if got := rowHas(string(page), id, label); got != isOrg {
				t.Errorf("organisation self-assessment: row %s %s present %v, want %v", id, label, got, isOrg)
			}
		}
		if strings.Contains(string(page), "onerror") {
			t.Errorf("organisation self-assessment names the product")
		}
	})
}

func hexOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestStatementOfApplicability(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := docFixture(t, db, evilName, cradle.ClassDefault)
		for _, id := range []string{catalog.IEC62443_4_1, catalog.CRA} {
			d, err := fx.s.StatementOfApplicability(ctx, evilName, id)
			if err != nil {
				t.Fatal(err)
			}
			page, err := d.HTML()
			if err != nil {
				t.Fatal(err)
			}
			checkHTML(t, page)
			want := expected(t, fx.s, id, "")
			for req, label := range want {
				applies := "Yes"
				if label == "Not applicable" || req == "I.I.2.g" {
					applies, label = "No", "Not applicable"
				}
				if !rowHas(string(page), req, label) || !rowHas(string(page), req, applies) {
					t.Errorf("%s: no row %s applies %s status %s", id, req, applies, label)
				}
			}
			if id == catalog.CRA && !rowHas(string(page), "I.I.2.g", "The gateway processes no personal data &lt;none&gt;.") {
				t.Errorf("the justification of I.I.2.g is missing")
			}
			pdf, err := d.PDF()
			if err != nil {
				t.Fatal(err)
			}
			t.Run(id+"/pdf", func(t *testing.T) {
				ptext, flat := checkPDF(t, pdf)
				for req := range want {
					if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(req) + `\s`).MatchString(ptext) {
						t.Errorf("%s PDF: no row %s", id, req)
					}
				}
				if id == catalog.CRA && !strings.Contains(flat, "The gateway processes no personal data <none>.") {
					t.Errorf("PDF lacks the justification")
				}
			})
		}
	})
}

func TestDeclaration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := docFixture(t, db, evilName, cradle.ClassImportantI)
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "Plain", Manufacturer: "Plain AG\nRing 2\n8000 Zürich"}); err != nil {
			t.Fatal(err)
		}
		d, err := fx.s.Declaration(ctx, evilName)
		if err != nil {
			t.Fatal(err)
		}
		page, err := d.HTML()
		if err != nil {
			t.Fatal(err)
		}
		text := checkHTML(t, page)
		for _, s := range []string{evilName, evilManufacturer, "Regulation (EU) 2024/2847", "sole responsibility of the manufacturer",
			"1. Product with digital elements", "2. Name and address of the manufacturer", "3. Responsibility", "4. Object of the declaration",
			"5. Conformity", "6. Harmonised standards", "7. Notified body", "8. Additional information", "EG-200-DIN", "1.0 (released 2024-03-01), 2.0 <beta> (released 2025-06-15)",
			"IEC 62443-4-1:2018", "not harmonised standards", "a notified body is required", "Notified body (number)", "Place and date of issue", "Signature"} {
			if !strings.Contains(text, s) {
				t.Errorf("declaration lacks %q", s)
			}
		}
		if strings.Contains(text, "0.9 (released") || strings.Contains(text, "3.0-dev") {
			t.Errorf("declaration covers releases not on the market")
		}
		pdf, err := d.PDF()
		if err != nil {
			t.Fatal(err)
		}
		t.Run("pdf", func(t *testing.T) {
			_, flat := checkPDF(t, pdf)
			for _, s := range []string{"GW (x) \\ ) Tj", evilManufacturer, "Regulation (EU) 2024/2847", "sole responsibility of the manufacturer", "a notified body is required"} {
				if !strings.Contains(flat, s) {
					t.Errorf("declaration PDF lacks %q", s)
				}
			}
		})
		// Default class: module A, no notified body.
		d, err = fx.s.Declaration(ctx, "Plain")
		if err != nil {
			t.Fatal(err)
		}
		page, _ = d.HTML()
		text = checkHTML(t, page)
		if !strings.Contains(text, "Not applicable. Conformity was assessed by the manufacturer under the internal control procedure (module A)") || strings.Contains(text, "Notified body (number)") {
			t.Errorf("default class: %s", text)
		}
		if !strings.Contains(text, "Signed for and on behalf of") || !strings.Contains(text, "Plain AG") {
			t.Errorf("signatory missing")
		}

		// Annex VI.
		d, err = fx.s.SimplifiedDeclaration(ctx, evilName, "https://example.com/doc?a=1&b=2")
		if err != nil {
			t.Fatal(err)
		}
		page, _ = d.HTML()
		text = checkHTML(t, page)
		if !strings.Contains(text, "Hereby, "+evilManufacturer+" declares that the product with digital elements type "+evilName+" (EG-200-DIN) is in compliance with Regulation (EU) 2024/2847.") ||
			!strings.Contains(text, "available at the following internet address: https://example.com/doc?a=1&b=2") {
			t.Errorf("simplified declaration: %s", text)
		}
		if _, err := fx.s.SimplifiedDeclaration(ctx, evilName, "javascript:alert(1)"); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Errorf("javascript: URL accepted: %v", err)
		}
		if _, err := fx.s.Declaration(ctx, "nope"); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Errorf("unknown product: %v", err)
		}
	})
}

func TestUserInformation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := docFixture(t, db, evilName, cradle.ClassDefault)
		d, err := fx.s.UserInformation(ctx, evilName)
		if err != nil {
			t.Fatal(err)
		}
		page, err := d.HTML()
		if err != nil {
			t.Fatal(err)
		}
		text := checkHTML(t, page)
		for _, s := range []string{"1. Manufacturer", "2. Single point of contact", "3. Product identification", "4. Intended purpose",
			"5. Known or foreseeable circumstances", "6. EU declaration of conformity", "7. Technical security support", "8. Detailed instructions",
			evilManufacturer, "psirt@example.com", "https://example.com/security/policy", "https://example.com/report", "Connects field devices",
			"[To be completed: known or foreseeable circumstances", "Gateway <b>description</b>", "https://example.com/doc.pdf", "June 2034 (2034-06-30)",
			"(a) Measures at initial commissioning", "(d) Secure decommissioning", "Decommissioning guide: https://docs.example.com/decommission",
			"(e) How the default setting for automatic installation", "(f) For integration", "Fixes the flood <x>", "Upload the image"} {
			if !strings.Contains(text, s) {
				t.Errorf("user information lacks %q", s)
			}
		}
		pdf, err := d.PDF()
		if err != nil {
			t.Fatal(err)
		}
		t.Run("pdf", func(t *testing.T) {
			ptext, _ := checkPDF(t, pdf)
			for i := 1; i <= 8; i++ {
				if !regexp.MustCompile(fmt.Sprintf(`(?m)^\s*%d\. [A-Z]`, i)).MatchString(ptext) {
					t.Errorf("PDF lacks item (%d)", i)
				}
			}
		})
	})
}

func TestTechnicalDocumentation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := docFixture(t, db, evilName, cradle.ClassImportantI)
		data, err := fx.s.TechnicalDocumentation(ctx, evilName)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := fx.s.TechnicalDocumentation(ctx, evilName); err != nil || !bytes.Equal(again, data) {
			t.Errorf("a second build at the same time differs (%v)", err)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		safe := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$`)
		for _, f := range zr.File {
			if !fs.ValidPath(f.Name) || path.Clean(f.Name) != f.Name || path.IsAbs(f.Name) || strings.Contains(f.Name, `\`) || strings.Contains(f.Name, "..") || !safe.MatchString(f.Name) {
				t.Errorf("unsafe entry name %q", f.Name)
			}
			if _, dup := files[f.Name]; dup {
				t.Errorf("duplicate entry %q", f.Name)
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			files[f.Name] = b
		}
		for _, dir := range []string{"1-general-description/", "2-design-development/", "3-risk-assessment/", "4-support-period/", "5-standards/", "6-test-reports/", "7-declaration/", "8-sbom-note/"} {
			found := false
			for name := range files {
				found = found || strings.HasPrefix(name, dir)
			}
			if !found {
				t.Errorf("no files under %s", dir)
			}
		}
		// Every link of every page resolves to an entry; every document is
		// there as HTML and PDF.
		hrefRE := regexp.MustCompile(`href="([^"#][^"]*)"`)
		indexLinks := 0
		for name, b := range files {
			switch path.Ext(name) {
			case ".html":
				checkHTML(t, b)
				for _, m := range hrefRE.FindAllSubmatch(b, -1) {
					target := path.Join(path.Dir(name), string(m[1]))
					if _, ok := files[target]; !ok {
						t.Errorf("%s links to %s, not in the bundle", name, m[1])
					}
					if name == "index.html" {
						indexLinks++
					}
				}
				if _, ok := files[strings.TrimSuffix(name, ".html")+".pdf"]; !ok && name != "index.html" {
					t.Errorf("%s has no PDF", name)
				}
			case ".pdf":
				if !strings.HasPrefix(name, "6-test-reports/files/") && !bytes.HasPrefix(b, []byte("%PDF-")) {
					t.Errorf("%s is not a PDF", name)
				}
			}
		}
		if indexLinks < 20 {
			t.Errorf("index has %d links", indexLinks)
		}
		index := checkHTML(t, files["index.html"])
		for i := 1; i <= 8; i++ {
			if !strings.Contains(index, fmt.Sprintf("(%d) ", i)) {
				t.Errorf("index lacks Annex VII item (%d)", i)
			}
		}
		// SBOMs: one per release on the market, valid CycloneDX.
		var sboms []string
		for name := range files {
			if strings.HasPrefix(name, "2-design-development/sbom/") {
				sboms = append(sboms, name)
				doc, err := sbom.Decode(name, files[name])
				if err != nil {
					t.Errorf("%s: %v", name, err)
				} else if len(doc.Components) != 21 {
					t.Errorf("%s: %d components", name, len(doc.Components))
				}
			}
		}
		if len(sboms) != 2 {
			t.Errorf("SBOM files %v, want the two releases on the market", sboms)
		}
		// Evidence files: named by hash prefix, content intact, each once.
		var evidence []string
		for name, b := range files {
			if strings.HasPrefix(name, "6-test-reports/files/") {
				evidence = append(evidence, name)
				base := path.Base(name)
				sum := sha256.Sum256(b)
				if h := hex.EncodeToString(sum[:]); !strings.HasPrefix(base, h[:16]+"-") || fx.evidence[h] == nil {
					t.Errorf("evidence %s does not match its content", name)
				}
			}
		}
		if len(evidence) != 2 {
			t.Errorf("evidence files %v, want 2 (the fuzzing report once, the test report)", evidence)
		}
		if !strings.Contains(string(files["2-design-development/cvd-policy.txt"]), "psirt@example.com") {
			t.Errorf("CVD policy: %s", files["2-design-development/cvd-policy.txt"])
		}
		// Kept ten years after the latest release on the market (2025-06-15),
		// which is later than the end of support (2034-06-30).
		if r := string(files["retention.txt"]); !strings.Contains(r, "Keep until: 2035-06-15") || !strings.Contains(index, "2035-06-15") {
			t.Errorf("retention: %s", r)
		}
		risk := checkHTML(t, files["3-risk-assessment/risk-assessment.html"])
		for _, s := range []string{"I.I.2.g", "The gateway processes no personal data <none>.", "Risk-based design per threat model.", "I.I.2.m", "I.II.8"} {
			if !strings.Contains(risk, s) {
				t.Errorf("risk assessment lacks %q", s)
			}
		}
		decl := checkHTML(t, files["7-declaration/eu-declaration-of-conformity.html"])
		if !strings.Contains(decl, "Regulation (EU) 2024/2847") || !strings.Contains(decl, evilName) {
			t.Errorf("declaration in the bundle")
		}
		t.Run("pdf", func(t *testing.T) {
			if _, flat := checkPDF(t, files["7-declaration/eu-declaration-of-conformity.pdf"]); !strings.Contains(flat, "EU declaration of conformity") {
				t.Errorf("declaration PDF")
			}
		})
	})
}

// A table longer than a page repeats its header on every page, and a row
// taller than a page is split rather than lost.
func TestPDFLongTable(t *testing.T) {
	tab := &compliance.Table{Header: []string{"Column one", "Column two"}}
	for i := range 150 {
		tab.Rows = append(tab.Rows, []string{fmt.Sprintf("row-%03d", i), strings.Repeat("wrapped words ", i%7+1)})
	}
	tab.Rows = append(tab.Rows, []string{"tall", strings.Repeat("line\n", 150) + "tall-end"})
	d := &compliance.Document{Title: "Long", Generated: docNow, Sections: []compliance.Section{{Heading: "Table", Table: tab}}}
	pdf, err := d.PDF()
	if err != nil {
		t.Fatal(err)
	}
	text, flat := checkPDF(t, pdf)
	pages := strings.Count(text, "\f")
	if n := strings.Count(text, "Column one"); n < pages || pages < 4 {
		t.Errorf("header printed %d times on %d pages", n, pages)
	}
	for _, s := range []string{"row-000", "row-149", "tall-end"} {
		if !strings.Contains(flat, s) {
			t.Errorf("PDF lacks %s", s)
		}
	}
}

func BenchmarkTechnicalDocumentation(b *testing.B) {
	ctx := context.Background()
	db := storetest.Open(b, store.SQLite)
	s := compliance.New(db)
	const name = "Edge Gateway"
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: name, Manufacturer: "Northwind Automation GmbH", SupportStart: "2024-01-01", SupportEnd: "2034-01-01"}); err != nil {
		b.Fatal(err)
	}
	m := monitor.New(db, nil)
	for i := range 10 {
		v := fmt.Sprintf("1.%d", i)
		if err := db.CreateRelease(ctx, actor, name, &cradle.Release{Version: v, ReleaseDate: fmt.Sprintf("2025-%02d-01", i+1), Lifecycle: cradle.LifecycleReleased}); err != nil {
			b.Fatal(err)
		}
		if _, err := m.ImportSBOM(ctx, actor, name, v, "gw.json", sbomgen.CycloneDX(200, 400, v), nil); err != nil {
			b.Fatal(err)
		}
	}
	data, err := s.TechnicalDocumentation(ctx, name)
	if err != nil {
		b.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "2-design-development/sbom/") && f.UncompressedSize64 > 50_000 {
			n++
		}
	}
	if n != 10 {
		b.Fatalf("%d SBOMs in the bundle, want 10", n)
	}
	var size int
	for b.Loop() {
		data, err := s.TechnicalDocumentation(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "zip-bytes")
}

// A product cradle knows little about still gets a complete bundle, with
// the gaps marked and no dangling link.
func TestTechnicalDocumentationEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := compliance.New(db)
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "Bare"}); err != nil {
			t.Fatal(err)
		}
		data, err := s.TechnicalDocumentation(ctx, "Bare")
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			files[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		for name, b := range files {
			if path.Ext(name) != ".html" {
				continue
			}
			checkHTML(t, b)
			for _, m := range regexp.MustCompile(`href="([^"#][^"]*)"`).FindAllSubmatch(b, -1) {
				if _, ok := files[path.Join(path.Dir(name), string(m[1]))]; !ok {
					t.Errorf("%s links to %s, not in the bundle", name, m[1])
				}
			}
		}
		if r := string(files["retention.txt"]); !strings.Contains(r, "Keep until: cannot be computed") {
			t.Errorf("retention: %s", r)
		}
		for _, name := range []string{"7-declaration/eu-declaration-of-conformity.html", "1-general-description/user-information.html", "2-design-development/design-development.html"} {
			if !strings.Contains(string(files[name]), "[To be completed: ") {
				t.Errorf("%s marks nothing to be completed", name)
			}
		}
		if _, err := s.TechnicalDocumentation(ctx, ""); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Errorf("no product: %v", err)
		}
		if _, err := s.TechnicalDocumentation(ctx, "nope"); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Errorf("unknown product: %v", err)
		}
	})
}
