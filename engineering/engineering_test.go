package engineering_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/engineering"
	"github.com/cradle-sdl/cradle/gate"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/sbom/sbomgen"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

var actor = cradle.Actor{Name: "ci@example.com", Via: "test"}

const model = `version: 1
product: {name: GW}
boundaries:
  - {id: device, name: Device}
elements:
  - {id: app, kind: process, name: Firmware, boundary: device}
  - {id: user, kind: external_entity, name: Operator}
flows:
  - {id: f1, from: user, to: app, protocol: HTTPS, authenticated: true, encrypted: true}
threats:
  - id: process-eop-exposed:app
    status: mitigated
    mitigation: Input validation; unprivileged service.
    tests: [TestInput]
`

func setup(t testing.TB, db *store.DB, components int) *engineering.Service {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "GW", SupportStart: "2025-01-01", SupportEnd: "2035-01-01"}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: "1.0", Lifecycle: cradle.LifecycleReleased}); err != nil {
		t.Fatal(err)
	}
	if _, err := monitor.New(db, nil).ImportSBOM(ctx, actor, "GW", "1.0", "sbom.json", sbomgen.CycloneDX(components, components, ""), nil); err != nil {
		t.Fatal(err)
	}
	return engineering.New(db)
}

// The gate gathers its inputs from every record, stores the decision with
// them, and a decision altered in the database no longer verifies.
func TestGateInputsAndVerification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db, 20)
		if _, err := s.ImportThreatModel(ctx, actor, "GW", "1.0", "tm.yaml", []byte(model)); err != nil {
			t.Fatal(err)
		}
		sarif := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[
			{"ruleId":"G101","level":"error","message":{"text":"hard-coded credential"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":3}}}]},
			{"ruleId":"G104","level":"note","message":{"text":"unhandled error"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"b.go"},"region":{"startLine":9}}}]}]}]}`
		imp, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "gosec.sarif", []byte(sarif))
		if err != nil || imp.Kind != "sast" || imp.Results != 2 {
			t.Fatalf("import: %+v %v", imp, err)
		}
		junit := `<testsuite name="s" tests="1"><testcase classname="gw" name="TestInput"/></testsuite>`
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "junit.xml", []byte(junit)); err != nil {
			t.Fatal(err)
		}
		// A requirement recorded as not applicable leaves the checklist.
		if err := db.SetApplicability(ctx, actor, &store.Applicability{Product: "GW", CatalogID: catalog.IEC62443_4_1, Requirement: "SVV-3", Applies: false, Justification: "No network-facing parts.", Approver: "CISO"}); err != nil {
			t.Fatal(err)
		}
		past := &cradle.GateException{Product: "GW", Check: gate.CheckSAST, Subject: "x", Approver: "CISO", Reason: "r", ExpiresAt: time.Now().Add(time.Hour)}
		if err := db.AddGateException(ctx, actor, past); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeGateException(ctx, actor, past.ID); err != nil {
			t.Fatal(err)
		}
		p, _, err := s.Policy(ctx, "GW")
		if err != nil {
			t.Fatal(err)
		}
		in, err := s.Inputs(ctx, "GW", "1.0", p)
		if err != nil {
			t.Fatal(err)
		}
		if in.SBOM == nil || in.SBOM.Components != 21 || in.ThreatModel == nil || in.ThreatModel.ReviewedAt != nil {
			t.Fatalf("inputs: sbom %+v, threat model %+v", in.SBOM, in.ThreatModel)
		}
		if in.Results == nil || len(in.Results.Open) != 2 || !in.Evidence["SVV-1"] || !in.Evidence["SI-1"] || !in.Evidence["SVV-2"] || in.Evidence["SVV-3"] {
			t.Fatalf("results %+v, evidence %v", in.Results, in.Evidence)
		}
		if len(in.Exceptions) != 0 {
			t.Fatalf("a revoked exception is an input: %+v", in.Exceptions)
		}
		for _, c := range in.Checklist {
			if strings.Contains(c.Name, "SVV-3") {
				t.Fatalf("a requirement that does not apply is on the checklist: %+v", in.Checklist)
			}
		}
		run, err := s.Gate(ctx, actor, "GW", "1.0", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if run.Decision.Pass || !hasReason(run.Decision, gate.CheckSAST, "G101") || !hasReason(run.Decision, gate.CheckThreatModel, "") {
			t.Fatalf("decision: %+v", run.Decision)
		}
		if _, err := s.Verify(ctx, run.Record.ID); err != nil {
			t.Fatalf("fresh decision does not verify: %v", err)
		}
		// A policy override for one run: blocks only critical SAST.
		run2, err := s.Gate(ctx, actor, "GW", "1.0", "p.yaml", []byte("sast:\n  max_severity: critical\n"))
		if err != nil || hasReason(run2.Decision, gate.CheckSAST, "G101") || run2.Record.PolicyHash == run.Record.PolicyHash {
			t.Fatalf("override: %+v %v", run2, err)
		}
		if _, err := s.Gate(ctx, actor, "GW", "1.0", "p.yaml", []byte("sast:\n  max_severity: severe\n")); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("invalid override: %v", err)
		}
		// Tampering: flip the verdict, or edit the stored inputs.
		for _, q := range []string{
			`UPDATE gate_decisions SET pass = TRUE WHERE id = ?`,
			`UPDATE gate_decisions SET inputs = REPLACE(inputs, '"G101"', '"G999"') WHERE id = ?`,
		} {
			d2, err := s.Gate(ctx, actor, "GW", "1.0", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			exec(t, db, q, d2.Record.ID)
			if _, err := s.Verify(ctx, d2.Record.ID); cradle.ErrorCode(err) != cradle.EConflict || len(cradle.ErrorProblems(err)) == 0 {
				t.Fatalf("%s: verify says %v", q, err)
			}
		}
	})
}

func hasReason(d *gate.Decision, check, subject string) bool {
	for _, c := range d.Checks {
		if c.ID != check {
			continue
		}
		for _, r := range c.Reasons {
			if subject == "" || strings.Contains(r.Subject+r.Message, subject) {
				return true
			}
		}
	}
	return false
}

func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	driver := "sqlite"
	if db.Engine() == store.Postgres {
		driver = "pgx"
		q = strings.Replace(q, "?", "$1", 1)
	}
	raw, err := sql.Open(driver, db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// A threat model edited between releases: the diff between the models in
// force for two releases shows what changed.
func TestThreatModelBetweenReleases(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	s := setup(t, db, 5)
	if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: "1.1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportThreatModel(ctx, actor, "GW", "1.0", "tm.yaml", []byte(model)); err != nil {
		t.Fatal(err)
	}
	res, err := s.ImportThreatModel(ctx, actor, "GW", "1.1", "tm.yaml", []byte(strings.Replace(model, "encrypted: true", "encrypted: false", 1)))
	if err != nil || res.Unchanged || res.Model.Version != 2 {
		t.Fatalf("second version: %+v %v", res, err)
	}
	a, b, err := s.ReleaseModelVersions(ctx, "GW", "1.0", "1.1")
	if err != nil || a != 1 || b != 2 {
		t.Fatalf("versions %d %d %v", a, b, err)
	}
	d, err := s.ThreatModelDiff(ctx, "GW", a, b)
	if err != nil || d.Empty() || !strings.Contains(d.String(), "encrypted") {
		t.Fatalf("diff: %v\n%s", err, d)
	}
	// A released product without a review is stale (SR-2).
	v, err := s.ThreatModel(ctx, "GW", "1.0", 0)
	if err != nil || !v.Stale || v.ReviewedAt != nil {
		t.Fatalf("view: %+v %v", v, err)
	}
	if err := db.AddThreatReview(ctx, actor, &cradle.ThreatReview{Product: "GW", Version: 1, Outcome: cradle.ReviewApproved}); err != nil {
		t.Fatal(err)
	}
	if v, _ = s.ThreatModel(ctx, "GW", "1.1", 0); v.Stale || v.ReviewedAt == nil || !v.ChangedSinceReview {
		t.Fatalf("after a review of version 1, version 2: %+v", v)
	}
}

// gateFixture is the performance case: a release with 5,000
// components, 300 findings and 2,000 SAST results.
func gateFixture(b testing.TB, db *store.DB) *engineering.Service {
	ctx := context.Background()
	s := setup(b, db, 5000)
	// 300 advisories, each affecting one npm component of the SBOM
	// (sbomgen: every fourth component is npm "pkg-<i>" at 1.<i%10>.<i%7>).
	var vulns []*cradle.Vulnerability
	for k := 0; k < 300; k++ {
		i := 4 * k
		vulns = append(vulns, &cradle.Vulnerability{ID: fmt.Sprintf("GHSA-test-%04d", k), Aliases: []string{fmt.Sprintf("CVE-2099-%05d", k)},
			Severity: []cradle.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}},
			Affected: []cradle.Affected{{Ecosystem: "npm", Name: fmt.Sprintf("pkg-%d", i), Versions: []string{fmt.Sprintf("1.%d.%d", i%10, i%7)}}}})
	}
	_, ch, err := monitor.New(db, nil).ImportVulns(ctx, vulns)
	if err != nil {
		b.Fatal(err)
	}
	if ch.New != 300 {
		b.Fatalf("findings: %+v", ch)
	}
	rs := make([]cradle.ScanResult, 2000)
	for i := range rs {
		sev := "low"
		if i%100 == 0 {
			sev = "high"
		}
		rs[i] = cradle.ScanResult{Fingerprint: fmt.Sprintf("%064x", i), RuleID: fmt.Sprintf("R%d", i%200), Severity: sev, Location: fmt.Sprintf("src/f%d.go:%d:1", i%300, i), Message: "finding", Status: cradle.ResultOpen}
	}
	if err := db.ImportResults(ctx, actor, &cradle.ResultImport{Product: "GW", Release: "1.0", Format: "sarif", Kind: "sast", Tool: "semgrep", Filename: "s.sarif"}, []byte("{}"), rs); err != nil {
		b.Fatal(err)
	}
	if _, err := s.ImportThreatModel(ctx, actor, "GW", "1.0", "tm.yaml", []byte(model)); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkGate measures one whole gate run (gathering every input from the
// database, SBOM quality, evaluation, storing the decision) for a release
// with 5,000 components, 300 findings and 2,000 SAST results. Target: under
// 300 ms.
//
//	go test -run '^$' -bench BenchmarkGate -benchtime 20x ./engineering/
func BenchmarkGate(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine)
			s := gateFixture(b, db)
			ctx := context.Background()
			b.Run("cold", func(b *testing.B) {
				for b.Loop() {
					s2 := engineering.New(db) // no cached SBOM quality report
					run, err := s2.Gate(ctx, actor, "GW", "1.0", "", nil)
					if err != nil {
						b.Fatal(err)
					}
					if len(run.Decision.Checks) == 0 {
						b.Fatal("no checks")
					}
				}
			})
			b.Run("warm", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Gate(ctx, actor, "GW", "1.0", "", nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// sarif50k is a SARIF log of n results over 200 rules, as a large SAST run
// writes it.
func sarif50k(n int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"semgrep","semanticVersion":"1.90.0","rules":[`)
	for r := 0; r < 200; r++ {
		if r > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"rule.%d","name":"Rule%d","shortDescription":{"text":"Rule number %d"},"defaultConfiguration":{"level":"warning"},"properties":{"security-severity":"%d.5"}}`, r, r, r, r%10)
	}
	sb.WriteString(`]}},"results":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"ruleId":"rule.%d","ruleIndex":%d,"level":"warning","message":{"text":"Tainted data from request flows into query at call %d."},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/pkg%d/file%d.go"},"region":{"startLine":%d,"startColumn":5}}}],"partialFingerprints":{"primaryLocationLineHash":"%016x:1"}}`,
			i%200, i%200, i, i%97, i%31, 10+i%2000, i)
	}
	sb.WriteString(`]}]}`)
	return []byte(sb.String())
}

// BenchmarkImportResults50k imports a SARIF file of 50,000 results into a
// release (decode, fingerprints, one transaction). Target: under 5 s and
// 500 MB; the peak heap is reported as peak-MB.
//
//	go test -run '^$' -bench BenchmarkImportResults50k -benchtime 3x ./engineering/
func BenchmarkImportResults50k(b *testing.B) {
	data := sarif50k(50000)
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine)
			s := setup(b, db, 5)
			ctx := context.Background()
			var peak uint64
			i := 0
			for b.Loop() {
				// Each iteration imports into a fresh release: all new rows.
				v := fmt.Sprintf("2.%d", i)
				i++
				if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: v}); err != nil {
					b.Fatal(err)
				}
				done := make(chan struct{})
				go func() {
					var ms runtime.MemStats
					for {
						select {
						case <-done:
							return
						case <-time.After(10 * time.Millisecond):
							runtime.ReadMemStats(&ms)
							peak = max(peak, ms.HeapInuse)
						}
					}
				}()
				imp, _, err := s.ImportResults(ctx, actor, "GW", v, "", "big.sarif", data)
				close(done)
				if err != nil {
					b.Fatal(err)
				}
				if imp.Results != 50000 {
					b.Fatalf("imported %d results", imp.Results)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
		})
	}
}

// Review findings: results of one tool in different categories are tracked
// apart; failed tests are no evidence; a decision rewritten consistently
// (verdict, hashes, documents) still fails verification against its audit
// entry; a decision of another rules version is checked for integrity only;
// an approval counts only for the content it approved.
func TestGateReviewFixes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db, 5)
		sarif := func(rule, level string) []byte {
			return []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"results":[{"ruleId":"` + rule + `","level":"` + level +
				`","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"x"},"region":{"startLine":1}}}]}]}]}`)
		}
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "go.sarif", sarif("go/sql-injection", "error")); err != nil {
			t.Fatal(err)
		}
		imp, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "js.sarif", sarif("js/xss", "note"))
		if err != nil || imp.Fixed != 0 {
			t.Fatalf("CodeQL for JavaScript fixed Go results: %+v %v", imp, err)
		}
		imp, _, err = s.ImportResultsAs(ctx, actor, "GW", "1.0", "", "go", "codeql-go-run2.sarif", []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"results":[]}]}`))
		if err != nil || imp.Fixed != 0 {
			t.Fatalf("category go has no results yet: %+v %v", imp, err)
		}
		imp, _, err = s.ImportResults(ctx, actor, "GW", "1.0", "", "go.sarif", []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"results":[]}]}`))
		if err != nil || imp.Fixed != 1 {
			t.Fatalf("a clean go.sarif fixes the Go result: %+v %v", imp, err)
		}
		// A JUnit report with failures is no SVV-1 evidence.
		junit := `<testsuite name="s"><testcase classname="gw" name="TestA"><failure message="boom"/></testcase><testcase classname="gw" name="TestB"/></testsuite>`
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "unit.xml", []byte(junit)); err != nil {
			t.Fatal(err)
		}
		p, _, _ := s.Policy(ctx, "GW")
		in, err := s.Inputs(ctx, "GW", "1.0", p)
		if err != nil || in.Evidence["SVV-1"] {
			t.Fatalf("failing tests counted as SVV-1 evidence: %v %v", in.Evidence, err)
		}
		// Approvals count for the content they approved.
		if _, err := s.ImportThreatModel(ctx, actor, "GW", "", "tm.yaml", []byte(model)); err != nil {
			t.Fatal(err)
		}
		if err := db.AddThreatReview(ctx, actor, &cradle.ThreatReview{Product: "GW", Version: 1, Outcome: cradle.ReviewApproved}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportThreatModel(ctx, actor, "GW", "1.0", "tm.yaml", []byte(model)); err != nil { // same content, for the release
			t.Fatal(err)
		}
		if v, _ := s.ThreatModel(ctx, "GW", "1.0", 0); v.Stored.Version != 2 || v.ApprovedAt == nil {
			t.Fatalf("same content imported for the release: %+v", v)
		}
		if _, err := s.ImportThreatModel(ctx, actor, "GW", "1.0", "tm.yaml", []byte(strings.Replace(model, "encrypted: true", "encrypted: false", 1))); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.ThreatModel(ctx, "GW", "1.0", 0); v.ApprovedAt != nil || !v.ChangedSinceReview || v.ReviewedAt == nil {
			t.Fatalf("changed model: %+v", v)
		}
		if _, err := s.ImportThreatModel(ctx, actor, "GW", "", "tm.yaml", []byte(model+"reviews:\n  - {date: 2099-12-31, by: nobody}\n")); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("a review dated in the future: %v", err)
		}
		// A consistent rewrite: the row says pass with recomputed hashes.
		run, err := s.Gate(ctx, actor, "GW", "1.0", "", nil)
		if err != nil || run.Decision.Pass {
			t.Fatalf("gate: %+v %v", run, err)
		}
		_, p2, in2, err := s.Decision(ctx, run.Record.ID)
		if err != nil {
			t.Fatal(err)
		}
		p2.SBOM.Enabled, p2.Findings.Enabled, p2.ThreatModel.Enabled, p2.SAST.Enabled = false, false, false, false
		p2.SVVEvidence.Enabled, p2.SupportPeriod.Enabled, p2.Disclosure.Enabled, p2.SDLChecklist.Enabled = false, false, false, false
		forged := gate.Evaluate(p2, in2)
		if !forged.Pass {
			t.Fatal("forged decision does not pass")
		}
		pj, _ := jsonString(p2)
		ij, _ := jsonString(gate.CanonicalInputs(in2))
		rj, _ := jsonString(forged)
		exec(t, db, `UPDATE gate_decisions SET pass = TRUE, failures = 0, hash = '`+forged.Hash+`', policy_hash = '`+forged.PolicyHash+`', inputs_hash = '`+forged.InputsHash+
			`', policy = '`+pj+`', inputs = '`+ij+`', result = '`+rj+`' WHERE id = ?`, run.Record.ID)
		if _, err := s.Verify(ctx, run.Record.ID); cradle.ErrorCode(err) != cradle.EConflict || !strings.Contains(fmt.Sprint(cradle.ErrorProblems(err)), "audit entry") {
			t.Fatalf("consistent rewrite verified: %v", err)
		}
		// A decision of another rules version (this cradle was upgraded):
		// integrity checked, not re-evaluated. Editing the version in the
		// row to skip re-evaluation is an alteration.
		run, _ = s.Gate(ctx, actor, "GW", "1.0", "", nil)
		engineering.Evaluator = "cradle-gate/2"
		got, err := s.Verify(ctx, run.Record.ID)
		engineering.Evaluator = "cradle-gate/1"
		if err != nil || !strings.Contains(got.Note, "cradle-gate/1") {
			t.Fatalf("older rules: %+v %v", got, err)
		}
		exec(t, db, `UPDATE gate_decisions SET evaluator = 'cradle-gate/0' WHERE id = ?`, run.Record.ID)
		if _, err := s.Verify(ctx, run.Record.ID); cradle.ErrorCode(err) != cradle.EConflict {
			t.Fatalf("edited rules version: %v", err)
		}
	})
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return strings.ReplaceAll(string(b), "'", "''"), err
}

// The gate's policy accepts exactly the requirement IDs of the IEC
// 62443-4-1 catalogue.
func TestPolicyRequirementIDsMatchCatalogue(t *testing.T) {
	var c *catalog.Catalog
	for _, x := range catalog.Builtin() {
		if x.ID == catalog.IEC62443_4_1 {
			c = x
		}
	}
	if c == nil || len(c.Requirements) != 47 {
		t.Fatalf("catalogue: %v", c)
	}
	for _, r := range c.Requirements {
		if _, err := gate.ParsePolicy("p.yaml", []byte("svv_evidence:\n  requirements: ["+strings.ToLower(r.ID)+"]\n")); err != nil {
			t.Errorf("%s refused: %v", r.ID, err)
		}
	}
	for _, bad := range []string{"SVV-6", "SM-14", "SG-0", "XX-1", "SR-10"} {
		if _, err := gate.ParsePolicy("p.yaml", []byte("svv_evidence:\n  requirements: ["+bad+"]\n")); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// SVV-2: a mitigated threat counts as verified only when the tests it
// names passed in the release's JUnit results.
func TestMitigationTests(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	s := setup(t, db, 3)
	if _, err := s.ImportThreatModel(ctx, actor, "GW", "1.0", "tm.yaml", []byte(model)); err != nil {
		t.Fatal(err)
	}
	state := func() (*engineering.ThreatModelView, bool) {
		v, err := s.ThreatModel(ctx, "GW", "1.0", 0)
		if err != nil {
			t.Fatal(err)
		}
		p, _, _ := s.Policy(ctx, "GW")
		in, err := s.Inputs(ctx, "GW", "1.0", p)
		if err != nil {
			t.Fatal(err)
		}
		return v, in.Evidence["SVV-2"]
	}
	if v, ok := state(); ok || v.Tests["TestInput"] != "missing" || len(v.Untested) != 1 {
		t.Fatalf("no test results: %v %+v", ok, v.Tests)
	}
	failing := `<testsuite name="s"><testcase classname="gw.input" name="TestInput"><failure message="x"/></testcase></testsuite>`
	if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "unit.xml", []byte(failing)); err != nil {
		t.Fatal(err)
	}
	if v, ok := state(); ok || v.Tests["TestInput"] != "failed" {
		t.Fatalf("failing test: %v %+v", ok, v.Tests)
	}
	passing := `<testsuite name="s"><testcase classname="gw.input" name="TestInput"/></testsuite>`
	if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "unit.xml", []byte(passing)); err != nil {
		t.Fatal(err)
	}
	if v, ok := state(); !ok || v.Tests["TestInput"] != "passed" || len(v.Untested) != 0 {
		t.Fatalf("passing test: %v %+v %v", ok, v.Tests, v.Untested)
	}
}

// Second review: relabelling a tool's results does not hide them, open
// DAST results are judged, failing tests outweigh recorded SVV-1 evidence,
// and a decision moved to another release no longer verifies.
func TestGateSecondReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db, 3)
		if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: "2.0"}); err != nil {
			t.Fatal(err)
		}
		high := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[{"ruleId":"G101","level":"error","message":{"text":"credential"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":3}}}]}]}]}`)
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "gosec.sarif", high); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "sca", "gosec.sarif", high); err != nil {
			t.Fatal(err)
		}
		p, _, _ := s.Policy(ctx, "GW")
		in, _ := s.Inputs(ctx, "GW", "1.0", p)
		if in.Results == nil || len(in.Results.Open) != 1 {
			t.Fatalf("relabelled as sca, the SAST result left the gate: %+v", in.Results)
		}
		zap := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"ZAP"}},"results":[{"ruleId":"40018","level":"error","message":{"text":"SQL injection"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"https://gw/login"}}}]}]}]}`)
		if imp, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "zap.sarif", zap); err != nil || imp.Kind != "dast" {
			t.Fatalf("zap: %+v %v", imp, err)
		}
		in, _ = s.Inputs(ctx, "GW", "1.0", p)
		if len(in.Results.Open) != 2 {
			t.Fatalf("open DAST result not judged: %+v", in.Results.Open)
		}
		// Recorded SVV-1 evidence does not outweigh failing tests.
		if err := db.AddEvidence(ctx, actor, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1, "SVV-1", &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://ci.example.com/tests"}, nil); err != nil {
			t.Fatal(err)
		}
		failing := `<testsuite name="s"><testcase classname="gw" name="TestA"><failure message="x"/></testcase></testsuite>`
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "unit.xml", []byte(failing)); err != nil {
			t.Fatal(err)
		}
		if in, _ = s.Inputs(ctx, "GW", "1.0", p); in.Evidence["SVV-1"] {
			t.Fatal("failing tests with recorded evidence count as SVV-1")
		}
		// A decision moved to another release does not verify.
		run, err := s.Gate(ctx, actor, "GW", "1.0", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		r2, _ := db.Release(ctx, "GW", "2.0")
		exec(t, db, `UPDATE gate_decisions SET release_id = `+fmt.Sprint(r2.ID)+` WHERE id = ?`, run.Record.ID)
		if _, err := s.Verify(ctx, run.Record.ID); cradle.ErrorCode(err) != cradle.EConflict {
			t.Fatalf("a decision moved to 2.0 verifies: %v", err)
		}
	})
}

// A SARIF run's automationDetails category is the default category, so
// files named by date replace each other.
func TestResultCategoryFromAutomationDetails(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	s := setup(t, db, 3)
	run := func(results string) []byte {
		return []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"automationDetails":{"id":"/language:go/2026-11-27"},"results":[` + results + `]}]}`)
	}
	one := `{"ruleId":"go/sql-injection","level":"error","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"x.go"},"region":{"startLine":1}}}]}`
	imp, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "codeql-2026-11-27.sarif", run(one))
	if err != nil || imp.Category != "/language:go/" {
		t.Fatalf("first: %+v %v", imp, err)
	}
	imp, _, err = s.ImportResults(ctx, actor, "GW", "1.0", "", "codeql-2026-11-28.sarif", run(""))
	if err != nil || imp.Fixed != 1 {
		t.Fatalf("the next day's clean run: %+v %v", imp, err)
	}
}

// Third review: a result's kind moves only towards the judged kinds; a
// JUnit report cannot be labelled as analysis; renaming a release keeps
// its decisions verifiable; JUnit reports of the same suites replace each
// other whatever their file names.
func TestGateThirdReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db, 3)
		high := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[{"ruleId":"G101","level":"error","message":{"text":"credential"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":3}}}]}]}]}`)
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "container", "gosec.sarif", high); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "gosec.sarif", high); err != nil {
			t.Fatal(err)
		}
		p, _, _ := s.Policy(ctx, "GW")
		if in, _ := s.Inputs(ctx, "GW", "1.0", p); in.Results == nil || len(in.Results.Open) != 1 {
			t.Fatalf("labelled container first, the SAST result stayed hidden: %+v", in.Results)
		}
		junit := `<testsuite name="gw.input"><testcase classname="gw.input" name="TestInput"/></testsuite>`
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "sast", "unit.xml", []byte(junit)); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("JUnit as sast: %v", err)
		}
		// Per-run file names, same suites: the second run replaces the first.
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "junit-run-1.xml", []byte(junit)); err != nil {
			t.Fatal(err)
		}
		other := `<testsuite name="gw.input"><testcase classname="gw.input" name="TestOther"/></testsuite>`
		if _, _, err := s.ImportResults(ctx, actor, "GW", "1.0", "", "junit-run-2.xml", []byte(other)); err != nil {
			t.Fatal(err)
		}
		passed, _, err := db.TestStates(ctx, "GW", "1.0")
		if err != nil || passed["gw.input.TestInput"] || !passed["gw.input.TestOther"] {
			t.Fatalf("a test gone from the newer run still counts as passed: %v %v", passed, err)
		}
		// Renaming the release keeps its decision verifiable.
		run, err := s.Gate(ctx, actor, "GW", "1.0", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateRelease(ctx, actor, "GW", "1.0", &cradle.Release{Version: "1.0.1", Lifecycle: cradle.LifecycleReleased}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Verify(ctx, run.Record.ID); err != nil {
			t.Fatalf("renamed release: %v", err)
		}
		// A long category with a multi-byte character is cut on a rune.
		long := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL"}},"automationDetails":{"id":"` + strings.Repeat("a", 99) + `é/run"},"results":[]}]}`)
		if imp, _, err := s.ImportResults(ctx, actor, "GW", "1.0.1", "", "c.sarif", long); err != nil || !utf8.ValidString(imp.Category) {
			t.Fatalf("long category: %+v %v", imp, err)
		}
	})
}
