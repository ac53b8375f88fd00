package compliance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/store"
)

// Derived is evidence cradle derives from its own data: what it found,
// whether that supports the requirement, and which records it used. It is
// computed when read, so it follows the data, and it is only ever shown
// next to the person's assessment: it never changes the status.
type Derived struct {
	Rule    string   `json:"rule"`    // what was checked
	Holds   bool     `json:"holds"`   // the data supports the requirement
	Summary string   `json:"summary"` // what was found
	Records []string `json:"records,omitempty"`
}

// facts are what the rules look at for one product.
type facts struct {
	product      *cradle.Product
	releases     []*cradle.Release
	onMarket     []*cradle.Release
	withoutSBOM  []string
	undecidedHi  []cradle.Finding // open, high or critical, on the market, no VEX decision
	undecidedKEV []cradle.Finding // open, KEV-listed, on the market, no VEX decision
	cases        []*cradle.Case
	advisories   []*cradle.Advisory
	updates      []cradle.SecurityUpdate
	settings     cradle.PSIRTSettings
	configured   bool
	reports      int
	reviews      []cradle.CaseReview
	policy       cradle.RemediationPolicy
	ttf          []store.TimeToFix
	scope        *store.ProductScope
	applicable   int // recorded applicability decisions (62443-4-1)
	now          time.Time

	// Engineering evidence.
	model       *cradle.ThreatModel   // the product's newest threat model
	modelReview []cradle.ThreatReview // newest first
	kinds       map[string][]string   // release version → kinds of results imported
	gates       map[string]*cradle.GateRecord
}

func (s *Service) gather(ctx context.Context, p *cradle.Product) (*facts, error) {
	f, err := s.gatherOrganisation(ctx)
	if err != nil {
		return nil, err
	}
	f.product = p
	if f.releases, err = store.All(func(pg cradle.Page) ([]*cradle.Release, int, error) { return s.DB.ListReleases(ctx, p.Name, pg) }); err != nil {
		return nil, err
	}
	for _, r := range f.releases {
		if r.Lifecycle.OnMarket() {
			f.onMarket = append(f.onMarket, r)
			if r.CurrentSBOMID == 0 {
				f.withoutSBOM = append(f.withoutSBOM, r.Version)
			}
		}
	}
	undecided, err := s.allFindings(ctx, store.FindingFilter{Product: p.Name, Undecided: true, MinRating: "high"})
	if err != nil {
		return nil, err
	}
	for _, x := range undecided {
		if x.Lifecycle.OnMarket() {
			f.undecidedHi = append(f.undecidedHi, x)
		}
	}
	kev, err := s.allFindings(ctx, store.FindingFilter{Product: p.Name, Undecided: true, KEV: true})
	if err != nil {
		return nil, err
	}
	for _, x := range kev {
		if x.Lifecycle.OnMarket() {
			f.undecidedKEV = append(f.undecidedKEV, x)
		}
	}
	if f.cases, err = store.All(func(pg cradle.Page) ([]*cradle.Case, int, error) {
		return s.DB.ListCases(ctx, store.CaseFilter{Product: p.Name}, f.policy, pg)
	}); err != nil {
		return nil, err
	}
	all, err := s.DB.ListAdvisories(ctx, "", true)
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	for _, c := range f.cases {
		mine[c.Ref] = true
	}
	for _, a := range all {
		if mine[a.CaseRef] {
			f.advisories = append(f.advisories, a)
		}
	}
	if f.updates, err = s.DB.SecurityUpdates(ctx, p.Name); err != nil {
		return nil, err
	}
	scopes, err := s.DB.Scopes(ctx)
	if err != nil {
		return nil, err
	}
	if sc, ok := scopes[p.Name]; ok {
		f.scope = &sc
	}
	appl, err := s.DB.ApplicabilityOf(ctx, p.Name, catalog.IEC62443_4_1)
	if err != nil {
		return nil, err
	}
	f.applicable = len(appl)
	if f.model, err = s.DB.ThreatModelFor(ctx, p.Name, ""); err != nil {
		return nil, err
	}
	if f.modelReview, err = s.DB.ThreatReviews(ctx, p.Name); err != nil {
		return nil, err
	}
	f.kinds, f.gates = map[string][]string{}, map[string]*cradle.GateRecord{}
	for _, r := range f.onMarket {
		imps, err := s.DB.ResultImports(ctx, p.Name, r.Version)
		if err != nil {
			return nil, err
		}
		for _, i := range imps {
			if !i.Evidence() {
				continue
			}
			f.kinds[r.Version] = append(f.kinds[r.Version], i.Kind)
		}
		gs, err := s.DB.GateDecisions(ctx, p.Name, r.Version, 50)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			if g.Override { // a run under a policy of its own is no SM-12 record
				continue
			}
			// Only a decision that agrees with its audit entry counts.
			probs, err := s.DB.GateDecisionMatchesAudit(ctx, g)
			if err != nil {
				return nil, err
			}
			if len(probs) == 0 {
				f.gates[r.Version] = g
				break
			}
		}
	}
	return f, nil
}

// allFindings reads every page of findings: a rule that says "none left"
// must not stop at the first page.
func (s *Service) allFindings(ctx context.Context, f store.FindingFilter) ([]cradle.Finding, error) {
	return store.All(func(pg cradle.Page) ([]cradle.Finding, int, error) { return s.DB.ListFindings(ctx, f, pg) })
}

// gatherOrganisation collects the organisation-wide facts: the intake
// channel, reviews and time to fix.
func (s *Service) gatherOrganisation(ctx context.Context) (*facts, error) {
	f := &facts{now: s.Now()}
	var err error
	if f.policy, err = s.DB.RemediationPolicy(ctx); err != nil {
		return nil, err
	}
	f.settings.IntakeEnabled = true // the default, as in psirt.PSIRTSettings
	if f.configured, err = s.DB.GetSetting(ctx, "psirt", &f.settings); err != nil {
		return nil, err
	}
	if _, f.reports, err = s.DB.ListIntake(ctx, "", cradle.Page{PerPage: 1}); err != nil {
		return nil, err
	}
	if f.reviews, err = s.DB.Reviews(ctx, 1); err != nil {
		return nil, err
	}
	if f.ttf, err = s.DB.TimeToFixReport(ctx, f.policy); err != nil {
		return nil, err
	}
	return f, nil
}

// orgRules are the rules that need no product.
var orgRules = map[string]bool{}

// rule derives evidence from the facts.
type rule func(f *facts) Derived

// rules maps "catalogue/requirement" to its rules. CRA items share the
// rules of the 62443-4-1 requirements that answer the same question.
var rules = map[string][]rule{}

func init() {
	add := func(r rule, ids ...string) {
		for _, id := range ids {
			rules[id] = append(rules[id], r)
		}
	}
	iec, cra := catalog.IEC62443_4_1+"/", catalog.CRA+"/"
	add(scopeRule, iec+"SM-3")
	add(scopingRule, iec+"SM-5")
	add(sbomRule, iec+"SM-9", cra+"I.II.1")
	add(exploitableRule, iec+"SM-11", cra+"I.I.2.a")
	add(releaseChecklistRule, iec+"SM-12")
	add(intakeRule, iec+"DM-1", cra+"I.II.5", cra+"I.II.6")
	for _, k := range []string{iec + "DM-1", cra + "I.II.5", cra + "I.II.6", iec + "DM-6", iec + "SUM-5"} {
		orgRules[k] = true
	}
	add(triageRule, iec+"DM-2", iec+"DM-3")
	add(addressRule, iec+"DM-4", cra+"I.II.2")
	add(disclosureRule(false), iec+"DM-5")
	add(disclosureRule(true), cra+"I.II.4")
	add(reviewRule, iec+"DM-6")
	add(updateDocRule, iec+"SUM-2")
	add(deliveryRule, iec+"SUM-4", cra+"I.II.7")
	add(timeToFixRule, iec+"SUM-5")
	add(supportRule, cra+"Art.13.8", cra+"Art.13.19")
	add(threatModelRule, iec+"SR-2", iec+"SD-1", cra+"I.I.1")
	add(threatMitigationRule, iec+"SVV-2")
	add(resultsRule("SAST results", "SI-1"), iec+"SI-1")
	add(resultsRule("security test results", "SVV-1"), iec+"SVV-1")
	add(resultsRule("vulnerability testing results (DAST, fuzzing, container or dependency scans)", "SVV-3"), iec+"SVV-3", cra+"I.II.3")
	add(gateRule, iec+"SM-12", cra+"I.I.2.a")
}

func derive(catalogID, reqID string, f *facts) []Derived {
	key := catalogID + "/" + reqID
	if f.product == nil && !orgRules[key] {
		return nil
	}
	var out []Derived
	for _, r := range rules[key] {
		out = append(out, r(f))
	}
	return out
}

func versions(rs []*cradle.Release) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Version)
	}
	return out
}

func scopeRule(f *facts) Derived {
	d := Derived{Rule: "whether the SDL applies to the product is decided and justified"}
	if f.scope == nil {
		d.Summary = "no scope decision is recorded for " + f.product.Name
		return d
	}
	d.Holds = true
	d.Summary = fmt.Sprintf("%s by %s on %s: %s", map[bool]string{true: "in scope", false: "out of scope"}[f.scope.InScope],
		f.scope.Approver, f.scope.ApprovedAt.Format(cradle.DateLayout), f.scope.Justification)
	return d
}

func scopingRule(f *facts) Derived {
	d := Derived{Rule: "the requirements that do not apply to the product are recorded with a justification"}
	if f.applicable == 0 {
		d.Summary = "no applicability decision is recorded: every requirement is taken to apply"
		return d
	}
	d.Holds = true
	d.Summary = fmt.Sprintf("%d applicability decision(s) recorded with justification and approver", f.applicable)
	return d
}

func sbomRule(f *facts) Derived {
	d := Derived{Rule: "every release on the market has a current SBOM"}
	for _, r := range f.onMarket {
		if r.CurrentSBOMID != 0 {
			d.Records = append(d.Records, fmt.Sprintf("sbom:%d", r.CurrentSBOMID))
		}
	}
	switch {
	case len(f.onMarket) == 0:
		d.Summary = "no release of " + f.product.Name + " is on the market yet"
	case len(f.withoutSBOM) > 0:
		d.Summary = fmt.Sprintf("%d of %d releases on the market have no SBOM: %s", len(f.withoutSBOM), len(f.onMarket), strings.Join(f.withoutSBOM, ", "))
	default:
		d.Holds = true
		d.Summary = fmt.Sprintf("all %d releases on the market have an SBOM (%s), monitored for vulnerabilities", len(f.onMarket), strings.Join(versions(f.onMarket), ", "))
	}
	return d
}

func exploitableRule(f *facts) Derived {
	d := Derived{Rule: "no release on the market ships a known exploited or high-severity vulnerability without a decision"}
	for _, x := range append(append([]cradle.Finding{}, f.undecidedKEV...), f.undecidedHi...) {
		d.Records = append(d.Records, x.Release+": "+x.GroupID+" in "+x.Component+" "+x.Version)
	}
	switch {
	case len(f.undecidedKEV) > 0:
		d.Summary = fmt.Sprintf("%d KEV-listed and %d high or critical findings without a VEX decision", len(f.undecidedKEV), len(f.undecidedHi))
	case len(f.undecidedHi) > 0:
		d.Summary = fmt.Sprintf("%d high or critical findings without a VEX decision", len(f.undecidedHi))
	default:
		d.Holds = true
		d.Summary = "every high, critical or KEV-listed finding in released versions has a decision"
	}
	return d
}

// releaseChecklistRule checks, for every release on the market, the SDL
// activities whose records cradle holds: an SBOM, every high, critical or
// KEV-listed finding decided, the SDL scope decided and the support period
// declared. (Threat models, test results and the full SM-12 checklist
// come with the release gate.)
func releaseChecklistRule(f *facts) Derived {
	d := Derived{Rule: "before release, the SDL activities cradle can verify are done: SBOM, decisions on serious findings, scope, support period"}
	if len(f.onMarket) == 0 {
		d.Summary = "no release of " + f.product.Name + " is on the market yet"
		return d
	}
	open := map[string]int{}
	for _, x := range append(append([]cradle.Finding{}, f.undecidedKEV...), f.undecidedHi...) {
		open[x.Release]++
	}
	var gaps []string
	for _, r := range f.onMarket {
		var miss []string
		if r.CurrentSBOMID == 0 {
			miss = append(miss, "no SBOM")
		}
		if n := open[r.Version]; n > 0 {
			miss = append(miss, fmt.Sprintf("%d serious finding(s) without a decision", n))
		}
		if len(miss) > 0 {
			gaps = append(gaps, r.Version+": "+strings.Join(miss, ", "))
		}
		d.Records = append(d.Records, "release:"+f.product.Name+"@"+r.Version)
	}
	if f.scope == nil {
		gaps = append(gaps, "SDL scope not decided")
	}
	if f.product.SupportEnd == "" {
		gaps = append(gaps, "support period not declared")
	}
	if len(gaps) > 0 {
		d.Summary = strings.Join(gaps, "; ")
		return d
	}
	d.Holds = true
	d.Summary = fmt.Sprintf("all %d releases on the market have an SBOM and decisions on every serious finding; scope and support period recorded", len(f.onMarket))
	return d
}

func intakeRule(f *facts) Derived {
	d := Derived{Rule: "a public reporting channel and security.txt are configured"}
	switch {
	case !f.configured:
		d.Summary = "the PSIRT settings (contacts, security.txt, disclosure policy) are not configured"
	case !f.settings.IntakeEnabled:
		d.Summary = "the public reporting form is turned off; contacts: " + strings.Join(f.settings.Contacts, ", ")
	default:
		d.Holds = true
		d.Summary = fmt.Sprintf("reporting form, security.txt and disclosure policy published; %d report(s) received", f.reports)
	}
	return d
}

func triageRule(f *facts) Derived {
	d := Derived{Rule: "cases affecting the product are triaged (validity decided, severity scored)"}
	var pending []string
	for _, c := range f.cases {
		if c.Validity == cradle.ValidityPending || (c.Validity == cradle.ValidityValid && c.Rating == "unknown") {
			pending = append(pending, c.Ref)
		}
	}
	switch {
	case len(f.cases) == 0:
		d.Summary = "no case has affected " + f.product.Name + " yet"
	case len(pending) > 0:
		d.Summary = fmt.Sprintf("%d of %d cases not yet triaged: %s", len(pending), len(f.cases), strings.Join(pending, ", "))
		d.Records = pending
	default:
		d.Holds = true
		d.Summary = fmt.Sprintf("all %d cases triaged", len(f.cases))
	}
	return d
}

func addressRule(f *facts) Derived {
	d := Derived{Rule: "valid cases are decided and none is past its remediation due date"}
	var undecided, overdue []string
	for _, c := range f.cases {
		if c.Validity == cradle.ValidityValid && c.Decision == "" {
			undecided = append(undecided, c.Ref)
		}
		if c.State == cradle.CaseOpen && !c.DueAt.IsZero() && c.DueAt.Before(f.now) {
			overdue = append(overdue, c.Ref)
		}
	}
	switch {
	case len(f.cases) == 0:
		d.Summary = "no case has affected " + f.product.Name + " yet"
	case len(undecided)+len(overdue) > 0:
		d.Summary = fmt.Sprintf("%d valid case(s) without a decision, %d overdue", len(undecided), len(overdue))
		d.Records = append(undecided, overdue...)
	default:
		d.Holds = true
		d.Summary = fmt.Sprintf("all %d cases decided, none overdue", len(f.cases))
	}
	return d
}

// disclosureRule checks that fixed vulnerabilities were disclosed: to
// users (DM-5: any advisory), or publicly (CRA I.II(4): TLP:WHITE only).
func disclosureRule(public bool) rule {
	return func(f *facts) Derived { return disclosure(f, public) }
}

func disclosure(f *facts, public bool) Derived {
	d := Derived{Rule: "fixed vulnerabilities that affected released versions are disclosed in advisories"}
	if public {
		d.Rule = "fixed vulnerabilities that affected released versions are disclosed publicly (TLP:WHITE advisories)"
	}
	advised := map[string]bool{}
	for _, a := range f.advisories {
		if public && a.TLP != "WHITE" {
			continue
		}
		advised[a.CaseRef] = true
		d.Records = append(d.Records, "advisory:"+a.TrackingID)
	}
	var missing []string
	for _, c := range f.cases {
		affectedOnMarket := false
		for _, r := range c.Releases {
			if r.Lifecycle.OnMarket() && (r.Status == cradle.VEXAffected || r.Status == cradle.VEXFixed) {
				affectedOnMarket = true
			}
		}
		if c.Validity == cradle.ValidityValid && affectedOnMarket && !c.FixAvailableAt.IsZero() && !advised[c.Ref] {
			missing = append(missing, c.Ref)
		}
	}
	switch {
	case len(missing) > 0:
		d.Summary = fmt.Sprintf("%d fixed case(s) affecting released versions have no published advisory: %s", len(missing), strings.Join(missing, ", "))
	case len(advised) == 0:
		d.Holds = true
		d.Summary = "no fixed vulnerability needed disclosure yet"
	default:
		d.Holds = true
		d.Summary = fmt.Sprintf("%d published advisory(ies) cover the fixed cases", len(f.advisories))
	}
	return d
}

func reviewRule(f *facts) Derived {
	d := Derived{Rule: fmt.Sprintf("open cases are reviewed at least every %d days", f.policy.ReviewEveryDays)}
	if len(f.reviews) == 0 {
		d.Summary = "no periodic review of the open cases is recorded"
		return d
	}
	last := f.reviews[0]
	d.Records = []string{fmt.Sprintf("review:%d", last.ID)}
	age := f.now.Sub(last.At)
	if age > time.Duration(f.policy.ReviewEveryDays)*24*time.Hour {
		d.Summary = fmt.Sprintf("the last review (%s by %s) is %d days old", last.At.Format(cradle.DateLayout), last.Reviewer, int(age.Hours()/24))
		return d
	}
	d.Holds = true
	d.Summary = fmt.Sprintf("last review %s by %s (%d open, %d overdue)", last.At.Format(cradle.DateLayout), last.Reviewer, last.OpenCases, last.Overdue)
	return d
}

func updateDocRule(f *facts) Derived {
	d := Derived{Rule: "security updates are documented (what they fix, installation, verification, impact)"}
	if len(f.updates) == 0 {
		d.Summary = "no security update of " + f.product.Name + " is recorded yet"
		return d
	}
	for _, u := range f.updates {
		d.Records = append(d.Records, fmt.Sprintf("security_update:%d", u.ID))
	}
	d.Holds = true
	d.Summary = fmt.Sprintf("%d security update(s), each with what it fixes, installation and verification instructions and qualification", len(f.updates))
	return d
}

func deliveryRule(f *facts) Derived {
	d := Derived{Rule: "security updates can be verified by users (hash or signature)"}
	var missing []string
	for _, u := range f.updates {
		d.Records = append(d.Records, fmt.Sprintf("security_update:%d", u.ID))
		if u.ArtifactHash == "" && u.SignatureURL == "" {
			missing = append(missing, u.Version)
		}
	}
	switch {
	case len(f.updates) == 0:
		d.Summary = "no security update of " + f.product.Name + " is recorded yet"
	case len(missing) > 0:
		d.Summary = "updates without a hash or signature: " + strings.Join(missing, ", ")
	default:
		d.Holds = true
		d.Summary = fmt.Sprintf("all %d security updates carry a SHA-256 or a signature", len(f.updates))
	}
	return d
}

func timeToFixRule(f *facts) Derived {
	d := Derived{Rule: "fixes are delivered within the remediation policy"}
	fixed, within, late := 0, 0, 0
	var parts []string
	for _, t := range f.ttf {
		fixed += t.Fixed
		within += t.WithinDays
		late += t.OpenLate
		if t.Fixed > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d/%d within %d days (median %.1f)", t.Rating, t.WithinDays, t.Fixed, t.PolicyDays, t.MedianDays))
		}
	}
	switch {
	case fixed == 0 && late == 0:
		d.Summary = "no fixed case to measure yet"
	case within < fixed || late > 0:
		d.Summary = fmt.Sprintf("%d of %d fixes within policy, %d open cases overdue; %s", within, fixed, late, strings.Join(parts, "; "))
	default:
		d.Holds = true
		d.Summary = "all fixes within policy; " + strings.Join(parts, "; ")
	}
	return d
}

func supportRule(f *facts) Derived {
	d := Derived{Rule: "the support period is declared, at least five years or justified, and its end date is known"}
	p := f.product
	years := p.SupportYears()
	switch {
	case p.SupportEnd == "":
		d.Summary = "no support period is declared"
	case years < 5 && strings.TrimSpace(p.SupportRationale) == "":
		d.Summary = fmt.Sprintf("%.1f years, less than five, without a rationale", years)
	default:
		d.Holds = true
		d.Summary = fmt.Sprintf("support %s to %s (%.1f years)", p.SupportStart, p.SupportEnd, years)
		if p.SupportRationale != "" {
			d.Summary += "; rationale recorded"
		}
	}
	return d
}

// threatModelRule: SR-2 asks for a threat model, reviewed, and re-reviewed
// at least yearly while the product is on the market.
func threatModelRule(f *facts) Derived {
	d := Derived{Rule: "the product has a threat model, reviewed within the last 12 months"}
	if f.model == nil {
		d.Summary = "no threat model is recorded for " + f.product.Name
		return d
	}
	d.Records = append(d.Records, fmt.Sprintf("threat_model:%s/%d", f.product.Name, f.model.Version))
	var last *cradle.ThreatReview
	for i := range f.modelReview {
		if f.modelReview[i].Outcome == cradle.ReviewApproved {
			last = &f.modelReview[i]
			break
		}
	}
	switch {
	case last == nil:
		d.Summary = fmt.Sprintf("threat model version %d (%d threats, %d open) has not been reviewed", f.model.Version, f.model.Threats, f.model.OpenThreats)
	case f.now.Sub(last.ReviewedAt) > 365*24*time.Hour && len(f.onMarket) > 0:
		d.Summary = fmt.Sprintf("the last approved review (%s, version %d) is older than 12 months", last.ReviewedAt.Format(cradle.DateLayout), last.Version)
	default:
		d.Holds = true
		d.Summary = fmt.Sprintf("threat model version %d: %d threats, %d open; approved by %s on %s (version %d)", f.model.Version, f.model.Threats, f.model.OpenThreats,
			last.Reviewer, last.ReviewedAt.Format(cradle.DateLayout), last.Version)
		if last.Version != f.model.Version {
			d.Summary += "; the model has changed since"
		}
	}
	return d
}

func threatMitigationRule(f *facts) Derived {
	d := Derived{Rule: "every threat of the threat model is mitigated, accepted with a rationale or transferred"}
	switch {
	case f.model == nil:
		d.Summary = "no threat model is recorded for " + f.product.Name
	case f.model.OpenThreats > 0:
		d.Summary = fmt.Sprintf("%d of %d threats are open in threat model version %d", f.model.OpenThreats, f.model.Threats, f.model.Version)
	default:
		d.Holds = true
		d.Summary = fmt.Sprintf("all %d threats of threat model version %d are addressed", f.model.Threats, f.model.Version)
	}
	return d
}

// resultsRule checks that every release on the market has results of one
// of the kinds that are evidence for requirement req (cradle.EvidenceKinds).
func resultsRule(what, req string) rule {
	kinds := cradle.EvidenceKinds[req]
	return func(f *facts) Derived {
		d := Derived{Rule: "every release on the market has " + what + " imported"}
		if len(f.onMarket) == 0 {
			d.Summary = "no release of " + f.product.Name + " is on the market yet"
			return d
		}
		var without []string
		for _, r := range f.onMarket {
			found := false
			for _, k := range f.kinds[r.Version] {
				found = found || slices.Contains(kinds, k)
			}
			if found {
				d.Records = append(d.Records, "results:"+f.product.Name+"/"+r.Version)
			} else {
				without = append(without, r.Version)
			}
		}
		if len(without) > 0 {
			d.Summary = fmt.Sprintf("%d of %d releases on the market have no %s: %s", len(without), len(f.onMarket), what, strings.Join(without, ", "))
			return d
		}
		d.Holds = true
		d.Summary = fmt.Sprintf("all %d releases on the market have %s", len(f.onMarket), what)
		return d
	}
}

// gateRule: the release gate's newest decision for every release on the
// market is a pass.
func gateRule(f *facts) Derived {
	d := Derived{Rule: "the release gate passed for every release on the market"}
	if len(f.onMarket) == 0 {
		d.Summary = "no release of " + f.product.Name + " is on the market yet"
		return d
	}
	var gaps []string
	for _, r := range f.onMarket {
		g := f.gates[r.Version]
		switch {
		case g == nil:
			gaps = append(gaps, r.Version+": never evaluated")
		case !g.Pass:
			gaps = append(gaps, fmt.Sprintf("%s: failed with %d reason(s) on %s", r.Version, g.Failures, g.EvaluatedAt.Format(cradle.DateLayout)))
		}
		if g != nil {
			d.Records = append(d.Records, fmt.Sprintf("gate:%d", g.ID))
		}
	}
	if len(gaps) > 0 {
		d.Summary = strings.Join(gaps, "; ")
		return d
	}
	d.Holds = true
	d.Summary = fmt.Sprintf("the newest gate decision of all %d releases on the market is a pass", len(f.onMarket))
	return d
}
