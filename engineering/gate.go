package engineering

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/gate"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/threatmodel"
)

// Policy returns the gate policy of a product: the default, overridden by
// the product's stored policy (source is its YAML, "" for none).
func (s *Service) Policy(ctx context.Context, product string) (p *gate.Policy, source string, err error) {
	source, err = s.DB.GatePolicy(ctx, product)
	if err != nil {
		return nil, "", err
	}
	if source == "" {
		return gate.DefaultPolicy(), "", nil
	}
	if p, err = gate.ParsePolicyOnto(gate.DefaultPolicy(), "policy of "+product, []byte(source)); err != nil {
		// It was checked when stored: a stricter cradle refuses it now.
		// That is the server's problem to report, not the caller's input.
		return nil, "", fmt.Errorf("the stored gate policy of %s no longer parses (set it again): %v", product, err)
	}
	return p, source, nil
}

// SetPolicy checks and stores a product's policy YAML (empty removes it:
// the default applies).
func (s *Service) SetPolicy(ctx context.Context, actor cradle.Actor, product, filename string, data []byte) error {
	if len(bytes.TrimSpace(data)) > 0 {
		if _, err := gate.ParsePolicyOnto(gate.DefaultPolicy(), filename, data); err != nil {
			return err
		}
	} else {
		data = nil
	}
	return s.DB.SetGatePolicy(ctx, actor, product, string(data))
}

// Evaluator names the version of the gate's rules (gate.Evaluate and the
// way Inputs are gathered). Change it when a change to either could make
// a stored decision re-evaluate differently: Verify then tells "the rules
// changed since" apart from "the record was altered".
var Evaluator = "cradle-gate/1"

// GateRun is a gate decision as stored and as evaluated.
type GateRun struct {
	Record   *cradle.GateRecord `json:"record"`
	Decision *gate.Decision     `json:"decision"`
	// Note says what verification could not judge (e.g. a decision made
	// by an older version of the gate's rules).
	Note string `json:"note,omitempty"`
}

// Gate evaluates the release gate for a release, stores the decision with
// its policy and inputs (visible in the audit trail) and returns it.
// policyFile, when given, overrides the product's policy for this run (it
// is parsed onto the product's policy; its name locates errors).
func (s *Service) Gate(ctx context.Context, actor cradle.Actor, product, release, policyName string, policyFile []byte) (*GateRun, error) {
	return s.GateWith(ctx, actor, product, release, policyName, policyFile, true)
}

// GateWith is Gate for a caller that may or may not override the product's
// policy: a policy file that changes it needs mayOverride (the API gives
// it to those who may set the product's policy), since it could switch
// checks off. A file that changes nothing is no override.
func (s *Service) GateWith(ctx context.Context, actor cradle.Actor, product, release, policyName string, policyFile []byte, mayOverride bool) (*GateRun, error) {
	p, _, err := s.Policy(ctx, product)
	if err != nil {
		return nil, err
	}
	override := false
	if policyFile != nil {
		base := gate.PolicyHash(p)
		if p, err = gate.ParsePolicyOnto(p, policyName, policyFile); err != nil {
			return nil, err
		}
		override = gate.PolicyHash(p) != base
		if override && !mayOverride {
			return nil, cradle.Errorf(cradle.EForbidden, "running the gate with a policy that differs from the product's needs the %s permission (a security officer); run it without one to use the product's policy", cradle.PermGatePolicy)
		}
	}
	in, err := s.Inputs(ctx, product, release, p)
	if err != nil {
		return nil, err
	}
	d := gate.Evaluate(p, in)
	rec := &cradle.GateRecord{Product: product, Release: release, Pass: d.Pass, Failures: d.Failures, Hash: d.Hash,
		InputsHash: d.InputsHash, PolicyHash: d.PolicyHash, EvaluatedAt: in.EvaluatedAt,
		Override: override, Evaluator: Evaluator}
	var b []byte
	if b, err = json.Marshal(p); err != nil {
		return nil, err
	}
	rec.Policy = string(b)
	if b, err = json.Marshal(gate.CanonicalInputs(in)); err != nil {
		return nil, err
	}
	rec.Inputs = string(b)
	if b, err = json.Marshal(d); err != nil {
		return nil, err
	}
	rec.Result = string(b)
	if err := s.DB.SaveGateDecision(ctx, actor, rec); err != nil {
		return nil, err
	}
	return &GateRun{Record: rec, Decision: d}, nil
}

// Decision returns a stored gate decision.
func (s *Service) Decision(ctx context.Context, id int64) (*GateRun, *gate.Policy, *gate.Inputs, error) {
	rec, err := s.DB.GateDecision(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	var p gate.Policy
	var in gate.Inputs
	var d gate.Decision
	for _, x := range []struct {
		what string
		src  string
		dst  any
	}{{"policy", rec.Policy, &p}, {"inputs", rec.Inputs, &in}, {"result", rec.Result, &d}} {
		if err := json.Unmarshal([]byte(x.src), x.dst); err != nil {
			return nil, nil, nil, fmt.Errorf("gate decision %d: the stored %s cannot be read: %w", id, x.what, err)
		}
	}
	return &GateRun{Record: rec, Decision: &d}, &p, &in, nil
}

// Verify checks a stored decision: its policy, inputs and result hash to
// the recorded hashes, the row agrees with the decision's entry in the
// hash-chained audit trail (written in the same transaction), and the
// stored policy and inputs re-evaluate to the same verdict. nil means the
// decision is unaltered and reproducible. A decision made by another
// version of the gate's rules is checked for integrity only, and
// GateRun.Note says so.
func (s *Service) Verify(ctx context.Context, id int64) (*GateRun, error) {
	run, p, in, err := s.Decision(ctx, id)
	if err != nil {
		return nil, err
	}
	r, d := run.Record, run.Decision
	var probs []cradle.Problem
	add := func(loc, format string, args ...any) {
		probs = append(probs, cradle.Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	}
	// 1. The stored documents are what was hashed.
	if h := sha256Hex(r.Policy); h != r.PolicyHash {
		add("policy", "the stored policy hashes to %s, not the recorded %s", short(h), short(r.PolicyHash))
	}
	if h := sha256Hex(r.Inputs); h != r.InputsHash {
		add("inputs", "the stored inputs hash to %s, not the recorded %s", short(h), short(r.InputsHash))
	}
	if h := gate.DecisionHash(d); h != d.Hash || d.Hash != r.Hash {
		add("result", "the stored result hashes to %s; recorded %s", short(h), short(r.Hash))
	}
	if d.Pass != r.Pass || d.Failures != r.Failures || d.PolicyHash != r.PolicyHash || d.InputsHash != r.InputsHash {
		add("record", "the decision's columns (pass, failures, hashes) differ from its stored result")
	}
	// 2. The audit trail's entry, written with the decision.
	then, ap, err := s.DB.GateDecisionAudit(ctx, r)
	if err != nil {
		return nil, err
	}
	probs = append(probs, ap...)
	// 3. The inputs are of the release the decision was made for (by its
	// names then: it may have been renamed since).
	if then != nil && (in.Product != then.Product || in.Release != then.Release) {
		add("inputs", "the stored inputs are of %s %s, not of %s %s", in.Product, in.Release, then.Product, then.Release)
	}
	if len(probs) > 0 {
		return run, &cradle.Error{Code: cradle.EConflict, Message: fmt.Sprintf("gate decision %d does not verify: it was altered after it was made", id), Problems: probs}
	}
	// 4. Re-evaluation with today's rules.
	if r.Evaluator != Evaluator {
		run.Note = fmt.Sprintf("the decision is intact; it was made by %s and this cradle evaluates with %s, so it was not re-evaluated", orUnknown(r.Evaluator), Evaluator)
		return run, nil
	}
	if err := gate.Verify(p, in, d); err != nil {
		return run, &cradle.Error{Code: cradle.EConflict, Message: fmt.Sprintf("gate decision %d does not re-evaluate to the stored verdict", id), Problems: cradle.ErrorProblems(err)}
	}
	return run, nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown version"
	}
	return s
}

// Inputs gathers what the gate judges for a release.
func (s *Service) Inputs(ctx context.Context, product, release string, p *gate.Policy) (*gate.Inputs, error) {
	prod, err := s.DB.Product(ctx, product)
	if err != nil {
		return nil, err
	}
	rel, err := s.DB.Release(ctx, product, release)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Second)
	in := &gate.Inputs{Product: prod.Name, Release: rel.Version, Lifecycle: string(rel.Lifecycle), EvaluatedAt: now,
		SupportEnd: prod.SupportEnd, Evidence: map[string]bool{}}

	// SBOM and its quality.
	if rel.CurrentSBOMID != 0 {
		rep, doc, err := s.CheckStoredSBOM(ctx, product, release, rel.CurrentSBOMID, p.SBOM.Profile)
		if err != nil {
			return nil, err
		}
		si := &gate.SBOMInput{DocumentSHA256: doc.SHA256, Format: doc.Format + "-" + doc.SpecVersion, Components: doc.ComponentCount,
			Profile: rep.Profile, Conforms: rep.Conforms}
		for _, f := range rep.Summary.Failing {
			if f.Level == "required" || f.Invalid > 0 {
				si.Failing = append(si.Failing, gate.FieldFailure{Field: f.ID, Count: f.Missing + f.Invalid})
			}
		}
		in.SBOM = si
	}

	// Findings, with the product's decisions.
	fs, err := store.All(func(pg cradle.Page) ([]cradle.Finding, int, error) {
		return s.DB.ListFindings(ctx, store.FindingFilter{Product: product, Release: release}, pg)
	})
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		in.Findings = append(in.Findings, gate.Finding{VulnID: f.GroupID, Aliases: f.Aliases, Component: f.Component, Version: f.Version,
			Purl: f.PURL, Rating: f.Rating, Score: f.Score, KEV: f.KEV, Decision: f.VEXStatus})
	}

	// Threat model.
	tm, err := s.ThreatModel(ctx, product, release, 0)
	if err != nil {
		return nil, err
	}
	if tm != nil {
		ti := &gate.ThreatModelInput{Hash: tm.Stored.SHA256, ReviewedAt: tm.ApprovedAt}
		for _, t := range tm.Threats {
			ti.Threats = append(ti.Threats, gate.Threat{ID: t.ID, Title: t.Title, Rating: strings.ToLower(t.Severity.Rating), Status: t.Status})
		}
		in.ThreatModel = ti
	}

	// Scan and test results.
	imps, err := s.DB.ResultImports(ctx, product, release)
	if err != nil {
		return nil, err
	}
	kinds := map[string]bool{}
	testsFailing := 0
	if len(imps) > 0 {
		ri := &gate.ResultsInput{}
		for _, i := range imps {
			if !i.Evidence() {
				continue
			}
			ri.Imports = append(ri.Imports, gate.ResultImport{Tool: i.Tool, Kind: i.Kind, ImportedAt: i.ImportedAt})
			kinds[i.Kind] = true
		}
		// Failed tests are no evidence that requirements are met.
		_, failed, err := s.DB.ListResults(ctx, product, release, store.ResultFilter{Status: cradle.ResultOpen, Kind: "test"}, cradle.Page{PerPage: 1})
		if err != nil {
			return nil, err
		}
		testsFailing = failed
		// The analysis check judges what analysis tools found: SAST, DAST
		// and fuzzing. Container and dependency scans duplicate the SBOM's
		// findings, which the findings check judges with the product's
		// decisions; failed tests are judged as SVV-1.
		rs, err := store.All(func(pg cradle.Page) ([]cradle.ScanResult, int, error) {
			return s.DB.ListResults(ctx, product, release, store.ResultFilter{Status: cradle.ResultOpen, Kinds: store.JudgedKinds}, pg)
		})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			ri.Open = append(ri.Open, gate.Result{Fingerprint: r.Fingerprint, Tool: r.Tool, RuleID: r.RuleID, Severity: r.Severity, Location: r.Location, Message: r.Kind})
		}
		in.Results = ri
	}

	// Verification evidence: recorded evidence for the release (or the
	// product it inherits from), or results of the matching kind.
	for _, scope := range []struct{ kind, target string }{
		{cradle.ScopeProduct, product}, {cradle.ScopeRelease, store.ReleaseScope(product, release)},
	} {
		as, err := s.DB.Assessments(ctx, scope.kind, scope.target, catalog.IEC62443_4_1)
		if err != nil {
			return nil, err
		}
		for id, a := range as {
			for _, e := range a.Evidence {
				if e.Fresh() {
					in.Evidence[id] = true
				}
			}
		}
	}
	for req, ks := range cradle.EvidenceKinds {
		for _, k := range ks {
			if kinds[k] {
				in.Evidence[req] = true
			}
		}
	}
	if testsFailing > 0 {
		// Failing tests of this release outweigh any recorded SVV-1
		// evidence: the requirements are not shown to be met.
		in.Evidence["SVV-1"] = false
	}
	// SVV-2: every mitigated threat's mitigation is verified by tests that
	// passed in this release.
	if tm != nil && mitigationsTested(tm.Threats) && len(tm.Untested) == 0 {
		in.Evidence["SVV-2"] = true
	}

	// Disclosure.
	var st cradle.PSIRTSettings
	configured, err := s.DB.GetSetting(ctx, "psirt", &st)
	if err != nil {
		return nil, err
	}
	in.SecurityTxt = configured && len(st.Contacts) > 0
	in.CVDPolicy = configured && strings.TrimSpace(st.CVDPolicy) != ""

	// SM-12 checklist.
	if in.Checklist, err = s.checklist(ctx, prod, in, tm, kinds); err != nil {
		return nil, err
	}

	// Exceptions in force.
	exs, err := s.DB.GateExceptions(ctx, product, release)
	if err != nil {
		return nil, err
	}
	for _, e := range exs {
		if !e.RevokedAt.IsZero() {
			continue
		}
		in.Exceptions = append(in.Exceptions, gate.Exception{ID: strconv.FormatInt(e.ID, 10), Check: e.Check, Subject: e.Subject,
			Approver: e.Approver, Reason: e.Reason, Expires: e.ExpiresAt, CreatedAt: e.CreatedAt.Truncate(time.Second)})
	}
	return in, nil
}

// mitigationsTested: at least one threat is mitigated and every mitigated
// threat names the tests that verify its mitigation (SVV-2).
func mitigationsTested(ts []threatmodel.Threat) bool {
	n := 0
	for _, t := range ts {
		if t.Status == threatmodel.StatusMitigated {
			if len(t.Tests) == 0 {
				return false
			}
			n++
		}
	}
	return n > 0
}

// checklist is the SM-12 process verification of one release: the SDL
// activities whose records cradle holds, each unless the product's
// applicability record says the requirement does not apply.
func (s *Service) checklist(ctx context.Context, prod *cradle.Product, in *gate.Inputs, tm *ThreatModelView, kinds map[string]bool) ([]gate.ChecklistItem, error) {
	appl, err := s.DB.ApplicabilityOf(ctx, prod.Name, catalog.IEC62443_4_1)
	if err != nil {
		return nil, err
	}
	scopes, err := s.DB.Scopes(ctx)
	if err != nil {
		return nil, err
	}
	undecided := 0
	for _, f := range in.Findings {
		if f.Decision == "" && (f.KEV || cradle.SeverityRank(f.Rating) >= 3) {
			undecided++
		}
	}
	items := []struct {
		req, name string
		done      bool
		detail    string
	}{
		{"SM-3", "SDL scope decided (SM-3)", scopes[prod.Name].ApprovedAt.IsZero() == false, "record whether the SDL covers the product (cradle scope)"},
		{"SM-9", "SBOM of the release (SM-9)", in.SBOM != nil, "import the release's SBOM"},
		{"SR-2", "threat model reviewed (SR-2)", tm != nil && tm.ApprovedAt != nil, "import the threat model and have a security officer record an approved review of its current version"},
		{"SI-1", "static analysis results (SI-1)", kinds["sast"], "import SAST results (SARIF) for the release"},
		{"SVV-1", "security requirements testing (SVV-1)", in.Evidence["SVV-1"], "import test results (JUnit) or record SVV-1 evidence"},
		{"SVV-3", "vulnerability testing (SVV-3)", in.Evidence["SVV-3"], "import DAST, fuzzing or dependency scan results, or record SVV-3 evidence"},
		{"DM-4", "serious findings decided (DM-4, SM-11)", undecided == 0, fmt.Sprintf("%d high, critical or KEV-listed finding(s) have no decision", undecided)},
		{"SUM-5", "support period declared (CRA Art. 13(8))", prod.SupportEnd != "", "declare the product's support period"},
	}
	var out []gate.ChecklistItem
	for _, it := range items {
		if a, ok := appl[it.req]; ok && !a.Applies {
			continue // not applicable to this product, with a recorded justification
		}
		detail := "done"
		if !it.done {
			detail = it.detail
		}
		out = append(out, gate.ChecklistItem{Name: it.name, Done: it.done, Detail: detail})
	}
	return out, nil
}
