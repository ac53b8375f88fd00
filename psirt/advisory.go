package psirt

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/csaf"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/store"
)

// Generator names cradle in /document/tracking/generator.
var Generator = csaf.Engine{Name: "cradle", Version: "dev"}

// AdvisoryInput is everything a CSAF document is built from.
type AdvisoryInput struct {
	Advisory  *cradle.Advisory
	Publisher cradle.PSIRTSettings
	// Products are the portfolio's products named by the vulnerabilities'
	// release statuses, each with its releases.
	Products []ProductReleases
	Vulns    []VulnInput
	Updates  []cradle.SecurityUpdate
	Now      time.Time
}

// ProductReleases is one product and the releases an advisory names.
type ProductReleases struct {
	Product  *cradle.Product
	Releases []cradle.CaseRelease
}

// VulnInput is one vulnerability of an advisory: a case and its IDs.
type VulnInput struct {
	Case    *cradle.Case
	CVE     string   // the CVE ID, if any
	OtherID []string // GHSA, OSV, vendor IDs
}

// ProductID is the CSAF product ID of a release.
func ProductID(releaseID int64) string { return fmt.Sprintf("CSAFPID-%d", releaseID) }

var cpeUnsafe = regexp.MustCompile(`[^a-z0-9._-]+`)

// cpePart turns a name into a CPE 2.3 component: lower case, runs of other
// characters replaced by "_".
func cpePart(s string) string {
	s = cpeUnsafe.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), "_")
	if s == "" {
		return "*"
	}
	return s
}

// genericPURL names a product version with the purl type for software no
// package ecosystem knows: pkg:generic/<vendor>/<product>@<version>.
func genericPURL(vendor, product, version string) string {
	return packageurl.NewPackageURL("generic", cpePart(vendor), cpePart(product), version, nil, "").ToString()
}

func csafTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// BuildCSAF builds the CSAF 2.0 document of an advisory: a vendor /
// product name / product version branch tree from the portfolio (with CPE
// and purl helpers), one vulnerability per case with its IDs, CWE, notes,
// CVSS v3.1 score (v4.0 in a note: CSAF 2.0 has no v4.0 score), product
// status from the release statuses, VEX flags and impact statements,
// remediations from security updates and action statements, and the
// tracking and revision history of the advisory.
func BuildCSAF(in AdvisoryInput) (*csaf.Document, error) {
	a := in.Advisory
	vendor := strings.TrimSpace(in.Publisher.PublisherName)
	doc := &csaf.Document{}
	m := &doc.Document
	m.Category, m.CSAFVersion, m.Lang, m.Title = a.Category, "2.0", "en", a.Title
	m.Publisher = csaf.Publisher{Category: "vendor", Name: vendor, Namespace: in.Publisher.PublisherNamespace, ContactDetails: in.Publisher.PublisherContact}
	m.Distribution = &csaf.Distribution{TLP: &csaf.TLP{Label: a.TLP, URL: "https://www.first.org/tlp/"}}
	m.Notes = []csaf.Note{{Category: "summary", Title: "Summary", Text: a.Summary}}
	if a.Details != "" {
		m.Notes = append(m.Notes, csaf.Note{Category: "details", Title: "Details", Text: a.Details})
	}
	m.Notes = append(m.Notes, csaf.Note{Category: "legal_disclaimer", Title: "Terms of use",
		Text: "This advisory is provided \"as is\" to help users assess and remediate the vulnerabilities it describes."})
	if in.Publisher.BaseURL != "" {
		year := a.InitialDate
		if year.IsZero() {
			year = in.Now
		}
		m.References = append(m.References, csaf.Reference{Category: "self", Summary: "Canonical URL of this advisory",
			URL: fmt.Sprintf("%s/.well-known/csaf/%s/%d/%s", in.Publisher.BaseURL, strings.ToLower(a.TLP), year.UTC().Year(), csaf.Filename(a.TrackingID))})
	}
	for _, u := range a.References {
		m.References = append(m.References, csaf.Reference{Category: "external", Summary: u, URL: u})
	}
	if len(a.Acknowledge) > 0 {
		m.Acknowledgments = []csaf.Acknowledgment{{Names: a.Acknowledge}}
	}
	// Tracking: drafts are version 0 with a draft revision; published
	// revisions are integers from 1.
	t := &m.Tracking
	t.ID, t.Status, t.Version = a.TrackingID, a.Status, a.Version
	t.Generator = &csaf.Generator{Date: csafTime(in.Now), Engine: Generator}
	if a.Status == cradle.AdvisoryDraft || len(a.Revisions) == 0 {
		t.Status, t.Version = csaf.StatusDraft, "0"
		t.InitialReleaseDate, t.CurrentReleaseDate = csafTime(in.Now), csafTime(in.Now)
		t.RevisionHistory = []csaf.Revision{{Number: "0", Date: csafTime(in.Now), Summary: "Draft"}}
	} else {
		t.InitialReleaseDate, t.CurrentReleaseDate = csafTime(a.InitialDate), csafTime(a.CurrentDate)
		for _, r := range a.Revisions {
			t.RevisionHistory = append(t.RevisionHistory, csaf.Revision{Number: r.Number, Date: csafTime(r.Date), Summary: r.Summary})
		}
	}
	// Product tree.
	vendorBranch := csaf.Branch{Category: "vendor", Name: vendor}
	known := map[string]bool{}
	for _, p := range in.Products {
		pb := csaf.Branch{Category: "product_name", Name: p.Product.Name}
		rels := append([]cradle.CaseRelease(nil), p.Releases...)
		sort.SliceStable(rels, func(i, j int) bool { return rels[i].ReleaseID < rels[j].ReleaseID })
		for _, r := range rels {
			id := ProductID(r.ReleaseID)
			if known[id] {
				continue
			}
			known[id] = true
			// The publisher names the vendor; a product's manufacturer field
			// may hold a legal address, which is not a name.
			maker := vendor
			if maker == "" {
				maker = p.Product.Manufacturer
			}
			pb.Branches = append(pb.Branches, csaf.Branch{Category: "product_version", Name: r.Version, Product: &csaf.FullProductName{
				Name: strings.TrimSpace(maker + " " + p.Product.Name + " " + r.Version), ProductID: id,
				ProductIdentificationHelper: &csaf.ProductIdentificationHelper{
					CPE:          fmt.Sprintf("cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*", cpePart(maker), cpePart(p.Product.Name), cpePart(r.Version)),
					PURL:         genericPURL(maker, p.Product.Name, r.Version),
					ModelNumbers: p.Product.ModelNumbers,
				},
			}})
		}
		if len(pb.Branches) > 0 {
			vendorBranch.Branches = append(vendorBranch.Branches, pb)
		}
	}
	if len(vendorBranch.Branches) == 0 {
		return nil, cradle.Errorf(cradle.EConflict, "advisory %s names no product release: set the release statuses of its case first", a.TrackingID)
	}
	doc.ProductTree = &csaf.ProductTree{Branches: []csaf.Branch{vendorBranch}}
	for _, v := range in.Vulns {
		cv, err := buildVuln(v, in, known)
		if err != nil {
			return nil, err
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, cv)
	}
	if sev := aggregate(in.Vulns); sev != "" {
		m.AggregateSeverity = &csaf.AggregateSeverity{Text: sev}
	}
	return doc, nil
}

func aggregate(vs []VulnInput) string {
	best := ""
	for _, v := range vs {
		r := v.Case.Rating
		if r == "" || r == "unknown" || r == "none" {
			continue
		}
		if best == "" || cradle.RatingRank(r) < cradle.RatingRank(best) {
			best = r
		}
	}
	if best == "" {
		return ""
	}
	return strings.ToUpper(best[:1]) + best[1:]
}

func buildVuln(v VulnInput, in AdvisoryInput, known map[string]bool) (csaf.Vulnerability, error) {
	c := v.Case
	out := csaf.Vulnerability{Title: c.Title, CVE: v.CVE}
	for _, id := range v.OtherID {
		sys := "Vendor"
		switch {
		case strings.HasPrefix(id, "GHSA-"):
			sys = "GitHub Security Advisory"
		case strings.HasPrefix(id, "GO-"):
			sys = "Go Vulnerability Database"
		case strings.HasPrefix(id, "CASE-"):
			sys = in.Publisher.PublisherName + " PSIRT case"
		default:
			sys = "OSV"
		}
		out.IDs = append(out.IDs, csaf.VulnerabilityID{SystemName: sys, Text: id})
	}
	if out.CVE == "" && len(out.IDs) == 0 {
		out.IDs = []csaf.VulnerabilityID{{SystemName: in.Publisher.PublisherName + " PSIRT case", Text: c.Ref}}
	}
	desc := c.Description
	if desc == "" {
		desc = c.Title
	}
	out.Notes = []csaf.Note{{Category: "description", Title: "Vulnerability description", Text: desc}}
	if c.CWE != "" {
		if name, ok := csaf.CWEName(c.CWE); ok {
			out.CWE = &csaf.CWE{ID: c.CWE, Name: name}
		} else {
			out.Notes = append(out.Notes, csaf.Note{Category: "other", Title: "Weakness", Text: c.CWE})
		}
	}
	if c.CVSS4 != "" {
		out.Notes = append(out.Notes, csaf.Note{Category: "other", Title: "CVSS v4.0",
			Text: fmt.Sprintf("Base score %.1f (%s): %s", c.CVSS4Base, c.Rating, c.CVSS4)})
	}
	if !c.AwareAt.IsZero() {
		out.DiscoveryDate = csafTime(c.AwareAt)
	}
	if !in.Advisory.InitialDate.IsZero() {
		out.ReleaseDate = csafTime(in.Advisory.InitialDate)
	}
	st := &csaf.ProductStatus{}
	flags := map[string][]string{}
	var impacts, actions []struct{ text, id string }
	var affected []string
	for _, r := range c.Releases {
		id := ProductID(r.ReleaseID)
		if !known[id] {
			continue
		}
		switch r.Status {
		case cradle.VEXAffected:
			st.KnownAffected = append(st.KnownAffected, id)
			affected = append(affected, id)
			if r.Action != "" {
				actions = append(actions, struct{ text, id string }{r.Action, id})
			}
		case cradle.VEXNotAffected:
			st.KnownNotAffected = append(st.KnownNotAffected, id)
			if r.Justification != "" {
				flags[r.Justification] = append(flags[r.Justification], id)
			}
			if r.Impact != "" || r.Justification == "" {
				text := r.Impact
				if text == "" {
					text = "Not affected."
				}
				impacts = append(impacts, struct{ text, id string }{text, id})
			}
		case cradle.VEXFixed:
			st.Fixed = append(st.Fixed, id)
		case cradle.VEXUnderInvestigation:
			st.UnderInvestigation = append(st.UnderInvestigation, id)
		}
	}
	if len(st.KnownAffected)+len(st.KnownNotAffected)+len(st.Fixed)+len(st.UnderInvestigation) == 0 {
		return out, cradle.Errorf(cradle.EConflict, "%s has no release status: set at least one", c.Ref)
	}
	out.ProductStatus = st
	labels := make([]string, 0, len(flags))
	for l := range flags {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		out.Flags = append(out.Flags, csaf.Flag{Label: l, ProductIDs: flags[l]})
	}
	for _, group := range groupByText(impacts) {
		out.Threats = append(out.Threats, csaf.Threat{Category: "impact", Details: group.text, ProductIDs: group.ids})
	}
	if c.Exploited {
		out.Threats = append(out.Threats, csaf.Threat{Category: "exploit_status", Details: "The vulnerability is being actively exploited.",
			ProductIDs: append(append([]string{}, st.KnownAffected...), st.Fixed...)})
		if len(st.KnownAffected)+len(st.Fixed) == 0 {
			out.Threats = out.Threats[:len(out.Threats)-1]
		}
	}
	// Remediations: each security update that fixes the case is a vendor
	// fix for the affected releases of its product.
	covered := map[string]bool{}
	for _, u := range in.Updates {
		fixes := false
		for _, ref := range u.Cases {
			if ref == c.Ref {
				fixes = true
			}
		}
		if !fixes {
			continue
		}
		var ids []string
		for _, r := range c.Releases {
			if r.Product == u.Product && r.Status == cradle.VEXAffected && known[ProductID(r.ReleaseID)] {
				ids = append(ids, ProductID(r.ReleaseID))
				covered[ProductID(r.ReleaseID)] = true
			}
		}
		if len(ids) == 0 {
			continue
		}
		details := fmt.Sprintf("Update to %s %s. %s\n\nInstallation: %s\n\nVerification: %s", u.Product, u.Version, u.Summary, u.Install, u.Verify)
		rem := csaf.Remediation{Category: "vendor_fix", Details: details, Date: csafTime(u.AvailableAt), ProductIDs: ids, URL: u.SignatureURL}
		if u.Impact != "" {
			rem.RestartRequired = &csaf.RestartRequired{Category: "system", Details: u.Impact}
		}
		out.Remediations = append(out.Remediations, rem)
	}
	for _, group := range groupByText(actions) {
		cat := "mitigation"
		if in.Advisory.Workaround != "" && group.text == in.Advisory.Workaround {
			cat = "workaround"
		}
		out.Remediations = append(out.Remediations, csaf.Remediation{Category: cat, Details: group.text, ProductIDs: group.ids})
	}
	var uncovered []string
	for _, id := range st.KnownAffected {
		if !covered[id] && !hasAction(actions, id) {
			uncovered = append(uncovered, id)
		}
	}
	if len(uncovered) > 0 {
		cat, details := "none_available", "No fix is available yet; "+in.Publisher.PublisherName+" will update this advisory."
		if in.Advisory.Workaround != "" {
			cat, details = "workaround", in.Advisory.Workaround
		}
		out.Remediations = append(out.Remediations, csaf.Remediation{Category: cat, Details: details, ProductIDs: uncovered})
	}
	if c.CVSS3 != "" && len(affected)+len(st.Fixed) > 0 {
		sc, err := cvss.Parse(c.CVSS3)
		if err == nil {
			out.Scores = []csaf.Score{{CVSSv3: &csaf.CVSSv3{Version: string(sc.Version), VectorString: sc.Vector, BaseScore: sc.Base,
				BaseSeverity: strings.ToUpper(sc.Rating)}, Products: append(append([]string{}, affected...), st.Fixed...)}}
		}
	}
	return out, nil
}

func hasAction(actions []struct{ text, id string }, id string) bool {
	for _, a := range actions {
		if a.id == id {
			return true
		}
	}
	return false
}

type textGroup struct {
	text string
	ids  []string
}

// groupByText merges statements with the same text into one with all
// their products, in first-seen order.
func groupByText(items []struct{ text, id string }) []textGroup {
	var out []textGroup
	idx := map[string]int{}
	for _, it := range items {
		i, ok := idx[it.text]
		if !ok {
			i = len(out)
			idx[it.text] = i
			out = append(out, textGroup{text: it.text})
		}
		out[i].ids = append(out[i].ids, it.id)
	}
	return out
}

// PSIRTSettings returns the stored settings, or a sensible starting point
// (not yet valid: contacts and URLs must be configured).
func (s *Service) PSIRTSettings(ctx context.Context) (cradle.PSIRTSettings, bool, error) {
	st := cradle.PSIRTSettings{ExpiresDays: 180, CVDPolicy: cradle.DefaultCVDPolicy, TrackingPrefix: "SA", PreferredLanguages: []string{"en"}, IntakeEnabled: true}
	ok, err := s.DB.GetSetting(ctx, "psirt", &st)
	if st.Contacts == nil {
		st.Contacts = []string{}
	}
	if st.PreferredLanguages == nil {
		st.PreferredLanguages = []string{}
	}
	return st, ok, err
}

// advisoryInput gathers the portfolio data of an advisory.
func (s *Service) advisoryInput(ctx context.Context, a *cradle.Advisory) (AdvisoryInput, error) {
	in := AdvisoryInput{Advisory: a, Now: s.Now()}
	st, ok, err := s.PSIRTSettings(ctx)
	if err != nil {
		return in, err
	}
	if !ok {
		return in, cradle.Errorf(cradle.EConflict, "the CSAF publisher is not configured: set the PSIRT settings (publisher name, namespace, base URL) first")
	}
	in.Publisher = st
	c, err := s.DB.Case(ctx, a.CaseRef)
	if err != nil {
		return in, err
	}
	v := VulnInput{Case: c}
	ids := []string{}
	if c.VulnID != "" {
		_, recs, err := s.DB.VulnerabilityGroup(ctx, c.VulnID)
		if err != nil && cradle.ErrorCode(err) != cradle.ENotFound {
			return in, err
		}
		seen := map[string]bool{}
		add := func(id string) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		add(c.VulnID)
		for _, r := range recs {
			add(r.ID)
			for _, al := range r.Aliases {
				add(al)
			}
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		if strings.HasPrefix(id, "CVE-") && v.CVE == "" {
			v.CVE = id
		} else {
			v.OtherID = append(v.OtherID, id)
		}
	}
	in.Vulns = []VulnInput{v}
	byProduct := map[string]*ProductReleases{}
	var order []string
	for _, r := range c.Releases {
		pr, ok := byProduct[r.Product]
		if !ok {
			p, err := s.DB.Product(ctx, r.Product)
			if err != nil {
				return in, err
			}
			pr = &ProductReleases{Product: p}
			byProduct[r.Product] = pr
			order = append(order, r.Product)
		}
		pr.Releases = append(pr.Releases, r)
	}
	for _, n := range order {
		in.Products = append(in.Products, *byProduct[n])
	}
	in.Updates, err = s.DB.SecurityUpdates(ctx, "")
	return in, err
}

// RenderAdvisory builds and validates the CSAF document of a in its
// current state (a draft preview for an unpublished advisory). The report
// lists every failed test; the bytes are the document even when it fails.
func (s *Service) RenderAdvisory(ctx context.Context, a *cradle.Advisory) ([]byte, *csaf.Report, error) {
	in, err := s.advisoryInput(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	doc, err := BuildCSAF(in)
	if err != nil {
		return nil, nil, err
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	rep, err := csaf.Validate(csaf.Filename(a.TrackingID), b)
	if err != nil {
		return nil, nil, err
	}
	return b, rep, nil
}

// Publish publishes the next revision of an advisory. The document is
// built and validated inside the transaction; one that fails a mandatory
// test is never published (nothing changes, the error lists the tests).
func (s *Service) Publish(ctx context.Context, actor cradle.Actor, trackingID, status, summary string) (*cradle.Advisory, error) {
	var productIDs []int64
	return s.DB.PublishAdvisory(ctx, actor, trackingID, status, summary,
		func(a *cradle.Advisory) ([]byte, error) {
			b, rep, err := s.RenderAdvisory(ctx, a)
			if err != nil {
				return nil, err
			}
			if err := rep.Err(); err != nil {
				return nil, err
			}
			in, _ := s.advisoryInput(ctx, a)
			for _, p := range in.Products {
				productIDs = append(productIDs, p.Product.ID)
			}
			return b, nil
		},
		func(*cradle.Advisory) []int64 { return productIDs },
		s.ComposeAdvisory)
}

// ComposeAdvisory writes the mail that tells a subscriber about a
// published advisory: a readable summary and the CSAF document attached.
func (s *Service) ComposeAdvisory(a *cradle.Advisory, to cradle.Subscriber) store.Mail {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s (revision %s, %s)\n\n%s\n", a.Title, a.TrackingID, a.Version, a.Status, a.Summary)
	if a.Workaround != "" {
		fmt.Fprintf(&b, "\nWorkaround:\n%s\n", a.Workaround)
	}
	fmt.Fprintf(&b, "\nThe machine-readable CSAF 2.0 document is attached (%s).\n", csaf.Filename(a.TrackingID))
	return store.Mail{To: to.Email, Subject: fmt.Sprintf("[%s] %s", a.TrackingID, a.Title), Text: b.String(),
		AttachName: csaf.Filename(a.TrackingID), AttachType: "application/json", Attach: a.Document}
}
