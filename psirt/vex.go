package psirt

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/csaf"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/vex"
)

// VEXImport is the outcome of importing a VEX document for a product.
type VEXImport struct {
	Format     string                    `json:"format"`
	Document   string                    `json:"document"`
	Statements int                       `json:"statements"`
	Decisions  []store.ComponentDecision `json:"decisions"`
	// Skipped lists statements that matched no shipped component (only
	// with AllowUnmatched; otherwise they fail the import).
	Skipped []cradle.Problem `json:"skipped,omitempty"`
}

// ImportVEX applies the statements of a VEX document (OpenVEX, CycloneDX
// VEX or CSAF VEX) to the product's findings: each statement becomes a
// component decision for every component version it names that has an
// open finding of its vulnerability, in one transaction. A statement whose
// vulnerability is unknown or that matches no shipped component is an
// error (located by statement) unless allowUnmatched, and then nothing is
// written; so are two statements giving one component different statuses.
func (s *Service) ImportVEX(ctx context.Context, actor cradle.Actor, product, name string, data []byte, allowUnmatched bool) (*VEXImport, error) {
	if _, err := s.DB.Product(ctx, product); err != nil {
		return nil, err
	}
	doc, err := vex.Decode(name, data)
	if err != nil {
		return nil, err
	}
	res := &VEXImport{Format: doc.Format, Document: doc.ID, Statements: len(doc.Statements), Decisions: []store.ComponentDecision{}}
	var probs []cradle.Problem
	type pick struct {
		d cradle.CaseRelease
		t store.DecisionTarget
		i int
	}
	chosen := map[string]pick{}
	var order []string
	for i, st := range doc.Statements {
		loc := fmt.Sprintf("%s: statement %d (%s)", name, i+1, st.Vulnerability.ID)
		targets, err := s.targetsFor(ctx, product, st.Vulnerability)
		if err != nil {
			return nil, err
		}
		if targets == nil {
			msg := "vulnerability " + st.Vulnerability.ID + " is not in the vulnerability database (import its advisory first)"
			if _, _, gerr := s.DB.VulnerabilityGroup(ctx, st.Vulnerability.ID); gerr == nil {
				msg = "no release of " + product + " ships a component with an open finding of " + st.Vulnerability.ID
			}
			probs = append(probs, cradle.Problem{Location: loc, Message: msg})
			continue
		}
		matched := matchTargets(st, targets)
		if len(matched) == 0 {
			msg := "names no component that " + product + " ships with an open finding of " + st.Vulnerability.ID
			if ranged(st) {
				msg += " (components given by a version range are not matched: cradle does not evaluate ranges)"
			}
			probs = append(probs, cradle.Problem{Location: loc, Message: msg})
			continue
		}
		d, err := decisionOf(st)
		if err != nil {
			probs = append(probs, cradle.Problem{Location: loc, Message: err.Error()})
			continue
		}
		for _, t := range matched {
			key := strings.Join([]string{t.GroupID, t.Ecosystem, t.Package, t.Version}, "\x00")
			if prev, ok := chosen[key]; ok {
				if prev.d.Status != d.Status {
					probs = append(probs, cradle.Problem{Location: loc, Message: fmt.Sprintf("contradicts statement %d: %s %s is %s there and %s here", prev.i+1, t.Package, t.Version, prev.d.Status, d.Status)})
				}
				continue
			}
			chosen[key] = pick{d: d, t: t, i: i}
			order = append(order, key)
		}
	}
	if len(probs) > 0 && !allowUnmatched {
		return nil, cradle.Invalid(fmt.Sprintf("%s: %d of %d statements cannot be applied to %s; nothing was imported", name, len(probs), len(doc.Statements), product), probs...)
	}
	for _, p := range probs {
		if strings.Contains(p.Message, "contradicts") {
			return nil, cradle.Invalid(name+": contradictory statements; nothing was imported", probs...)
		}
	}
	res.Skipped = probs
	var targets []store.DecisionTarget
	for _, k := range order {
		p := chosen[k]
		res.Decisions = append(res.Decisions, store.ComponentDecision{Product: product, VulnID: p.t.GroupID, Ecosystem: p.t.Ecosystem, Package: p.t.Package,
			Version: p.t.Version, Status: p.d.Status, Justification: p.d.Justification, Impact: p.d.Impact, Action: p.d.Action,
			Source: "vex:" + doc.Format, DecidedBy: actor.String(), DecidedAt: s.Now()})
		targets = append(targets, p.t)
	}
	if len(targets) == 0 {
		return res, nil
	}
	source := "vex:" + doc.Format + ":" + cmp.Or(doc.ID, name)
	if err := s.DB.RecordDecisions(ctx, actor, source, res.Decisions, targets); err != nil {
		return nil, err
	}
	return res, nil
}

// targetsFor finds the product's open findings of the vulnerability by its
// ID or any alias; nil when none of them is known to have findings.
func (s *Service) targetsFor(ctx context.Context, product string, v vex.Vulnerability) ([]store.DecisionTarget, error) {
	for _, id := range append([]string{v.ID}, v.Aliases...) {
		if id == "" {
			continue
		}
		ts, err := s.DB.DecisionTargets(ctx, product, id)
		if err != nil {
			return nil, err
		}
		if len(ts) > 0 {
			return ts, nil
		}
	}
	return nil, nil
}

// ranged reports whether a statement names a component by version range.
func ranged(st vex.Statement) bool {
	for _, p := range st.Products {
		if p.VersionRange != "" {
			return true
		}
		for _, c := range p.Subcomponents {
			if c.VersionRange != "" {
				return true
			}
		}
	}
	return false
}

// purlBase is a purl without version, qualifiers and subpath, normalised.
func purlBase(s string) (base, version string, ok bool) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return "", "", false
	}
	version = p.Version
	p.Version, p.Qualifiers, p.Subpath = "", nil, ""
	if p.Type == "golang" {
		p.Namespace, p.Name = strings.ToLower(p.Namespace), strings.ToLower(p.Name)
	}
	return p.ToString(), version, true
}

func sameVersion(a, b string) bool {
	return a == b || strings.TrimPrefix(a, "v") == strings.TrimPrefix(b, "v")
}

// matchTargets picks the targets a statement names: its subcomponents, or
// its products when it has none (a VEX document about a library names the
// library as the product), or every target when it names nothing.
func matchTargets(st vex.Statement, targets []store.DecisionTarget) []store.DecisionTarget {
	var comps []vex.Component
	for _, p := range st.Products {
		if len(p.Subcomponents) > 0 {
			comps = append(comps, p.Subcomponents...)
		} else {
			comps = append(comps, p.Component)
		}
	}
	if len(st.Products) == 0 {
		return targets
	}
	var out []store.DecisionTarget
	for _, t := range targets {
		tb, _, tok := purlBase(t.PURL)
		for _, c := range comps {
			hit := false
			// A component given by a version range is not matched: cradle
			// does not evaluate vers: ranges, and taking a range for "every
			// version" would mark vulnerable versions not affected.
			if c.VersionRange != "" {
				continue
			}
			if c.PURL != "" && tok {
				cb, cv, ok := purlBase(c.PURL)
				if cv == "" {
					cv = c.Version
				}
				hit = ok && cb == tb && (cv == "" || sameVersion(cv, t.Version))
			} else if c.PURL == "" && c.Name != "" {
				hit = (strings.EqualFold(c.Name, t.Name) || strings.EqualFold(c.Name, t.Package)) && (c.Version == "" || sameVersion(c.Version, t.Version))
			}
			if hit {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// decisionOf maps a statement to cradle's release statement, keeping what
// the standard vocabularies cannot say in the texts.
func decisionOf(st vex.Statement) (cradle.CaseRelease, error) {
	d := cradle.CaseRelease{Status: string(st.Status), Justification: string(st.Justification), Impact: st.ImpactStatement, Action: st.ActionStatement}
	if st.CycloneDXJustification != "" && d.Justification == "" {
		d.Impact = strings.TrimSpace("CycloneDX justification " + st.CycloneDXJustification + ". " + d.Impact)
	}
	if d.Status == cradle.VEXAffected && d.Action == "" {
		if len(st.Response) > 0 {
			d.Action = "Response: " + strings.Join(st.Response, ", ") + "."
		} else if st.Detail != "" {
			d.Action = st.Detail
		}
	}
	if d.Status == cradle.VEXNotAffected && d.Justification == "" && d.Impact == "" && st.Detail != "" {
		d.Impact = st.Detail
	}
	if probs := d.Validate(""); len(probs) > 0 {
		return d, fmt.Errorf("%s", probs[0].String())
	}
	return d, nil
}

// ExportVEX writes the product's VEX: for every open finding of its
// current releases, the decided status of that component version, or
// under_investigation when none is recorded. format is openvex,
// cyclonedx (1.6) or csaf.
func (s *Service) ExportVEX(ctx context.Context, product, format string) ([]byte, error) {
	p, err := s.DB.Product(ctx, product)
	if err != nil {
		return nil, err
	}
	if format != vex.FormatOpenVEX && format != vex.FormatCycloneDX && format != vex.FormatCSAF {
		return nil, cradle.Invalid("invalid format", cradle.Problem{Location: "format", Message: "must be openvex, cyclonedx or csaf; found " + format})
	}
	fs, err := store.All(func(pg cradle.Page) ([]cradle.Finding, int, error) {
		return s.DB.ListFindings(ctx, store.FindingFilter{Product: product}, pg)
	})
	if err != nil {
		return nil, err
	}
	now := s.Now().Truncate(time.Second)
	if format == vex.FormatCSAF {
		return s.exportCSAFVEX(ctx, p, fs, now)
	}
	doc := &vex.Document{ID: "https://cradle.invalid/vex/" + cpePart(p.Name) + "/" + now.Format("20060102T150405Z"), Author: cmp.Or(p.Manufacturer, "unknown"), Timestamp: now, Version: 1}
	if st, ok, _ := s.PSIRTSettings(ctx); ok && st.BaseURL != "" {
		doc.ID = st.BaseURL + "/vex/" + cpePart(p.Name) + "/" + now.Format("20060102T150405Z")
		doc.Author = st.PublisherName
	}
	type key struct{ vuln, purl, status, just, impact, action string }
	idx := map[key]int{}
	for _, f := range fs {
		status := cmp.Or(f.VEXStatus, cradle.VEXUnderInvestigation)
		var d struct{ just, impact, action string }
		if f.VEXStatus != "" {
			dd := decisionFor(f)
			d.just, d.impact, d.action = dd.Justification, dd.Impact, dd.Action
		}
		comp := vex.Component{PURL: f.PURL, Name: f.Component, Version: f.Version}
		if comp.PURL == "" {
			comp.Name = f.Component
		}
		k := key{f.GroupID, comp.Key(), status, d.just, d.impact, d.action}
		rel := vex.Product{Component: vex.Component{Vendor: p.Manufacturer, Name: p.Name, Version: f.Release}, Subcomponents: []vex.Component{comp}}
		if i, ok := idx[k]; ok {
			st := &doc.Statements[i]
			dup := false
			for _, x := range st.Products {
				if x.Version == f.Release {
					dup = true
				}
			}
			if !dup {
				st.Products = append(st.Products, rel)
			}
			continue
		}
		idx[k] = len(doc.Statements)
		doc.Statements = append(doc.Statements, vex.Statement{Vulnerability: vex.Vulnerability{ID: f.GroupID, Aliases: f.Aliases, Description: f.Summary},
			Products: []vex.Product{rel}, Status: vex.Status(status), Justification: vex.Justification(d.just), ImpactStatement: d.impact, ActionStatement: d.action})
	}
	if len(doc.Statements) == 0 {
		return nil, cradle.Errorf(cradle.EConflict, "%s has no open findings: there is nothing to state", product)
	}
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if st.Status == vex.StatusAffected && st.ActionStatement == "" {
			st.ActionStatement = "No action statement recorded yet; see the vendor's advisory."
		}
	}
	if format == vex.FormatOpenVEX {
		return vex.EncodeOpenVEX(doc)
	}
	return vex.EncodeCycloneDX(doc, "1.6")
}

// decisionFor is the recorded decision of a finding's component version.
func decisionFor(f cradle.Finding) store.ComponentDecision {
	return store.ComponentDecision{Status: f.VEXStatus, Justification: f.VEXJustification, Impact: f.VEXImpact, Action: f.VEXAction}
}

// exportCSAFVEX writes a csaf_vex document: the product's releases as a
// vendor / product / version tree, each shipped component as a full
// product name with its purl, and "component in release" products through
// default_component_of relationships, which the product statuses name.
func (s *Service) exportCSAFVEX(ctx context.Context, p *cradle.Product, fs []cradle.Finding, now time.Time) ([]byte, error) {
	st, ok, err := s.PSIRTSettings(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cradle.Errorf(cradle.EConflict, "the CSAF publisher is not configured: set the PSIRT settings first")
	}
	if len(fs) == 0 {
		return nil, cradle.Errorf(cradle.EConflict, "%s has no open findings: there is nothing to state", p.Name)
	}
	doc := &csaf.Document{}
	m := &doc.Document
	m.Category, m.CSAFVersion, m.Lang = csaf.CategoryVEX, "2.0", "en"
	m.Title = "VEX for " + p.Name
	m.Publisher = csaf.Publisher{Category: "vendor", Name: st.PublisherName, Namespace: st.PublisherNamespace, ContactDetails: st.PublisherContact}
	m.Distribution = &csaf.Distribution{TLP: &csaf.TLP{Label: "WHITE", URL: "https://www.first.org/tlp/"}}
	m.Notes = []csaf.Note{{Category: "summary", Title: "Summary", Text: "Exploitability of the known vulnerabilities in the components of " + p.Name + ", per release."}}
	t := &m.Tracking
	t.ID = fmt.Sprintf("%s-VEX-%s-%s", st.TrackingPrefix, strings.ToUpper(cpePart(p.Name)), now.Format("20060102T1504"))
	t.Status, t.Version = csaf.StatusFinal, "1"
	t.InitialReleaseDate, t.CurrentReleaseDate = csafTime(now), csafTime(now)
	t.RevisionHistory = []csaf.Revision{{Number: "1", Date: csafTime(now), Summary: "Generated from the product's VEX decisions"}}
	t.Generator = &csaf.Generator{Date: csafTime(now), Engine: Generator}
	maker := cmp.Or(st.PublisherName, p.Manufacturer)
	pb := csaf.Branch{Category: "product_name", Name: p.Name}
	rels := map[string]string{}  // release → product ID
	comps := map[string]string{} // component key → product ID
	pairs := map[string]string{} // release + component → relationship product ID
	tree := &csaf.ProductTree{}
	var relOrder []string
	for _, f := range fs {
		if _, ok := rels[f.Release]; !ok {
			rels[f.Release] = ProductID(f.ReleaseID)
			relOrder = append(relOrder, f.Release)
			pb.Branches = append(pb.Branches, csaf.Branch{Category: "product_version", Name: f.Release, Product: &csaf.FullProductName{
				Name: maker + " " + p.Name + " " + f.Release, ProductID: ProductID(f.ReleaseID),
				ProductIdentificationHelper: &csaf.ProductIdentificationHelper{CPE: fmt.Sprintf("cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*", cpePart(maker), cpePart(p.Name), cpePart(f.Release))}}})
		}
		ck := f.PURL
		if ck == "" {
			ck = f.Component + "@" + f.Version
		}
		if _, ok := comps[ck]; !ok {
			id := fmt.Sprintf("CSAFPID-C%d", len(comps)+1)
			comps[ck] = id
			fpn := csaf.FullProductName{Name: f.Component + " " + f.Version, ProductID: id}
			if f.PURL != "" {
				fpn.ProductIdentificationHelper = &csaf.ProductIdentificationHelper{PURL: f.PURL}
			}
			tree.FullProductNames = append(tree.FullProductNames, fpn)
		}
		pk := f.Release + "\x00" + ck
		if _, ok := pairs[pk]; !ok {
			id := fmt.Sprintf("%s-C%d", ProductID(f.ReleaseID), len(pairs)+1)
			pairs[pk] = id
			tree.Relationships = append(tree.Relationships, csaf.Relationship{Category: "default_component_of", ProductReference: comps[ck],
				RelatesToProductReference: ProductID(f.ReleaseID), FullProductName: csaf.FullProductName{Name: f.Component + " " + f.Version + " in " + p.Name + " " + f.Release, ProductID: id}})
		}
	}
	tree.Branches = []csaf.Branch{{Category: "vendor", Name: maker, Branches: []csaf.Branch{pb}}}
	doc.ProductTree = tree
	byVuln := map[string]*csaf.Vulnerability{}
	var vulnOrder []string
	flags := map[string]map[string][]string{}
	impacts := map[string]map[string][]string{}
	actions := map[string]map[string][]string{}
	for _, f := range fs {
		v, ok := byVuln[f.GroupID]
		if !ok {
			v = &csaf.Vulnerability{ProductStatus: &csaf.ProductStatus{}}
			ids := append([]string{f.GroupID}, f.Aliases...)
			sort.Strings(ids)
			for _, id := range ids {
				if strings.HasPrefix(id, "CVE-") && v.CVE == "" {
					v.CVE = id
				} else if id != v.CVE {
					v.IDs = append(v.IDs, csaf.VulnerabilityID{SystemName: "OSV", Text: id})
				}
			}
			if f.Summary != "" {
				v.Notes = []csaf.Note{{Category: "summary", Text: f.Summary}}
			}
			byVuln[f.GroupID] = v
			vulnOrder = append(vulnOrder, f.GroupID)
			flags[f.GroupID], impacts[f.GroupID], actions[f.GroupID] = map[string][]string{}, map[string][]string{}, map[string][]string{}
		}
		ck := f.PURL
		if ck == "" {
			ck = f.Component + "@" + f.Version
		}
		pid := pairs[f.Release+"\x00"+ck]
		ps := v.ProductStatus
		if slices.Contains(ps.KnownAffected, pid) || slices.Contains(ps.KnownNotAffected, pid) || slices.Contains(ps.Fixed, pid) || slices.Contains(ps.UnderInvestigation, pid) {
			continue
		}
		d := store.ComponentDecision{Status: cradle.VEXUnderInvestigation}
		if f.VEXStatus != "" {
			d = decisionFor(f)
		}
		switch d.Status {
		case cradle.VEXAffected:
			ps.KnownAffected = append(ps.KnownAffected, pid)
			actions[f.GroupID][cmp.Or(d.Action, "No action statement recorded yet; "+st.PublisherName+" will update this document.")] = append(actions[f.GroupID][cmp.Or(d.Action, "No action statement recorded yet; "+st.PublisherName+" will update this document.")], pid)
		case cradle.VEXNotAffected:
			ps.KnownNotAffected = append(ps.KnownNotAffected, pid)
			if d.Justification != "" {
				flags[f.GroupID][d.Justification] = append(flags[f.GroupID][d.Justification], pid)
			} else {
				impacts[f.GroupID][cmp.Or(d.Impact, "Not affected.")] = append(impacts[f.GroupID][cmp.Or(d.Impact, "Not affected.")], pid)
			}
		case cradle.VEXFixed:
			ps.Fixed = append(ps.Fixed, pid)
		default:
			ps.UnderInvestigation = append(ps.UnderInvestigation, pid)
		}
	}
	for _, g := range vulnOrder {
		v := byVuln[g]
		for _, l := range slices.Sorted(maps.Keys(flags[g])) {
			v.Flags = append(v.Flags, csaf.Flag{Label: l, ProductIDs: flags[g][l]})
		}
		for _, txt := range slices.Sorted(maps.Keys(impacts[g])) {
			v.Threats = append(v.Threats, csaf.Threat{Category: "impact", Details: txt, ProductIDs: impacts[g][txt]})
		}
		for _, txt := range slices.Sorted(maps.Keys(actions[g])) {
			v.Remediations = append(v.Remediations, csaf.Remediation{Category: "mitigation", Details: txt, ProductIDs: actions[g][txt]})
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, *v)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	rep, err := csaf.Validate(csaf.Filename(t.ID), b)
	if err != nil {
		return nil, err
	}
	if err := rep.Err(); err != nil {
		return nil, fmt.Errorf("generated CSAF VEX fails validation (a cradle bug): %w", err)
	}
	return b, nil
}
