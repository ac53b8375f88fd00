package compliance

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/sbom"
)

// The technical documentation of CRA Annex VII as a zip: one folder per
// Annex VII item, an index.html mapping each item to its files, and
// retention.txt saying until when the bundle must be kept. Every document
// is there as HTML and as PDF.

// Folders of the bundle, one per Annex VII item.
const (
	dirGeneral   = "1-general-description"
	dirDesign    = "2-design-development"
	dirRisk      = "3-risk-assessment"
	dirSupport   = "4-support-period"
	dirStandards = "5-standards"
	dirTests     = "6-test-reports"
	dirDecl      = "7-declaration"
	dirSBOMNote  = "8-sbom-note"
)

// testRequirements are the requirements whose evidence are the test
// reports of Annex VII (6): the verification and validation practice of
// IEC 62443-4-1 and the CRA's own items.
var testRequirements = []struct{ catalog, id string }{
	{catalog.IEC62443_4_1, "SVV-1"}, {catalog.IEC62443_4_1, "SVV-2"}, {catalog.IEC62443_4_1, "SVV-3"},
	{catalog.IEC62443_4_1, "SVV-4"}, {catalog.IEC62443_4_1, "SVV-5"},
	{catalog.CRA, "I.II.3"}, {catalog.CRA, "VII.6"},
}

// TechnicalDocumentation builds the CRA technical documentation bundle of
// a product (Annex VII) as a zip; see WriteTechnicalDocumentation.
func (s *Service) TechnicalDocumentation(ctx context.Context, product string) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.WriteTechnicalDocumentation(ctx, &buf, product); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// bundleEntry is one file of the bundle; data produces its content when
// the file is written.
type bundleEntry struct {
	name string
	data func() ([]byte, error)
}

type bundle struct {
	entries []bundleEntry
	names   map[string]bool
}

// add appends a file; the name must be a clean relative path of safe
// characters (built from constants and safeName), never a stored name.
func (b *bundle) add(name string, data func() ([]byte, error)) error {
	if err := checkEntryName(name); err != nil {
		return err
	}
	if b.names[name] {
		return fmt.Errorf("technical documentation: two files named %s", name)
	}
	b.names[name] = true
	b.entries = append(b.entries, bundleEntry{name, data})
	return nil
}

// unique returns name, or name with a counter before its extension when a
// file of that name is already in the bundle.
func (b *bundle) unique(dir, base, ext string) string {
	name := dir + "/" + base + ext
	for i := 2; b.names[name]; i++ {
		name = fmt.Sprintf("%s/%s-%d%s", dir, base, i, ext)
	}
	return name
}

// addDoc adds a document as HTML and PDF and returns the two names.
func (b *bundle) addDoc(dir, base string, d *Document) (htmlName, pdfName string, err error) {
	htmlName, pdfName = dir+"/"+base+".html", dir+"/"+base+".pdf"
	if err := b.add(htmlName, d.HTML); err != nil {
		return "", "", err
	}
	return htmlName, pdfName, b.add(pdfName, d.PDF)
}

// checkEntryName refuses names that could leave the folder the zip is
// extracted into or that some systems read differently: absolute paths,
// "." and ".." elements, backslashes, drive letters, hidden files and
// characters outside a small safe set.
func checkEntryName(name string) error {
	if !fs.ValidPath(name) || name == "." || strings.HasPrefix(name, "/") {
		return fmt.Errorf("technical documentation: unsafe file name %q", name)
	}
	for _, el := range strings.Split(name, "/") {
		if el == "" || strings.HasPrefix(el, ".") {
			return fmt.Errorf("technical documentation: unsafe file name %q", name)
		}
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == '/') {
			return fmt.Errorf("technical documentation: unsafe file name %q", name)
		}
	}
	return nil
}

// safeName turns any text (a product name, a version, a stored file name)
// into one path element of letters, digits, ".", "-" and "_", without a
// leading dot, of at most max bytes.
func safeName(s string, max int) string {
	var b strings.Builder
	under := false
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-'
		if !ok {
			if !under {
				b.WriteByte('_')
			}
			under = true
			continue
		}
		b.WriteRune(r)
		under = false
	}
	out := strings.Trim(b.String(), "._-")
	for strings.Contains(out, "..") {
		out = strings.ReplaceAll(out, "..", ".")
	}
	if len(out) > max {
		ext := path.Ext(out)
		if len(ext) > 10 || len(ext) >= max {
			ext = ""
		}
		out = strings.TrimRight(out[:max-len(ext)], "._-") + ext
	}
	if out == "" {
		return "file"
	}
	return out
}

// rel returns the path of target relative to the folder of from (both
// bundle paths).
func rel(from, target string) string {
	dir := path.Dir(from)
	if dir == "." {
		return target
	}
	up := strings.Repeat("../", strings.Count(dir, "/")+1)
	if strings.HasPrefix(target, dir+"/") {
		return strings.TrimPrefix(target, dir+"/")
	}
	return up + target
}

// Retention computes until when the technical documentation and the EU
// declaration of conformity must be kept (CRA Art. 13(13): at least ten
// years after the product is placed on the market, or the support period,
// whichever is longer), read as the later of ten years after the release
// date of the latest release placed on the market (any release past
// development) and the end of the support period. It returns the zero time
// when neither is known, and explains the computation.
func Retention(p *cradle.Product, releases []*cradle.Release) (time.Time, []string) {
	var until time.Time
	var why []string
	var latest *cradle.Release
	var latestDate time.Time
	var undated []string
	for _, r := range releases {
		if r.Lifecycle == cradle.LifecycleDevelopment || r.Lifecycle == "" {
			continue
		}
		t, err := time.Parse(cradle.DateLayout, r.ReleaseDate)
		if err != nil {
			undated = append(undated, r.Version)
			continue
		}
		if latest == nil || t.After(latestDate) {
			latest, latestDate = r, t
		}
	}
	if latest != nil {
		until = latestDate.AddDate(10, 0, 0)
		why = append(why, fmt.Sprintf("Latest release placed on the market: %s, released %s; ten years later: %s.", latest.Version, latest.ReleaseDate, until.Format(cradle.DateLayout)))
	} else {
		why = append(why, "No release placed on the market has a release date.")
	}
	if len(undated) > 0 {
		why = append(why, "Releases placed on the market without a release date (not counted; record their dates): "+strings.Join(undated, ", ")+".")
	}
	if end := p.SupportEndTime(); !end.IsZero() {
		why = append(why, "End of the support period: "+p.SupportEnd+".")
		if end.After(until) {
			until = end
		}
	} else {
		why = append(why, "No end of the support period is recorded.")
	}
	return until, why
}

// WriteTechnicalDocumentation writes the CRA technical documentation of a
// product (Annex VII) as a zip to w:
//
//	index.html                 each Annex VII item (1)-(8) with its files
//	retention.txt              keep-until date (Art. 13(13)) and how it was computed
//	1-general-description/     product, intended purpose, versions; Annex II user information
//	2-design-development/      SBOMs (CycloneDX 1.6 JSON) of every release on the market,
//	                           CVD policy, contact address, security updates
//	3-risk-assessment/         the Annex I applicability statement (Art. 13(3))
//	4-support-period/          start, end, rationale
//	5-standards/               specifications applied, maturity, self-assessment, SoAs
//	6-test-reports/            test evidence, with the evidence files under files/
//	7-declaration/             the EU declaration of conformity (Annex V)
//	8-sbom-note/               the SBOM on request of an authority (Annex VII (8))
//
// File names are built from fixed names and sanitised parts (a SHA-256
// prefix and a safe base name for evidence files); stored names never
// become paths.
func (s *Service) WriteTechnicalDocumentation(ctx context.Context, w io.Writer, product string) error {
	if product == "" {
		return cradle.Invalid("invalid product", cradle.Problem{Location: "product", Message: "technical documentation is kept per product: name it"})
	}
	dc, err := s.docContext(ctx, product)
	if err != nil {
		return err
	}
	iec, _, err := s.docStatus(ctx, dc, catalog.IEC62443_4_1)
	if err != nil {
		return err
	}
	cra, craCat, err := s.docStatus(ctx, dc, catalog.CRA)
	if err != nil {
		return err
	}
	p := dc.product
	b := &bundle{names: map[string]bool{}}
	b.names["index.html"], b.names["retention.txt"] = true, true
	toc := map[int][]Link{}
	link := func(item int, text, name string) { toc[item] = append(toc[item], Link{Text: text, Href: name}) }
	addDoc := func(item int, dir, base, text string, d *Document) error {
		h, pdf, err := b.addDoc(dir, base, d)
		if err != nil {
			return err
		}
		link(item, text+" (HTML)", h)
		link(item, text+" (PDF)", pdf)
		return nil
	}

	// (1) General description and the Annex II information.
	general := &Document{Title: "General description", Subtitle: p.Name + " (" + Regulation + ", Annex VII (1))", Generated: dc.now,
		Meta: [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturer()}, {"CRA product class", p.Class.Label()}, {"Model numbers", dc.models()}}}
	purpose := strings.TrimSpace(p.IntendedPurpose)
	if purpose == "" {
		purpose = toComplete("intended purpose")
	}
	general.Sections = append(general.Sections, Section{Heading: "(a) Intended purpose", Paragraphs: []string{purpose}})
	if desc := strings.TrimSpace(p.Description); desc != "" {
		general.Sections = append(general.Sections, Section{Heading: "Product description", Paragraphs: []string{desc}})
	}
	vers := Section{Heading: "(b) Software versions", Paragraphs: []string{
		"Every recorded release with its lifecycle state; the releases on the market are those whose compliance this documentation demonstrates. Releases in development are not placed on the market.",
	}, Table: &Table{Header: []string{"Version", "Release date", "Lifecycle", "On the market", "Components (current SBOM)"}}}
	for _, r := range dc.releases {
		comps := "No SBOM"
		if r.CurrentSBOMID != 0 {
			comps = fmt.Sprint(r.ComponentCount)
		}
		vers.Table.Rows = append(vers.Table.Rows, []string{r.Version, r.ReleaseDate, r.Lifecycle.Label(), yesNo(r.Lifecycle.OnMarket()), comps})
	}
	if len(dc.releases) == 0 {
		vers.Paragraphs = append(vers.Paragraphs, "No release is recorded.")
	}
	general.Sections = append(general.Sections, vers,
		Section{Heading: "(c) Photographs or illustrations", Paragraphs: []string{"For a hardware product: " + toComplete("photographs or illustrations showing the external features, marking and internal layout") + " Model numbers: " + dc.models() + "."}},
		Section{Heading: "(d) Information and instructions to the user (Annex II)", Paragraphs: []string{"See the user information in this folder."},
			Links: []Link{{"User information (HTML)", "user-information.html"}, {"User information (PDF)", "user-information.pdf"}}})
	if err := addDoc(1, dirGeneral, "general-description", "General description", general); err != nil {
		return err
	}
	ui, err := s.userInformation(ctx, dc)
	if err != nil {
		return err
	}
	if err := addDoc(1, dirGeneral, "user-information", "Information and instructions to the user (Annex II)", ui); err != nil {
		return err
	}

	// (2) Design, development and vulnerability handling, with the SBOMs.
	design := &Document{Title: "Design, development, production and vulnerability handling", Subtitle: p.Name + " (" + Regulation + ", Annex VII (2))", Generated: dc.now,
		Meta: [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturerName()}}}
	arch := Section{Heading: "(a) Design and development", Paragraphs: []string{
		toComplete("drawings and schemes, and a description of the system architecture explaining how software components build on or feed into each other and integrate into the overall processing"),
	}}
	if items := evidenceItems(iec, "SR-1", "SR-2", "SR-3", "SD-1", "SD-2"); len(items) > 0 {
		arch.Paragraphs = append(arch.Paragraphs, "Design records kept as evidence (product security context, threat model, security requirements, secure design):")
		arch.Items = items
	}
	design.Sections = append(design.Sections, arch)
	sbomSec := Section{Heading: "(b) Software bill of materials", Paragraphs: []string{
		"The current SBOM of every release on the market, exported by cradle as CycloneDX 1.6 JSON from the stored components and dependencies (the form in which they are monitored for vulnerabilities).",
	}, Table: &Table{Header: []string{"Version", "Release date", "Components", "File"}}}
	var sbomFiles []string
	for _, r := range dc.onMarket() {
		if r.CurrentSBOMID == 0 {
			sbomSec.Table.Rows = append(sbomSec.Table.Rows, []string{r.Version, r.ReleaseDate, "", "No SBOM recorded " + toComplete("import the SBOM of this release")})
			continue
		}
		name := b.unique(dirDesign+"/sbom", safeName(p.Name, 60)+"-"+safeName(r.Version, 60), ".cdx.json")
		version := r.Version
		if err := b.add(name, func() ([]byte, error) {
			doc, _, err := s.DB.LoadSBOM(ctx, p.Name, version)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			if err := sbom.Encode(&buf, doc, cradle.ExportCycloneDXJSON); err != nil {
				return nil, err
			}
			return buf.Bytes(), nil
		}); err != nil {
			return err
		}
		sbomFiles = append(sbomFiles, name)
		sbomSec.Table.Rows = append(sbomSec.Table.Rows, []string{r.Version, r.ReleaseDate, fmt.Sprint(r.ComponentCount), rel(dirDesign+"/x", name)})
		sbomSec.Links = append(sbomSec.Links, Link{"SBOM of " + r.Version, rel(dirDesign+"/x", name)})
	}
	if len(dc.onMarket()) == 0 {
		sbomSec.Paragraphs = append(sbomSec.Paragraphs, "No release is on the market.")
	}
	design.Sections = append(design.Sections, sbomSec)
	cvd := Section{Heading: "(b) Coordinated vulnerability disclosure policy"}
	if policy := dc.cvdPolicy(); policy != "" {
		name := dirDesign + "/cvd-policy.txt"
		if err := b.add(name, func() ([]byte, error) { return []byte(policy), nil }); err != nil {
			return err
		}
		link(2, "Coordinated vulnerability disclosure policy (text)", name)
		if u := dc.publicURL("/security/policy"); u != "" {
			cvd.Paragraphs = append(cvd.Paragraphs, "Published at "+u+". The text as published:")
		}
		for _, para := range strings.Split(policy, "\n\n") {
			if para = strings.TrimSpace(para); para != "" {
				cvd.Paragraphs = append(cvd.Paragraphs, para)
			}
		}
		cvd.Links = []Link{{"Policy text", "cvd-policy.txt"}}
	} else {
		cvd.Paragraphs = []string{toComplete("the coordinated vulnerability disclosure policy (configure the PSIRT settings)")}
	}
	design.Sections = append(design.Sections, cvd)
	contact := Section{Heading: "(b) Contact address for reporting vulnerabilities"}
	if cs := dc.contacts(); len(cs) > 0 {
		contact.Items = append(contact.Items, "Contacts (security.txt): "+strings.Join(cs, ", "))
	}
	if dc.configured && dc.settings.IntakeEnabled && dc.publicURL("") != "" {
		contact.Items = append(contact.Items, "Public reporting form: "+dc.publicURL("/report"), "security.txt: "+dc.publicURL("/.well-known/security.txt"))
	}
	if len(contact.Items) == 0 {
		contact.Paragraphs = []string{toComplete("the contact address for reporting vulnerabilities (configure the PSIRT contacts)")}
	}
	for _, id := range []string{"I.II.5", "I.II.6"} {
		if r := lookup(cra, id); r != nil {
			for _, dv := range r.Derived {
				contact.Items = append(contact.Items, id+": "+derivedItem(dv))
			}
		}
	}
	design.Sections = append(design.Sections, contact)
	upd := Section{Heading: "(b) Secure distribution of updates", Paragraphs: []string{
		"Security updates issued for the product, with what they fix, how users verify them (SHA-256 or signature) and until when each stays available (Art. 13(9)).",
	}}
	if len(dc.updates) == 0 {
		upd.Paragraphs = append(upd.Paragraphs, "No security update has been issued yet.")
	} else {
		upd.Table = &Table{Header: []string{"Version", "Available", "Fixes", "What it fixes", "Verification", "Available until"}}
		for _, u := range dc.updates {
			upd.Table.Rows = append(upd.Table.Rows, []string{u.Version, day(u.AvailableAt), strings.Join(u.Cases, ", "), u.Summary, verification(u), day(u.AvailableUntil)})
		}
	}
	for _, id := range []string{"I.II.7"} {
		if r := lookup(cra, id); r != nil {
			for _, dv := range r.Derived {
				upd.Items = append(upd.Items, derivedItem(dv))
			}
		}
	}
	upd.Items = append(upd.Items, "Technical solution for distribution: "+orToComplete(notesOf(cra, "I.II.7"), "how updates are distributed securely (channel, authentication, automatic installation where applicable)"))
	design.Sections = append(design.Sections, upd)
	var adv []string
	for _, a := range dc.advisories {
		adv = append(adv, a.TrackingID+" "+a.Title+" (TLP:"+a.TLP+", published "+day(a.PublishedAt)+")")
	}
	if len(adv) > 0 {
		design.Sections = append(design.Sections, Section{Heading: "Published security advisories", Level: 1, Items: adv})
	}
	prod := Section{Heading: "(c) Production and monitoring processes", Paragraphs: []string{
		toComplete("the production and monitoring processes and their validation"),
	}}
	for _, id := range []string{"I.II.1", "I.I.2.a"} {
		if r := lookup(cra, id); r != nil {
			for _, dv := range r.Derived {
				prod.Items = append(prod.Items, id+": "+derivedItem(dv))
			}
		}
	}
	design.Sections = append(design.Sections, prod)
	if err := addDoc(2, dirDesign, "design-development", "Design, development and vulnerability handling", design); err != nil {
		return err
	}
	for _, f := range sbomFiles {
		link(2, "SBOM: "+path.Base(f), f)
	}

	// (3) Risk assessment.
	if err := addDoc(3, dirRisk, "risk-assessment", "Cybersecurity risk assessment and Annex I applicability", riskAssessment(dc, craCat, cra, iec)); err != nil {
		return err
	}

	// (4) Support period.
	until, why := Retention(p, dc.releases)
	if err := addDoc(4, dirSupport, "support-period", "Support period", supportPeriod(dc, cra, until, why)); err != nil {
		return err
	}

	// (5) Standards and specifications, with the self-assessment and SoAs.
	std, err := s.standardsApplied(ctx, dc)
	if err != nil {
		return err
	}
	_, xs, err := s.Catalogs(ctx)
	if err != nil {
		return err
	}
	stdDoc := standardsDoc(dc, std, cra, iec, xs)
	if err := addDoc(5, dirStandards, "standards", "Standards and specifications applied", stdDoc); err != nil {
		return err
	}
	for _, a := range std {
		if err := addDoc(5, dirStandards, "self-assessment-"+safeName(a.cat.ID, 80), "Self-assessment: "+a.cat.Title, selfAssessment(dc, a.cat, a.st)); err != nil {
			return err
		}
		if err := addDoc(5, dirStandards, "soa-"+safeName(a.cat.ID, 80), "Statement of applicability: "+a.cat.Title, statementOfApplicability(dc, a.cat, a.st)); err != nil {
			return err
		}
	}
	if err := addDoc(5, dirStandards, "soa-"+safeName(craCat.ID, 80), "Statement of applicability: "+craCat.Title, statementOfApplicability(dc, craCat, cra)); err != nil {
		return err
	}

	// (6) Test reports, with the evidence files.
	tests, files, err := s.testReports(ctx, dc, b)
	if err != nil {
		return err
	}
	if err := addDoc(6, dirTests, "test-reports", "Test reports", tests); err != nil {
		return err
	}
	for _, f := range files {
		link(6, "Evidence file "+path.Base(f), f)
	}

	// (7) The EU declaration of conformity.
	decl, err := s.declaration(ctx, dc)
	if err != nil {
		return err
	}
	if err := addDoc(7, dirDecl, "eu-declaration-of-conformity", "EU declaration of conformity (Annex V)", decl); err != nil {
		return err
	}

	// (8) The SBOM on request.
	note := &Document{Title: "Software bill of materials", Subtitle: p.Name + " (" + Regulation + ", Annex VII (8))", Generated: dc.now,
		Sections: []Section{{Heading: "SBOM on request of a market surveillance authority", Paragraphs: []string{
			"Annex VII (8) asks for the software bill of materials, where applicable, further to a reasoned request of a market surveillance authority, where it is needed to check compliance with Annex I.",
			fmt.Sprintf("This bundle contains the current SBOM of each of the %d release(s) on the market, as CycloneDX 1.6 JSON, in %s/sbom/. cradle keeps every imported SBOM document (the original bytes, by SHA-256) and can export each release's SBOM again as CycloneDX (JSON or XML) or SPDX 2.3 JSON.", len(sbomFiles), dirDesign),
		}}}}
	for _, f := range sbomFiles {
		note.Sections[0].Links = append(note.Sections[0].Links, Link{path.Base(f), rel(dirSBOMNote+"/x", f)})
	}
	if err := addDoc(8, dirSBOMNote, "sbom-note", "Note on the software bill of materials", note); err != nil {
		return err
	}
	for _, f := range sbomFiles {
		link(8, "SBOM: "+path.Base(f), f)
	}

	// Retention and the index.
	keep := "cannot be computed: record the release dates of the releases on the market and the end of the support period"
	if !until.IsZero() {
		keep = until.Format(cradle.DateLayout)
	}
	retention := "Retention of the technical documentation and the EU declaration of conformity\n\n" +
		"Product: " + p.Name + "\nKeep until: " + keep + "\n\n" +
		"Rule: " + Regulation + ", Article 13(13): keep the technical documentation and the EU declaration of conformity at the disposal of the market surveillance authorities for at least ten years after the product has been placed on the market or for the support period, whichever is longer. " +
		"cradle computes it as the later of ten years after the release date of the latest release placed on the market and the end of the support period; a new release extends it, so keep the latest bundle's date.\n\n" +
		strings.Join(why, "\n") + "\n\nComputed: " + dc.now.Format(time.RFC3339) + "\n"
	index := bundleIndex(dc, toc, keep)
	var entries []bundleEntry
	entries = append(entries, bundleEntry{"index.html", index.HTML}, bundleEntry{"retention.txt", func() ([]byte, error) { return []byte(retention), nil }})
	entries = append(entries, b.entries...)

	zw := zip.NewWriter(w)
	for _, e := range entries {
		if err := checkEntryName(e.name); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := e.data()
		if err != nil {
			return fmt.Errorf("technical documentation %s: %w", e.name, err)
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: dc.now})
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

func orToComplete(s, what string) string {
	if strings.TrimSpace(s) != "" {
		return s
	}
	return toComplete(what)
}

// annexVII are the items of CRA Annex VII as the index describes them.
var annexVII = []struct{ heading, text string }{
	{"(1) General description of the product", "Intended purpose; software versions affecting compliance; photographs or illustrations of hardware products; the user information and instructions of Annex II."},
	{"(2) Design, development, production and vulnerability handling", "Design and system architecture; the vulnerability handling processes: the software bill of materials, the coordinated vulnerability disclosure policy, the contact address for reporting vulnerabilities and the technical solutions for the secure distribution of updates; production and monitoring processes."},
	{"(3) Cybersecurity risk assessment", "The assessment of the cybersecurity risks under Article 13(2) to (4), including how each essential requirement of Annex I, Part I applies."},
	{"(4) Support period", "The information taken into account to determine the support period under Article 13(8)."},
	{"(5) Harmonised standards, common specifications and certification applied, or the solutions adopted", "The standards and specifications applied and how far; where no harmonised standard is applied, the solutions adopted to meet Annex I, Parts I and II."},
	{"(6) Test reports", "Reports of the tests carried out to verify the conformity of the product and of the vulnerability handling processes with Annex I, Parts I and II."},
	{"(7) EU declaration of conformity", "A copy of the EU declaration of conformity (Annex V)."},
	{"(8) Software bill of materials", "The software bill of materials, further to a reasoned request of a market surveillance authority."},
}

func bundleIndex(dc *docContext, toc map[int][]Link, keep string) *Document {
	p := dc.product
	d := &Document{Title: "Technical documentation: " + p.Name, Subtitle: Regulation + " (Cyber Resilience Act), Annex VII", Generated: dc.now,
		Meta: [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturer()}, {"CRA product class", p.Class.Label()},
			{"Versions on the market", dc.versions()}, {"Support until", dc.supportEnd()}, {"Keep this documentation until", keep + " (Article 13(13); see retention.txt)"}}}
	for i, item := range annexVII {
		d.Sections = append(d.Sections, Section{Heading: item.heading, Paragraphs: []string{item.text}, Links: toc[i+1]})
	}
	d.Sections = append(d.Sections, Section{Heading: "Retention", Paragraphs: []string{
		"Keep the technical documentation and the EU declaration of conformity until " + keep + ".",
	}, Links: []Link{{"How the date was computed", "retention.txt"}}})
	return d
}

func riskAssessment(dc *docContext, c *catalog.Catalog, cra, iec *Status) *Document {
	p := dc.product
	d := &Document{Title: "Cybersecurity risk assessment", Subtitle: p.Name + " (" + Regulation + ", Article 13(2) to (4); Annex VII (3))", Generated: dc.now,
		Meta: [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturerName()}, {"Intended purpose", orToComplete(p.IntendedPurpose, "intended purpose")}}}
	if r := lookup(cra, "Art.13.2-4"); r != nil {
		sec := requirementSection(r)
		sec.Heading, sec.Level = "Risk assessment record (Article 13(2) to (4))", 0
		d.Sections = append(d.Sections, sec)
	}
	if items := evidenceItems(iec, "SR-1", "SR-2", "SR-3", "SR-4"); len(items) > 0 {
		d.Sections = append(d.Sections, Section{Heading: "Threat model and security requirements (IEC 62443-4-1 SR-1 to SR-4)", Level: 1, Items: items})
	}
	appl := dc.appl[c.ID]
	table := func(heading, intro string, group string) (Section, []string) {
		sec := Section{Heading: heading, Paragraphs: []string{intro},
			Table: &Table{Header: []string{"Item", "Requirement", "Applies", "How it applies, or why not", "Decided", "Status", "Evidence"}}}
		var missing []string
		for _, r := range cra.Requirements {
			if r.Requirement.Parent != group {
				continue
			}
			how, who := r.Applicability, ""
			if a, ok := appl[r.Requirement.ID]; ok {
				who = a.Approver + "\n" + day(a.ApprovedAt)
			} else {
				missing = append(missing, r.Requirement.ID)
			}
			switch {
			case how != "":
			case r.Applies:
				how = toComplete("how the requirement applies to the product")
			default:
				how = toComplete("why the requirement does not apply (the assessment says not applicable)")
			}
			if n := strings.TrimSpace(r.Assessment.Notes); n != "" {
				how += "\nImplementation: " + n
			}
			ev := fmt.Sprintf("%d current", r.Fresh)
			if r.Stale+r.Broken > 0 {
				ev += fmt.Sprintf(", %d stale or broken", r.Stale+r.Broken)
			}
			clause := strings.TrimPrefix(r.Requirement.Clause, "Annex I, ")
			sec.Table.Rows = append(sec.Table.Rows, []string{r.Requirement.ID + "\n" + clause, r.Requirement.Title, yesNo(r.Applies), how, who, statusLabel(r.Status()), ev})
		}
		return sec, missing
	}
	part1, missing1 := table("Applicability of the essential requirements (Annex I, Part I; Article 13(3))",
		"For each essential cybersecurity requirement of Annex I, Part I: whether it applies to the product and how, or why not, with the state of its implementation as recorded. Where a requirement does not apply, the justification is part of this assessment.", "I.I")
	d.Sections = append(d.Sections, part1)
	part2, missing2 := table("Vulnerability handling requirements (Annex I, Part II)",
		"The vulnerability handling requirements apply to every product with digital elements.", "I.II")
	d.Sections = append(d.Sections, part2)
	if missing := append(missing1, missing2...); len(missing) > 0 {
		d.Sections = append(d.Sections, Section{Heading: "Open points", Paragraphs: []string{
			"No applicability decision with a justification is recorded for these items: " + strings.Join(missing, ", ") + ". " + toComplete("record whether and how each applies"),
		}})
	}
	return d
}

func supportPeriod(dc *docContext, cra *Status, until time.Time, why []string) *Document {
	p := dc.product
	d := &Document{Title: "Support period", Subtitle: p.Name + " (" + Regulation + ", Article 13(8) and (19); Annex VII (4))", Generated: dc.now,
		Meta: [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturerName()}}}
	start, end := p.SupportStart, p.SupportEnd
	if start == "" {
		start = toComplete("start of the support period")
	}
	if end == "" {
		end = toComplete("end of the support period")
	}
	length := ""
	if y := p.SupportYears(); y > 0 {
		length = fmt.Sprintf("%.1f years", y)
	}
	d.Sections = append(d.Sections, Section{Heading: "Support period", Table: &Table{Header: []string{"Start", "End", "Length", "End date shown to users"}, Rows: [][]string{{start, end, length, dc.supportEnd()}}}})
	info := Section{Heading: "Information used to determine the support period", Paragraphs: []string{orToComplete(p.SupportRationale, "the information taken into account to determine the support period (expected time of use, user expectations, the nature and purpose of the product, support periods of similar products, of integrated components and of the operating environment)")}}
	if y := p.SupportYears(); y > 0 && y < 5 {
		info.Paragraphs = append(info.Paragraphs, "The period is shorter than five years: Article 13(8) allows this only where the product is expected to be in use for less than five years, which the information above must show.")
	}
	for _, id := range []string{"Art.13.8", "Art.13.19"} {
		if r := lookup(cra, id); r != nil {
			for _, dv := range r.Derived {
				info.Items = append(info.Items, id+": "+derivedItem(dv))
			}
		}
	}
	d.Sections = append(d.Sections, info)
	if len(dc.updates) > 0 {
		t := &Table{Header: []string{"Security update", "Issued", "Available until"}}
		for _, u := range dc.updates {
			t.Rows = append(t.Rows, []string{u.Version, day(u.AvailableAt), day(u.AvailableUntil)})
		}
		d.Sections = append(d.Sections, Section{Heading: "Availability of security updates (Article 13(9))", Paragraphs: []string{
			"Each security update stays available for at least ten years after it was issued or for the rest of the support period, whichever is longer.",
		}, Table: t})
	}
	keep := "cannot be computed yet"
	if !until.IsZero() {
		keep = until.Format(cradle.DateLayout)
	}
	d.Sections = append(d.Sections, Section{Heading: "Retention of the technical documentation (Article 13(13))", Paragraphs: append([]string{"Keep until " + keep + "."}, why...)})
	return d
}

func standardsDoc(dc *docContext, std []appliedStandard, cra, iec *Status, xs []*catalog.Crosswalk) *Document {
	p := dc.product
	d := &Document{Title: "Harmonised standards, specifications and solutions applied", Subtitle: p.Name + " (" + Regulation + ", Annex VII (5))", Generated: dc.now,
		Meta: [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturerName()}}}
	d.Sections = append(d.Sections, Section{Heading: "Harmonised standards, common specifications, certification schemes", Paragraphs: []string{
		"None is cited. " + toComplete("list any harmonised standard whose reference is published in the Official Journal, common specification (Article 27) or European cybersecurity certification scheme applied, in full or naming the parts applied"),
	}})
	t := &Table{Header: []string{"Specification", "Catalogue", "How it was applied"}}
	for _, a := range std {
		t.Rows = append(t.Rows, []string{a.cat.Title, a.cat.ID + " (data version " + a.cat.Version + ")", a.text})
	}
	d.Sections = append(d.Sections, Section{Heading: "Other technical specifications applied", Paragraphs: []string{
		"These specifications are applied as the basis of the secure development process; they are not harmonised standards and give no presumption of conformity. Their self-assessments and statements of applicability are in this folder.",
	}, Table: t})
	for _, a := range std {
		m := &Table{Header: []string{"Practice", "Maturity level", "Override", "Why"}}
		for _, pr := range a.st.Practices {
			over := "None"
			if pr.Override != nil {
				over = fmt.Sprintf("ML%d: %s", pr.Override.Level, pr.Override.Rationale)
			}
			m.Rows = append(m.Rows, []string{pr.ID + " " + pr.Title, levelLabel(pr.Level), over, pr.Computed.Why})
		}
		d.Sections = append(d.Sections, Section{Heading: "Maturity per practice: " + a.cat.Title, Level: 1, Table: m})
	}
	var x *catalog.Crosswalk
	for _, c := range xs {
		if c.From == catalog.CRA && c.To == catalog.IEC62443_4_1 {
			x = c
			break
		}
	}
	sol := Section{Heading: "Solutions adopted to meet Annex I, Parts I and II", Paragraphs: []string{
		"Per essential requirement: its status, the IEC 62443-4-1 requirements that address it with their status, and what IEC 62443-4-1 does not cover. The mapping is cradle's indicative cross-walk, not an official one.",
	}, Table: &Table{Header: []string{"Item", "Requirement", "Status", "Addressed by (IEC 62443-4-1)", "Not covered by IEC 62443-4-1"}}}
	for _, r := range cra.Requirements {
		if r.Requirement.Parent != "I.I" && r.Requirement.Parent != "I.II" {
			continue
		}
		var by []string
		gap := ""
		if x != nil {
			for _, l := range x.Links {
				if l.From != r.Requirement.ID {
					continue
				}
				gap = l.Gap
				for _, to := range l.To {
					st := "unknown"
					if ir := lookup(iec, to); ir != nil {
						st = statusLabel(ir.Status())
					}
					by = append(by, to+" ("+st+")")
				}
			}
		}
		sol.Table.Rows = append(sol.Table.Rows, []string{r.Requirement.ID, r.Requirement.Title, statusLabel(r.Status()), strings.Join(by, ", "), gap})
	}
	d.Sections = append(d.Sections, sol)
	return d
}

// testReports builds the Annex VII (6) document and adds the evidence
// files to the bundle, each named by its SHA-256 prefix and a safe base
// name, and checked against its recorded SHA-256.
func (s *Service) testReports(ctx context.Context, dc *docContext, b *bundle) (*Document, []string, error) {
	p := dc.product
	d := &Document{Title: "Test reports", Subtitle: p.Name + " (" + Regulation + ", Annex VII (6))", Generated: dc.now,
		Meta: [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturerName()}}}
	d.Sections = append(d.Sections, Section{Heading: "Scope", Paragraphs: []string{
		"The evidence recorded for the security verification and validation requirements of IEC 62443-4-1 (SVV-1 to SVV-5) and for the CRA's requirements on regular security testing (Annex I, Part II (3)) and test reports (Annex VII (6)). Evidence files are included in files/, named by the first 16 hexadecimal digits of their SHA-256 and a sanitised file name; links and cradle records are listed by reference.",
	}})
	var files []string
	byHash := map[string]string{}
	for _, tr := range testRequirements {
		st, _, err := s.docStatus(ctx, dc, tr.catalog)
		if err != nil {
			return nil, nil, err
		}
		r := lookup(st, tr.id)
		if r == nil {
			continue
		}
		sec := requirementSection(r)
		sec.Heading = shortTitle(st) + " " + sec.Heading
		if sec.Table != nil {
			sec.Table.Header = append(sec.Table.Header, "File in this bundle")
			for i, e := range r.Assessment.Evidence {
				cell := ""
				if e.Kind == cradle.EvidenceFile && e.SHA256 != "" {
					name, ok := byHash[e.SHA256]
					if !ok {
						data, err := s.DB.Blob(ctx, e.SHA256)
						switch {
						case err != nil && cradle.ErrorCode(err) == cradle.ENotFound:
							name = "missing: the stored content was not found"
						case err != nil:
							return nil, nil, err
						default:
							sum := sha256.Sum256(data)
							if hex.EncodeToString(sum[:]) != strings.ToLower(e.SHA256) {
								name = "not included: the stored content does not match its recorded SHA-256"
								break
							}
							name = b.unique(dirTests+"/files", safeName(e.SHA256, 16)+"-"+safeName(e.Filename, 100), "")
							if err := b.add(name, func() ([]byte, error) { return data, nil }); err != nil {
								return nil, nil, err
							}
							files = append(files, name)
							sec.Links = append(sec.Links, Link{e.Title, rel(dirTests+"/x", name)})
						}
						byHash[e.SHA256] = name
					}
					cell = strings.TrimPrefix(name, dirTests+"/")
				}
				sec.Table.Rows[i] = append(sec.Table.Rows[i], cell)
			}
		}
		d.Sections = append(d.Sections, sec)
	}
	return d, files, nil
}

// shortTitle names a catalogue briefly, as in a heading.
func shortTitle(st *Status) string {
	switch st.CatalogID {
	case catalog.IEC62443_4_1:
		return "IEC 62443-4-1:2018"
	case catalog.CRA:
		return "CRA"
	}
	return st.CatalogTitle
}
